"""Fit and ship the theory variants, then compare them (issue 10).

    nice -n 19 .venv/bin/python benchmarks/theories.py \
        [--variants realist,institutionalist,domestic,full,member_exit] \
        [--origins 1985,2000] [--horizons 5,10] [--reuse] [--quick] [--no-backtest] \
        [--models-dir models] [--out benchmarks/results]

1. Fits every variant on the shipped panel with the ``PRODUCTION`` sampler settings
   (``--quick``: ``QUICK``, for a proof run only, never for shipping), checks its gates
   and stores it in the model store; a fit that passes is promoted (live). ``--reuse``
   skips the fit of a variant whose live version matches the current spec.
2. Compares the alliance-level variants by PSIS-LOO (elpd, se, Pareto k) with ArviZ
   stacking weights (``forecast.model.theories.loo_comparison``).
3. Scores every alliance-level variant on the SAME rolling-origin folds
   (``forecast.evaluation.backtest.rolling`` with the ``BACKTEST`` sampler): by default
   the two origins 1985 and 2000 at horizons 5 and 10 (a documented, smaller set than the
   full 1950-2015 rolling backtest, which would take hours per variant on 2 cores).
   Brier, Brier skill (against climatology) and log loss per horizon.
4. Writes ``models/theories.json`` (served by ``GET /v1/theories``, with a verdict
   generated from the numbers) and ``benchmarks/results/theories.json`` plus
   ``theories.scores.csv`` (fit times, gates, elpd, backtest scores, weights).

Cost on 2 cores (measured 2026-12-02): each production fit about 5-7 min (member_exit
longer: 23k member-years), each backtest fold fit 2-4 min; the default run is about
1.5 h. Run it when the CPU is free, in the background with a log.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results"
ALLIANCE_VARIANTS = ("realist", "institutionalist", "domestic", "full")


def fit_variant(name: str, registry, sampler, data_dir) -> dict:  # type: ignore[no-untyped-def]
    """Fit ``name`` on the shipped panel, store it, promote it when it passes."""
    from forecast.model.covariates import manifest_data_through
    from forecast.model.fit import fit_model
    from forecast.model.members import load_unit_panel
    from forecast.model.spec import get_spec
    from forecast.panel.load import data_manifest_sha256

    spec = get_spec(name)
    panel = load_unit_panel(spec.unit, data_dir)
    t0 = time.perf_counter()
    result = fit_model(
        spec,
        panel,
        sampler=sampler,
        data_manifest_sha256=data_manifest_sha256(data_dir),
        data_through=manifest_data_through(data_dir),
    )
    version = registry.save(result, promote=result.passed)
    d = result.manifest.diagnostics
    return {
        "model": name,
        "version": version,
        "live": result.passed,
        "fit_wall_s": round(time.perf_counter() - t0, 1),
        "sampling_wall_s": d.sampling_wall_s,
        "passed": d.passed,
        "failed_gates": list(d.failed_gates),
        "max_rhat": d.max_rhat,
        "min_ess_bulk": d.min_ess_bulk,
        "min_ess_tail": d.min_ess_tail,
        "divergences": d.divergences,
        "n_rows": result.manifest.n_rows,
        "n_events": result.manifest.n_events,
        "left_out": {c.name: c.reason for c in result.manifest.covariates if not c.used},
        "elpd_loo": result.manifest.loo.elpd if result.manifest.loo else None,
    }


def live_matching(name: str, registry) -> str | None:  # type: ignore[no-untyped-def]
    """The live version of ``name`` when it was fitted with the current spec."""
    from forecast.model.spec import get_spec

    live = registry.live_version(name)
    if live and registry.manifest(name, live).get("spec_hash") == get_spec(name).spec_hash:
        return live
    return None


def backtest_scores(name: str, panel, origins, horizons, sampler) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """({horizon: {brier, brier_skill, log_loss, n, events}}, per-fold fit info)."""
    from forecast.evaluation.backtest import MODEL_SOURCE, FitSettings, rolling

    res = rolling(panel, origins, horizons, FitSettings(spec=name, sampler=sampler))
    out = {}
    for _, r in res.scores.loc[res.scores["source"] == MODEL_SOURCE].iterrows():
        out[str(int(r["horizon"]))] = {
            k: (None if r[k] is None else float(r[k]))
            for k in ("brier", "brier_skill", "log_loss", "n", "events")
        }
    baselines = res.scores.loc[res.scores["source"] != MODEL_SOURCE]
    return out, {"folds": {str(k): v for k, v in res.fit_info.items()},
                 "baselines": baselines.to_dict("records")}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=",".join((*ALLIANCE_VARIANTS, "member_exit")))
    ap.add_argument("--origins", default="1985,2000")
    ap.add_argument("--horizons", default="5,10")
    ap.add_argument("--reuse", action="store_true", help="keep live fits of the current spec")
    ap.add_argument("--quick", action="store_true", help="QUICK sampler (proof run only)")
    ap.add_argument("--no-backtest", action="store_true")
    ap.add_argument("--models-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    from forecast.config import get_settings
    from forecast.evaluation.folds import parse_int_list
    from forecast.model.config import BACKTEST, PRODUCTION, QUICK
    from forecast.model.members import load_model_panel
    from forecast.model.theories import loo_comparison, verdict, write_comparison
    from forecast.panel.load import data_manifest_sha256
    from forecast.store import Registry

    settings = get_settings()
    models_dir = args.models_dir or settings.models_dir
    registry = Registry(models_dir)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    origins = parse_int_list(args.origins, name="--origins")
    horizons = parse_int_list(args.horizons, name="--horizons")
    sampler = QUICK if args.quick else PRODUCTION
    fold_sampler = QUICK if args.quick else BACKTEST

    fits = {}
    for name in variants:
        version = live_matching(name, registry) if args.reuse else None
        if version:
            print(f"{name}: reusing live {version}", flush=True)
            fits[name] = {"model": name, "version": version, "live": True, "reused": True}
            continue
        print(f"{name}: fitting ({sampler.chains} chains x {sampler.draws})", flush=True)
        fits[name] = fit_variant(name, registry, sampler, settings.data_dir)
        print(json.dumps(fits[name], default=str), flush=True)

    picks = {
        n: registry.live_version(n)
        for n in ALLIANCE_VARIANTS
        if n in variants and registry.live_version(n)
    }
    comparison = loo_comparison(registry, picks) if len(picks) >= 2 else []
    backtest_info = {}
    if comparison and not args.no_backtest:
        panel = load_model_panel(settings.data_dir)
        for row in comparison:
            t0 = time.perf_counter()
            row["backtest"], backtest_info[row["model"]] = backtest_scores(
                row["model"], panel, origins, horizons, fold_sampler
            )
            backtest_info[row["model"]]["wall_s"] = round(time.perf_counter() - t0, 1)
            print(f"{row['model']}: backtest {row['backtest']}", flush=True)
    else:
        for row in comparison:
            row["backtest"] = {}
    folds = {
        "origins": origins,
        "horizons": horizons,
        "sampler": fold_sampler.model_dump(),
        "note": "common folds for every variant; a smaller set than the full rolling "
        "backtest (1950-2015 every 5 years), chosen for cost on 2 cores",
    }
    payload = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_manifest_sha256": data_manifest_sha256(settings.data_dir),
        "sampler": sampler.model_dump(),
        "backtest_folds": folds,
        "comparison": comparison,
        "verdict": verdict(comparison, horizon=max(horizons)),
        "fits": fits,
    }
    if comparison:
        path = write_comparison(models_dir, payload)
        print(f"wrote {path}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "theories.json").write_text(
        json.dumps({**payload, "backtest_info": backtest_info}, indent=1, default=str)
    )
    rows = [
        f"{c['model']},{h},{s['brier']},{s['brier_skill']},{s['log_loss']},"
        f"{c['elpd_loo']},{c['se']},{c['stacking_weight']}"
        for c in comparison
        for h, s in sorted(c["backtest"].items())
    ]
    (args.out / "theories.scores.csv").write_text(
        "model,horizon,brier,brier_skill,log_loss,elpd_loo,se,stacking_weight\n"
        + "".join(r + "\n" for r in rows)
    )
    print(payload["verdict"])


if __name__ == "__main__":
    main()
