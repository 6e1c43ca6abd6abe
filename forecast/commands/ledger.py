"""``alliance-forecast ledger``: record forecasts, score closed windows, show the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ledger_app = typer.Typer(
    help="The forecast ledger (ALLIANCE_FORECAST_LEDGER_URL): append-only record and scores.",
    no_args_is_help=True,
)

_URL = typer.Option("--url", help="Ledger URL (default: ALLIANCE_FORECAST_LEDGER_URL).")


def _engine(url: str | None):
    from forecast.config import get_settings
    from forecast.ledger.db import open_ledger

    return open_ledger(url or get_settings().ledger_url)


@ledger_app.command()
def score(
    url: Annotated[str | None, _URL] = None,
    rescore: Annotated[
        bool, typer.Option(help="Score again every closed window (adds rows; rewrites none).")
    ] = False,
) -> None:
    """Resolve the forecasts whose windows have closed (panel + recorded ends) and score them."""
    from forecast.config import get_settings
    from forecast.ledger.resolve import score_ledger
    from forecast.model.members import load_model_panel
    from forecast.panel.load import data_manifest_sha256

    settings = get_settings()
    run = score_ledger(
        _engine(url),
        load_model_panel(settings.data_dir),
        data_sha256=data_manifest_sha256(settings.data_dir),
        rescore=rescore,
    )
    typer.echo(
        f"scored {run.scored} forecasts (run {run.run_id}, data through {run.data_through}); "
        f"{run.open} still open"
    )


@ledger_app.command()
def seed(url: Annotated[str | None, _URL] = None) -> None:
    """Record the committed backtest forecasts (data/track-record) and the live version's
    forecasts once, then score; prints a JSON summary (the service runs this at start)."""
    from forecast.config import get_settings
    from forecast.ledger.db import writer_lock
    from forecast.ledger.seed import ensure_seeded
    from forecast.ledger.snapshot import ensure_live_snapshot

    s = get_settings()
    engine = _engine(url)
    seeded = ensure_seeded(engine, s.ledger_seed_dir, s.data_dir)
    with writer_lock(engine):
        seeded["live_recorded"] = ensure_live_snapshot(engine, s.models_dir, s.data_dir, s.model)
    typer.echo(json.dumps(seeded))


@ledger_app.command("import")
def import_csv(
    files: Annotated[list[Path], typer.Argument(help="Backtest contract CSVs.")],
    version: Annotated[str, typer.Option(help="Label of the fits that made them.")],
    model: Annotated[str, typer.Option(help="Model spec fitted.")] = "full",
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Record backtest contract CSVs (``alliance-forecast backtest --output``) as ``backtest``."""
    from datetime import UTC, datetime

    from forecast.config import get_settings
    from forecast.ledger.record import import_backtest_csv
    from forecast.ledger.seed import alliance_types
    from forecast.panel.load import data_manifest_sha256

    s = get_settings()
    engine, types = _engine(url), alliance_types(s.data_dir)
    for f in files:
        n = import_backtest_csv(
            engine,
            f,
            model=model,
            version=version,
            data_sha256=data_manifest_sha256(s.data_dir),
            issued_at=datetime.now(UTC),
            alliance_types=types,
        )
        typer.echo(f"{f}: {n} forecasts recorded")


@ledger_app.command()
def snapshot(
    model: Annotated[str, typer.Option(help="Model whose live version is recorded.")] = "full",
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Record the live forecasts (alliances in force, horizons 1, 5, 10) of a model."""
    from forecast.config import get_settings
    from forecast.ledger.snapshot import snapshot_store

    s = get_settings()
    n = snapshot_store(_engine(url), s.models_dir, s.data_dir, model)
    typer.echo(f"{n} live forecasts recorded")


@ledger_app.command()
def show(
    url: Annotated[str | None, _URL] = None,
    kind: Annotated[str | None, typer.Option(help="live or backtest.")] = None,
) -> None:
    """Print the track record (n, Brier, log loss, skill) by horizon as JSON."""
    from forecast.ledger.report import track_record

    tr = track_record(_engine(url), kind=kind)
    keys = ("n_scored", "brier", "log_loss", "brier_skill", "interval_coverage")
    typer.echo(json.dumps({**{k: tr[k] for k in keys}, "by_horizon": tr["by_horizon"]}))


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    app.add_typer(ledger_app, name="ledger")
