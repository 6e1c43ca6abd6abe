"""Honest rolling-origin backtest: the model against the strongest baseline, with intervals.

    .venv/bin/python benchmarks/backtest.py [--origins 1950:2015:5] [--horizons 5,10] \
        [--workers 2] [--baselines-only] [--out benchmarks/results] \
        [--report-origins 1950:2015:5] [--track-record data/track-record]

Every origin is fitted with the ``BACKTEST`` sampler settings (``forecast.model.config``)
on what was known at its end (the spec's covariate rule applied at that origin), on a
local Dask cluster of ``--workers`` processes. Writes ``backtest.*`` files to ``--out``:
contract rows (``.model.csv``), baseline rows, outcomes, per-fold diagnostics
(R-hat, ESS, divergences, gate verdict, left-out covariates), and the tables of
``forecast.evaluation.skill.report``: pooled scores, model-minus-baseline differences
with block-bootstrap 90 % intervals over origins (all origins and pre-2000 ones),
within-origin AUC, cause-specific Brier scores and count-interval coverage. The summary
says plainly whether the model beats the strongest baseline on both scores with an
interval that excludes zero. ``--report-origins`` limits the scored tables to some of the
origins (e.g. 1950-2015 while origin 2018 is run only for the track record);
``--track-record DIR`` also writes each origin's contract rows to
``DIR/backtest/origin-T.csv`` with ``DIR/manifest.json``: the committed back-fill the
service's forecast ledger records at its first start. CPU-heavy: run it in the background
with a log.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
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


def write_track_record(res, sampler, model: str, seed_dir: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    """Each origin's contract rows as ``seed_dir/backtest/origin-T.csv`` plus the manifest."""
    from forecast.evaluation.backtest import CONTRACT_COLUMNS
    from forecast.panel.load import data_manifest_sha256

    out = seed_dir / "backtest"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("origin-*.csv"):
        old.unlink()
    for origin, rows in res.model.groupby("origin"):
        rows[list(CONTRACT_COLUMNS)].to_csv(out / f"origin-{int(origin)}.csv", index=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    manifest = {
        "model": model,
        "version": f"rolling-{sampler.chains}x{sampler.draws}-seed{sampler.seed}",
        "kind": "backtest",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_sha256": data_manifest_sha256(),
        "code_commit": commit or None,
        "origins": sorted(int(o) for o in res.model["origin"].unique()),
        "horizons": sorted(int(h) for h in res.model["horizon"].unique()),
        "fit": sampler.model_dump(),
        "folds": {str(k): v for k, v in res.fit_info.items()},
        "command": command,
        "note": (
            "Each fold is the model fitted only on the panel as known at the end of its "
            "origin year (forecast.evaluation.folds.known_at), with the BACKTEST sampler "
            "settings and the production gates; folds reports each fold's R-hat, ESS, "
            "divergences and verdict."
        ),
    }
    (seed_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def resumable(folds_dir: Path, args, sampler) -> dict:  # type: ignore[no-untyped-def]
    """Origins an earlier run of the same settings saved (``--resume``), else none; each
    finished origin is saved to ``folds_dir`` as it completes."""
    from forecast.evaluation.backtest import load_origins
    from forecast.model.spec import get_spec

    key = {"model": args.model, "spec_hash": get_spec(args.model).spec_hash,
           "horizons": args.horizons, "sampler": sampler.model_dump()}  # fmt: skip
    stamp = folds_dir / "settings.json"
    if args.resume and stamp.is_file():
        if json.loads(stamp.read_text()) != key:
            raise SystemExit(f"{folds_dir} holds folds of another setup: remove it")
        done = load_origins(folds_dir)
        print(f"resuming: origins {sorted(done)} already done", flush=True)
        return done
    if folds_dir.exists():
        for old in folds_dir.iterdir():
            old.unlink()
    folds_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(key, indent=1))
    return {}


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
    ap.add_argument("--report-origins", default=None, help="score only these origins")
    ap.add_argument("--track-record", type=Path, default=None, metavar="DIR")
    ap.add_argument(
        "--resume",
        action="store_true",
        help="keep the origins an interrupted run already saved in OUT/backtest.folds",
    )
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
        folds_dir = args.out / "backtest.folds"
        done = resumable(folds_dir, args, sampler)

        def on_done(r) -> None:  # type: ignore[no-untyped-def]
            bt.save_origin(r, folds_dir)
            print(f"origin {r.origin}: {r.seconds:.0f}s {r.fit_info}", flush=True)

        with dask_client(workers=args.workers) as client:
            res = bt.rolling(
                panel, origins, horizons, settings, client=client, on_done=on_done, done=done
            )
    wall = time.perf_counter() - started
    if args.track_record is not None and not res.model.empty:
        write_track_record(res, sampler, args.model, args.track_record, " ".join(sys.argv))
    if args.report_origins:
        keep = parse_int_list(args.report_origins, name="report-origins")
        res = dataclasses.replace(
            res,
            model=res.model[res.model["origin"].isin(keep)],
            baselines=res.baselines[res.baselines["origin"].isin(keep)],
            observed=res.observed[res.observed["origin"].isin(keep)],
            scores=None,
        )
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
        "origins": origins, "report_origins": args.report_origins, "horizons": horizons,
        "workers": args.workers,
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
