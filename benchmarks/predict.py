"""Latency of the numpy forecast core over a stored posterior.

    .venv/bin/python benchmarks/predict.py [--model full] [--repeat 2000]

Reports the median/p95 time of one alliance's forecast (H=10, all stored draws) with and
without drivers, a scenario forecast, and the vectorised table of every alliance in force
x horizons 1..30; plus the cold load (registry load + Forecaster build).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def _time(fn, repeat: int) -> dict[str, float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e3)
    out.sort()
    return {"median_ms": round(statistics.median(out), 3),
            "p95_ms": round(out[int(0.95 * len(out)) - 1], 3)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="full")
    ap.add_argument("--repeat", type=int, default=2000)
    ap.add_argument("--version", default=None, help="stored version (default: live)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from forecast.config import get_settings
    from forecast.panel.load import load_panel
    from forecast.predict import Forecaster
    from forecast.predict import scenarios as S
    from forecast.store import Registry

    settings = get_settings()
    art = Registry(settings.models_dir).load(args.model, args.version)
    fc = Forecaster(art, load_panel(settings.data_dir))
    cold = time.perf_counter() - t0
    a = int(fc.atopids[0])
    threat = S.threat_up(fc.covariates)
    res = {
        "model": args.model, "version": art.version, "draws": fc.n_draws,
        "in_force": len(fc.atopids), "cold_load_s": round(cold, 2),
        "one_h10_no_drivers": _time(lambda: fc.forecast(a, 10, with_drivers=False), args.repeat),
        "one_h10_with_drivers": _time(lambda: fc.forecast(a, 10), args.repeat),
        "one_h10_scenario": _time(lambda: fc.forecast(a, 10, threat), args.repeat // 4),
        "table_all_h30": _time(lambda: fc.table(30), 5),
    }  # fmt: skip
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
