"""CLI commands for the data stage: ``alliance-forecast data build`` and
``alliance-forecast data events list|validate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

data_app = typer.Typer(help="Build and inspect the derived alliance panel.", no_args_is_help=True)
events_app = typer.Typer(
    help="The hand-recorded alliance events since 2018 (data/events/events.csv).",
    no_args_is_help=True,
)
data_app.add_typer(events_app, name="events")

EventsOption = Annotated[
    Path | None,
    typer.Option("--events", help="Recorded-events file (default: data/events/events.csv)."),
]


@data_app.command("build")
def build_command(
    raw: Annotated[
        Path | None, typer.Option("--raw", help="Raw data folder (default: settings.raw_dir).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: settings.data_dir).")
    ] = None,
    events: EventsOption = None,
) -> None:
    """Build the alliance-year panel and companion tables from the raw sources.

    Every raw file is validated and checked against the published file's minimums first;
    on any failure (exit 2) the previous panel in the output folder is left untouched.
    """
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

        manifest = build(raw_dir, out_dir, progress, events_file=events)
        bar.update(task, description="done", completed=1, total=1)
    rows = ", ".join(f"{k}={v['rows']}" for k, v in manifest["outputs"].items())
    edge = manifest["data_edge"]["end_year"]
    typer.echo(f"wrote {out_dir} ({rows}); data edge {edge}; sha256 {manifest['sha256'][:12]}")


@events_app.command("list")
def events_list(
    events: EventsOption = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only this kind (accession, exit, end, new_alliance)."),
    ] = None,
) -> None:
    """Show the recorded events, oldest first, and whether each is inside the data edge."""
    from forecast.panel.edge import data_edge
    from forecast.sources.events import KINDS, read_events

    if kind is not None and kind not in KINDS:
        from forecast.errors import InputError

        raise InputError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    df = read_events(events)
    if kind:
        df = df[df["kind"] == kind]
    try:
        edge: int | None = data_edge()
    except Exception:  # no built panel yet: list without the edge column
        edge = None
    for r in df.itertuples(index=False):
        who = ",".join(map(str, r.members)) or "-"
        where = "" if edge is None else ("applied" if r.date.year <= edge else f"after edge {edge}")
        typer.echo(
            f"{r.date.date()}  {r.kind:<12} {r.atopid:<5} {who:<12} {r.cause or '-':<11} "
            f"{r.confidence:<6} {where:<15} {r.name or r.event_id}"
        )
    typer.echo(f"{len(df)} events")


@events_app.command("validate")
def events_validate(events: EventsOption = None) -> None:
    """Check the events file (schema, per-kind rules) and apply it to ATOP (exit 2 if bad)."""
    from forecast.config import get_settings
    from forecast.panel.events import apply_events
    from forecast.sources.atop import read_atop_alliances, read_atop_members
    from forecast.sources.events import read_events

    df = read_events(events)
    raw = get_settings().raw_dir
    apply_events(read_atop_members(raw), read_atop_alliances(raw), df, end_year=9999)
    counts = ", ".join(f"{k}={v}" for k, v in df["kind"].value_counts().sort_index().items())
    typer.echo(f"ok: {len(df)} events ({counts}); all apply cleanly on ATOP v5.1")


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    app.add_typer(data_app, name="data")
