"""Wall time, gates and ESS/s of the production fit of a variant, per sampler variant.

    PYTENSOR_FLAGS=compiledir=/tmp/pytensor-bench .venv/bin/python benchmarks/fit.py \
        --model full --variants default,low_rank [--out benchmarks/results/fit.jsonl]

Each variant is the ``PRODUCTION`` sampler config (``forecast.model.config``: 4 chains x
1500 draws, 1000 tuning steps) with one change: ``default`` (diagonal mass matrix),
``low_rank`` (nutpie's low-rank modified mass-matrix adaptation). Prints (and appends to
``--out``) one JSON line per variant: total wall (build + compile + sample + diagnostics
+ LOO), sampling wall, gates (max R-hat, min bulk/tail ESS, divergences, BFMI), elpd and
the machine load. Timings on a shared machine vary: compare variants of one run, and
read ``loadavg_1m`` (other processes on the 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import time

VARIANTS = {"default": {}, "low_rank": {"low_rank": True}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="full")
    ap.add_argument("--variants", default="default,low_rank")
    ap.add_argument("--draws", type=int, default=None, help="override PRODUCTION draws")
    ap.add_argument("--tune", type=int, default=None, help="override PRODUCTION tune")
    ap.add_argument("--no-loo", action="store_true", help="skip PSIS-LOO")
    ap.add_argument("--out", default=None, help="append the JSON lines to this file")
    args = ap.parse_args()
    os.environ.setdefault("PYTENSOR_FLAGS", "compiledir=/tmp/pytensor-bench")

    from forecast.model.config import PRODUCTION
    from forecast.model.covariates import manifest_data_through
    from forecast.model.fit import fit_model
    from forecast.model.members import load_model_panel
    from forecast.model.spec import get_spec
    from forecast.panel.load import load_member_panel

    spec = get_spec(args.model)
    panel = load_member_panel() if spec.unit == "member" else load_model_panel()
    for name in args.variants.split(","):
        update = dict(VARIANTS[name])
        if args.draws:
            update["draws"] = args.draws
        if args.tune is not None:
            update["tune"] = args.tune
        cfg = PRODUCTION.model_copy(update=update)
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        fit = fit_model(spec, panel, sampler=cfg, compute_loo=not args.no_loo,
                        data_through=manifest_data_through())  # fmt: skip
        wall = time.perf_counter() - t0
        d = fit.diagnostics
        line = json.dumps({
            "model": args.model, "variant": name, "rows": fit.manifest.n_rows,
            "chains": cfg.chains, "draws": cfg.draws, "tune": cfg.tune,
            "wall_s": round(wall, 1), "sampling_wall_s": d.sampling_wall_s,
            "max_rhat": round(d.max_rhat, 4), "min_ess_bulk": round(d.min_ess_bulk),
            "min_ess_tail": round(d.min_ess_tail), "divergences": d.divergences,
            "bfmi_min": round(d.bfmi_min, 3), "passed": d.passed,
            "ess_bulk_per_s": round(d.min_ess_bulk / wall, 2),
            "elpd": round(fit.manifest.loo.elpd, 1) if fit.manifest.loo else None,
            "sds": {v.name: round(v.mean, 3) for v in fit.manifest.variance_components},
            "cpu_count": os.cpu_count(), "loadavg_1m_start": load0,
            "loadavg_1m_end": os.getloadavg()[0],
        })  # fmt: skip
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")


if __name__ == "__main__":
    main()
