"""Honest rolling-origin backtest: the model against the strongest baseline, with intervals.

    .venv/bin/python benchmarks/backtest.py [--origins 1950:2015:5] [--horizons 5,10] \
        [--workers 2] [--baselines-only] [--out benchmarks/results]

Every origin is fitted with the ``BACKTEST`` sampler settings (``forecast.model.config``)
on what was known at its end (the spec's covariate rule applied at that origin), on a
local Dask cluster of ``--workers`` processes. Writes ``backtest.*`` files to ``--out``:
contract rows (``.model.csv``), baseline rows, outcomes, per-fold diagnostics
(R-hat, ESS, divergences, gate verdict, left-out covariates), and the tables of
``forecast.evaluation.skill.report``: pooled scores, model-minus-baseline differences
with block-bootstrap 90 % intervals over origins (all origins and pre-2000 ones),
within-origin AUC, cause-specific Brier scores and count-interval coverage. The summary
says plainly whether the model beats the strongest baseline on both scores with an
interval that excludes zero. CPU-heavy: run it in the background with a log.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results"


def verdict(diff) -> dict:
    """Per horizon: the strongest baseline and whether the model beats it clearly."""
    from forecast.evaluation.skill import strongest_baseline

    out = {}
    for _, r in strongest_baseline(diff).iterrows():
        beats = bool(r["brier_diff_hi"] < 0 and r["log_loss_diff_hi"] < 0)
        out[int(r["horizon"])] = {
            "strongest_baseline": r["baseline"],
            "brier_model": r["brier_model"], "brier_baseline": r["brier_baseline"],
            "brier_diff_90": [r["brier_diff_lo"], r["brier_diff_hi"]],
            "log_loss_model": r["log_loss_model"], "log_loss_baseline": r["log_loss_baseline"],
            "log_loss_diff_90": [r["log_loss_diff_lo"], r["log_loss_diff_hi"]],
            "beats_strongest_baseline": beats,
        }  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--origins", default="1950:2015:5")
    ap.add_argument("--horizons", default="5,10")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default="full")
    ap.add_argument("--baselines-only", action="store_true")
    ap.add_argument("--draws", type=int, default=None, help="override BACKTEST draws")
    ap.add_argument("--tune", type=int, default=None, help="override BACKTEST tune")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    from forecast.evaluation import backtest as bt
    from forecast.evaluation.fanout import dask_client
    from forecast.evaluation.folds import parse_int_list
    from forecast.evaluation.skill import report
    from forecast.model.config import BACKTEST, with_overrides
    from forecast.model.members import load_model_panel

    sampler = with_overrides(BACKTEST, draws=args.draws, tune=args.tune)
    panel = load_model_panel()
    origins = parse_int_list(args.origins, name="origins")
    horizons = parse_int_list(args.horizons, name="horizons")
    settings = bt.FitSettings(spec=None if args.baselines_only else args.model, sampler=sampler)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / ("backtest_baselines" if args.baselines_only else "backtest")
    started = time.perf_counter()
    if args.baselines_only:
        res = bt.rolling(panel, origins, horizons, settings)
    else:
        with dask_client(workers=args.workers) as client:
            res = bt.rolling(
                panel, origins, horizons, settings, client=client,
                on_done=lambda r: print(f"origin {r.origin}: {r.seconds:.0f}s {r.fit_info}",
                                        flush=True),
            )  # fmt: skip
    wall = time.perf_counter() - started
    res.baselines.to_csv(stem.with_suffix(".baselines.csv"), index=False)
    res.observed.to_csv(stem.with_suffix(".observed.csv"), index=False)
    if not res.model.empty:
        res.model.to_csv(stem.with_suffix(".model.csv"), index=False)
    if res.scores is not None:
        res.scores.to_csv(stem.with_suffix(".scores.csv"), index=False)
    tables = report(res.model, res.baselines, res.observed, panel)
    for name, table in tables.items():
        table.to_csv(stem.with_suffix(f".{name}.csv"), index=False)
    summary = {
        "origins": origins, "horizons": horizons, "workers": args.workers,
        "sampler": None if args.baselines_only else sampler.model_dump(),
        "wall_seconds": round(wall, 1),
        "folds": {str(k): v for k, v in res.fit_info.items()},
        "all_folds_pass_gates": (
            None if args.baselines_only else all(v.get("passed") for v in res.fit_info.values())
        ),
        "verdict": verdict(tables["differences"]) if "differences" in tables else None,
        "verdict_pre2000": (
            verdict(tables["differences_pre"]) if "differences_pre" in tables else None
        ),
    }  # fmt: skip
    stem.with_suffix(".summary.json").write_text(json.dumps(summary, indent=2, default=str))
    print(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
