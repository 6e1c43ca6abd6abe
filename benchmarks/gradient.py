"""CPU time of one log-density gradient of a variant, as nutpie's numba backend runs it.

    .venv/bin/python benchmarks/gradient.py [--model full] [--calls 300]

Compiles ``model.compile_dlogp(mode="NUMBA")`` for the variant on the shipped panel and
times it at the initial point with BLAS at its default thread count and at one thread
(what ``forecast.model.fit.sample`` sets), alternating, in one run. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="full")
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()
    os.environ.setdefault("PYTENSOR_FLAGS", "compiledir=/tmp/pytensor-bench")

    from threadpoolctl import threadpool_limits

    from forecast.model.build import build_model
    from forecast.model.design import build_design, prepare
    from forecast.model.members import load_model_panel
    from forecast.model.spec import get_spec

    spec = get_spec(args.model)
    panel = load_model_panel()
    train, scaling = prepare(panel, spec, int(panel["year"].max()))
    design = build_design(train, spec, scaling)
    model = build_model(spec, design)
    t0 = time.perf_counter()
    dlogp = model.compile_dlogp(mode="NUMBA")
    compile_s = time.perf_counter() - t0
    point = model.initial_point()
    dlogp(point)
    cpu_ms: dict[str, list[float]] = {"blas_default_threads": [], "blas_one_thread": []}
    for _ in range(2):
        for label, limit in (("blas_default_threads", None), ("blas_one_thread", 1)):
            with threadpool_limits(limits=limit, user_api="blas"):
                c0 = time.process_time()
                for _ in range(args.calls):
                    dlogp(point)
                cpu_ms[label].append((time.process_time() - c0) / args.calls * 1e3)
    print(json.dumps({
        "model": args.model, "rows": design.n, "compile_s": round(compile_s, 1),
        "dlogp_cpu_ms": {k: [round(v, 2) for v in vs] for k, vs in cpu_ms.items()},
        "cpu_count": os.cpu_count(), "loadavg_1m": os.getloadavg()[0],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
