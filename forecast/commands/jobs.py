"""``alliance-forecast backtest`` and ``alliance-forecast refit``.

Heavy libraries (PyMC, Dask, statsmodels, lifelines) are imported inside the command bodies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecast.errors import InputError

_DRAWS = typer.Option(help="Posterior draws per chain (default: forecast.model.config).")
_TUNE = typer.Option(help="Tuning steps per chain (default: forecast.model.config).")
_CHAINS = typer.Option(help="MCMC chains (default: forecast.model.config).")
_SEED = typer.Option(help="Random seed of the sampler (same seed, same data: same draws).")
_SAMPLER = typer.Option(help="nutpie or pymc (default: forecast.model.config).")


def _load_panel(path: Path | None):
    """The shipped panel, or a panel file given with --panel (Parquet or CSV)."""
    import pandas as pd

    if path is None:
        from forecast.model.members import load_model_panel

        return load_model_panel()
    if not path.exists():
        raise InputError(f"--panel {path} does not exist; give a Parquet or CSV panel file")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    raise InputError(f"--panel {path}: expected a .parquet or .csv file")


def backtest(
    output: Annotated[Path, typer.Option(help="CSV of per-alliance forecasts (contract).")],
    origin: Annotated[
        int | None, typer.Option(help="Single origin year T: train on what was known at its end.")
    ] = None,
    origins: Annotated[
        str | None,
        typer.Option(help="Rolling origins: 1950,1955,... or start:stop:step (fans out on Dask)."),
    ] = None,
    horizon: Annotated[str, typer.Option(help="Horizon(s) in years: 5 or 5,10.")] = "5",
    model: Annotated[str, typer.Option(help="Model spec to fit in every fold.")] = "full",
    baselines_only: Annotated[
        bool, typer.Option(help="Skip the Bayesian model; score the baselines only.")
    ] = False,
    draws: Annotated[int | None, _DRAWS] = None,
    tune: Annotated[int | None, _TUNE] = None,
    chains: Annotated[int | None, _CHAINS] = None,
    seed: Annotated[int | None, _SEED] = None,
    sampler: Annotated[str | None, _SAMPLER] = None,
    workers: Annotated[int, typer.Option(help="Local Dask worker processes (rolling mode).")] = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of an existing Dask scheduler (rolling mode).")
    ] = None,
    panel_file: Annotated[
        Path | None, typer.Option("--panel", help="Panel file instead of the shipped panel.")
    ] = None,
    min_origin: Annotated[
        int | None, typer.Option(help="Score only folds with origin >= this year (e.g. 1946).")
    ] = None,
    members: Annotated[
        bool,
        typer.Option(
            "--members",
            help="Member mode: fit member_exit and forecast each member's exit (atopid, "
            "ccode, origin, horizon, p_exit, p_exit_lo, p_exit_hi).",
        ),
    ] = False,
) -> None:
    """Rolling-origin backtest: per-alliance forecasts (CSV) and scores next to baselines.

    With --origin T: one fold, fitted in this process. With --origins: one fold per origin,
    fanned out over Dask worker processes; also writes <output>.baselines.csv,
    <output>.scores.csv and <output>.reliability.csv and prints the score table.
    """
    from rich.console import Console

    from forecast.evaluation import backtest as bt
    from forecast.evaluation.folds import parse_int_list
    from forecast.evaluation.report import reliability_table, score_tables

    if (origin is None) == (origins is None):
        raise InputError("give exactly one of --origin T or --origins T1,T2,...")
    horizons = parse_int_list(horizon, name="horizon")
    if not horizons or min(horizons) < 1:
        raise InputError(f"--horizon must be positive years, got {horizon!r}")
    from forecast.model.config import BACKTEST, with_overrides

    cfg = with_overrides(BACKTEST, draws=draws, tune=tune, chains=chains, seed=seed,
                         sampler=sampler)  # fmt: skip
    if members:
        _member_backtest(output, origin, origins, horizons, cfg, panel_file)
        return
    settings = bt.FitSettings(spec=None if baselines_only else model, sampler=cfg)
    panel = _load_panel(panel_file)
    console = Console(stderr=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    if origin is not None:
        result = bt.rolling(panel, [origin], horizons, settings, min_origin=min_origin)
    else:
        from forecast.evaluation.fanout import dask_client

        years = parse_int_list(origins or "", name="origins")
        if not years:
            raise InputError("--origins is empty")
        with (
            console.status(f"{len(years)} origins on Dask …"),
            dask_client(workers=workers, scheduler=scheduler) as client,
        ):
            result = bt.rolling(
                panel, years, horizons, settings, client=client, min_origin=min_origin,
                on_done=lambda r: console.log(f"origin {r.origin} done in {r.seconds:.1f}s"),
            )  # fmt: skip
    frame = result.baselines if baselines_only else result.model
    if baselines_only:
        frame.to_csv(output, index=False)
    else:
        frame[list(bt.CONTRACT_COLUMNS)].to_csv(output, index=False)
    out = Console() if Console().is_terminal else Console(width=160)
    if origins is not None:
        result.baselines.to_csv(output.with_suffix(".baselines.csv"), index=False)
    if result.scores is not None:
        for table in score_tables(result.scores):
            out.print(table)
        if origins is not None:
            result.scores.to_csv(output.with_suffix(".scores.csv"), index=False)
            source = "climatology" if baselines_only else bt.MODEL_SOURCE
            rel = bt.reliability(bt.long_predictions(result.model, result.baselines),
                                 result.observed, source=source)  # fmt: skip
            rel.to_csv(output.with_suffix(".reliability.csv"), index=False)
            out.print(reliability_table(rel, title=f"Reliability ({source})"))
    else:
        console.log("no fold is observable (origin + horizon > the panel's end): nothing to score")
    console.log(
        f"wrote {len(frame)} rows to {output} in {result.wall_seconds:.1f}s wall "
        f"({len(result.origin_seconds)} origins)"
    )


def _member_backtest(output, origin, origins, horizons, cfg, panel_file) -> None:  # type: ignore[no-untyped-def]
    """``backtest --members``: member-exit forecasts per origin (in this process), the
    baselines beside them (<output>.baselines.csv) and their scores when observable."""
    import pandas as pd
    from rich.console import Console

    from forecast.evaluation import members as mb
    from forecast.evaluation.folds import parse_int_list
    from forecast.model.members import load_member_model_panel, member_model_panel

    if panel_file is None:
        panel = load_member_model_panel()
    elif panel_file.exists():
        read = pd.read_parquet if panel_file.suffix == ".parquet" else pd.read_csv
        panel = member_model_panel(read(panel_file))
    else:
        raise InputError(f"--panel {panel_file} does not exist; give a member-year panel file")
    years = [origin] if origin is not None else parse_int_list(origins or "", name="origins")
    console = Console(stderr=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    model, base, scores, info = mb.backtest(panel, years, horizons, cfg)
    model.to_csv(output, index=False)
    base.to_csv(output.with_suffix(".baselines.csv"), index=False)
    if scores is not None:
        scores.to_csv(output.with_suffix(".scores.csv"), index=False)
        Console(width=160).print(scores.to_string(index=False))
    else:
        console.log("no fold is observable (origin + horizon after the coded exits)")
    console.log(f"wrote {len(model)} member rows to {output}; folds {info}")


def refit(
    model: Annotated[str, typer.Option(help="Model variant to refit and promote.")] = "full",
    raw: Annotated[
        Path | None, typer.Option(help="Rebuild the panel from this raw data folder first.")
    ] = None,
    panel_file: Annotated[
        Path | None, typer.Option("--panel", help="Panel file instead of the shipped panel.")
    ] = None,
    keep: Annotated[int, typer.Option(help="Versions to keep per model (live always kept).")] = 5,
    models_dir: Annotated[
        Path | None, typer.Option(help="Store root (default: settings.models_dir).")
    ] = None,
    draws: Annotated[int | None, _DRAWS] = None,
    tune: Annotated[int | None, _TUNE] = None,
    chains: Annotated[int | None, _CHAINS] = None,
    seed: Annotated[int | None, _SEED] = None,
    sampler: Annotated[str | None, _SAMPLER] = None,
    backtest_horizon: Annotated[
        int, typer.Option(help="Horizon of the recent-origin backtest check (0: skip it).")
    ] = 5,
) -> None:
    """Refit, gate, compare with the live version, and promote only if everything passes.

    Prints one JSON summary line on stdout. Exit codes: 0 promoted; 3 rejected by a gate or
    a comparison, or another refit holds the lock (nothing changed); 2 bad input or
    configuration; 1 unexpected failure. See service/RUNBOOK.md.
    """
    import sys

    from forecast.config import get_settings
    from forecast.jobs.refit import RefitOptions, run_refit
    from forecast.model.config import PRODUCTION, with_overrides

    cfg = with_overrides(PRODUCTION, draws=draws, tune=tune, chains=chains, seed=seed,
                         sampler=sampler)  # fmt: skip
    opts = RefitOptions(
        models_dir=models_dir or get_settings().models_dir, model=model, raw=raw,
        panel_file=panel_file, keep=keep, sampler=cfg, backtest_horizon=backtest_horizon,
        ledger_url=get_settings().ledger_url,
    )  # fmt: skip

    def log(msg: str) -> None:
        print(f"refit: {msg}", file=sys.stderr, flush=True)

    summary = run_refit(opts, log)
    for reason in summary.reasons:
        log(reason)
    print(summary.to_json(), flush=True)
    raise typer.Exit(summary.exit_code)


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    app.command()(backtest)
    app.command()(refit)
