"""Wall time and ESS/s of fitting a variant on the shipped panel, per sampler.

    PYTENSOR_FLAGS=compiledir=/tmp/pytensor-bench .venv/bin/python benchmarks/fit.py \
        --model full --samplers nutpie,pymc --draws 1000 --tune 1000 --chains 2

Prints one JSON line per sampler: total wall (build + compile + sample + diagnostics +
LOO), sampling wall, min bulk/tail ESS, ESS/s (min bulk ESS per second of total wall),
and the gate result. Machine timings vary up to 3x run to run: compare ratios in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="full")
    ap.add_argument("--samplers", default="nutpie,pymc")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--no-loo", action="store_true", help="skip PSIS-LOO")
    args = ap.parse_args()
    os.environ.setdefault("PYTENSOR_FLAGS", "compiledir=/tmp/pytensor-bench")

    from forecast.model.fit import fit_model
    from forecast.model.spec import get_spec
    from forecast.panel.load import load_member_panel, load_panel

    spec = get_spec(args.model)
    panel = load_member_panel() if spec.unit == "member" else load_panel()
    for sampler in args.samplers.split(","):
        t0 = time.perf_counter()
        fit = fit_model(
            spec, panel, draws=args.draws, tune=args.tune, chains=args.chains, seed=args.seed,
            sampler=sampler, progress=False, compute_loo=not args.no_loo,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        d = fit.diagnostics
        print(json.dumps({
            "model": args.model, "sampler": sampler, "rows": len(panel),
            "chains": args.chains, "draws": args.draws, "tune": args.tune,
            "wall_s": round(wall, 1), "sampling_wall_s": d["sampling_wall_s"],
            "min_ess_bulk": round(d["min_ess_bulk"]), "min_ess_tail": round(d["min_ess_tail"]),
            "ess_bulk_per_s": round(d["min_ess_bulk"] / wall, 2),
            "max_rhat": round(d["max_rhat"], 4), "divergences": d["divergences"],
            "bfmi_min": round(d["bfmi_min"], 3), "passed": d["passed"],
            "cpu_count": os.cpu_count(), "loadavg_1m": os.getloadavg()[0],
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
