"""CLI commands for the data stage: ``alliance-forecast data build``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

data_app = typer.Typer(help="Build and inspect the derived alliance panel.", no_args_is_help=True)


@data_app.command("build")
def build_command(
    raw: Annotated[
        Path | None, typer.Option("--raw", help="Raw data folder (default: settings.raw_dir).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: settings.data_dir).")
    ] = None,
) -> None:
    """Build the alliance-year panel and companion tables from the raw sources."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from forecast.config import get_settings
    from forecast.errors import InputError
    from forecast.panel.build import build

    settings = get_settings()
    raw_dir = raw if raw is not None else settings.raw_dir
    out_dir = out if out is not None else settings.data_dir
    if not raw_dir.is_dir():
        raise InputError(f"raw data folder {raw_dir} not found; pass --raw DIR")
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        manifest = build(raw_dir, out_dir, progress)
        bar.update(task, description="done", completed=1, total=1)
    rows = ", ".join(f"{k}={v['rows']}" for k, v in manifest["outputs"].items())
    typer.echo(f"wrote {out_dir} ({rows}); sha256 {manifest['sha256'][:12]}")


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    app.add_typer(data_app, name="data")
