"""Rolling-origin backtest figures: skill of the model vs baselines, wall time vs workers.

Runs origins 1950-2010 every 5 years at H=5 and H=10 (only observable folds are scored:
origin + H <= 2016) on a local Dask cluster with the largest worker count, then times
each worker count on ``--timing-origins`` (a subset, to keep the run affordable); writes to
``benchmarks/out/backtest/``: per-alliance predictions, score tables, reliability bins
and ``summary.json`` (wall times and the goals: Brier skill >= 0.25 vs climatology,
log loss <= 0.95 x logistic, calibration slope 0.9-1.1, on pooled post-1945 folds).

    .venv/bin/python benchmarks/backtest.py --draws 200 --tune 200 --workers 1,2 \
        --timing-origins 1995,2000,2005,2010

Long on 2 cores: run it in the background with output to a file.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console

from forecast.evaluation import backtest as bt
from forecast.evaluation.fanout import dask_client
from forecast.evaluation.folds import parse_int_list
from forecast.evaluation.report import score_tables

OUT = Path(__file__).resolve().parent / "out" / "backtest"


def goals(scores) -> dict:
    """The issue's goals for the model on the pooled folds, per horizon."""
    out = {}
    for h, grp in scores.groupby("horizon"):
        by = grp.set_index("source")
        if bt.MODEL_SOURCE not in by.index:
            continue
        m = by.loc[bt.MODEL_SOURCE]
        slope = m["cal_slope"]
        out[int(h)] = {
            "brier_skill": m["brier_skill"],
            "brier_skill_ok": bool(m["brier_skill"] is not None and m["brier_skill"] >= 0.25),
            "log_loss_vs_logistic": m["log_loss_vs_logistic"],
            "log_loss_ok": bool(m["log_loss_vs_logistic"] <= 0.95),
            "cal_slope": slope,
            "cal_slope_ok": bool(slope is not None and 0.9 <= slope <= 1.1),
        }
    return out


def _write_skill(args, summary, res, n, origins, wall, console) -> None:
    """Write predictions, scores, reliability and the summary of the skill run."""
    stem = args.out / "rolling"
    res.model.to_csv(stem.with_suffix(".csv"), index=False)
    res.baselines.to_csv(stem.with_suffix(".baselines.csv"), index=False)
    res.scores.to_csv(stem.with_suffix(".scores.csv"), index=False)
    bt.reliability(bt.long_predictions(res.model, res.baselines), res.observed).to_csv(
        stem.with_suffix(".reliability.csv"), index=False
    )
    summary["runs"][n] = {
        "origins": origins,
        "wall_seconds": round(wall, 1),
        "origin_seconds": {k: round(v, 1) for k, v in res.origin_seconds.items()},
        "goals": goals(res.scores),
        "fit_info": res.fit_info,
    }
    console.print(f"[bold]all {len(origins)} origins on {n} worker(s): {wall:.0f}s wall[/bold]")
    for table in score_tables(res.scores, title=f"Rolling backtest ({n} workers)"):
        console.print(table)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--origins", default="1950:2010:5")
    ap.add_argument("--horizons", default="5,10")
    ap.add_argument("--workers", default="1,2", help="worker counts to time, e.g. 1,2")
    ap.add_argument(
        "--timing-origins", default="", help="origins for the 1-vs-N worker timing (default: none)"
    )
    ap.add_argument("--model", default="full")
    ap.add_argument("--draws", type=int, default=300)
    ap.add_argument("--tune", type=int, default=300)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20161231)
    ap.add_argument("--min-origin", type=int, default=1946)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--timing-only", action="store_true", help="skip the skill table")
    args = ap.parse_args()

    from forecast.panel.load import load_panel

    panel = load_panel()
    origins = parse_int_list(args.origins, name="origins")
    horizons = parse_int_list(args.horizons, name="horizons")
    settings = bt.FitSettings(
        spec=args.model, draws=args.draws, tune=args.tune, chains=args.chains, seed=args.seed
    )
    args.out.mkdir(parents=True, exist_ok=True)
    console = Console(width=160)
    summary: dict = {"settings": vars(args) | {"out": str(args.out)}, "runs": {}, "timing": {}}
    workers = parse_int_list(args.workers, name="workers")

    partial = args.out / "partial"
    partial.mkdir(exist_ok=True)

    def done(r: bt.OriginResult, n: int) -> None:
        console.log(f"[{n}w] origin {r.origin}: {r.seconds:.0f}s")
        r.model.to_csv(partial / f"model-{r.origin}.csv", index=False)  # survives a kill
        r.baselines.to_csv(partial / f"baselines-{r.origin}.csv", index=False)

    def run(n: int, years: list[int]) -> tuple[bt.RollingResult, float]:
        started = time.perf_counter()
        with dask_client(workers=n) as client:
            res = bt.rolling(
                panel, years, horizons, settings, client=client, min_origin=args.min_origin,
                on_done=lambda r: done(r, n),
            )  # fmt: skip
        return res, time.perf_counter() - started

    # 1. the skill table: every origin, on the largest worker count
    n = max(workers)
    if not args.timing_only:
        res, wall = run(n, origins)
        _write_skill(args, summary, res, n, origins, wall, console)

    # 2. wall time per worker count on the same (smaller) set of origins
    timing = (
        parse_int_list(args.timing_origins, name="timing-origins") if args.timing_origins else []
    )
    target = args.out / ("timing.json" if args.timing_only else "summary.json")
    for n in workers if timing else []:
        _, wall = run(n, timing)
        summary["timing"][n] = {"origins": timing, "wall_seconds": round(wall, 1)}
        console.print(f"[bold]timing: {len(timing)} origins on {n} worker(s): {wall:.0f}s[/bold]")
        target.write_text(json.dumps(summary, indent=2, default=str))
    console.print_json(json.dumps(summary["timing"]))


if __name__ == "__main__":
    main()
