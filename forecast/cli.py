"""``alliance-forecast`` command line: one sub-command per stage of the data flow.

Commands are registered by ``forecast.commands.*``; each imports its heavy
dependencies (PyMC, Dask, uvicorn) inside the command body so that ``--help`` and
``serve`` stay fast and PyMC-free.
"""

from __future__ import annotations

import sys

import typer

from forecast.commands import data, jobs, ledger, model, serve
from forecast.errors import ForecastError

app = typer.Typer(
    name="alliance-forecast",
    help="Bayesian forecasts of alliance persistence: build data, fit, serve, backtest.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Bayesian forecasts of alliance persistence: build data, fit, serve, backtest."""


for module in (data, model, serve, jobs, ledger):
    module.register(app)


@app.command()
def version() -> None:
    """Print the package version."""
    from forecast import __version__

    typer.echo(__version__)


def main() -> None:
    """Console entry point: known errors become one line on stderr and their exit code."""
    try:
        app()
    except ForecastError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
