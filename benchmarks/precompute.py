"""What precomputing the baseline bodies costs at start, step by step, on the shipped model.

    nice -n 19 .venv/bin/python benchmarks/precompute.py [--repeat 5] [--json out.json]

A worker precomputes every baseline forecast (alliances in force x horizons 1..30) once
per served version: the vectorised forecast table, each alliance's drivers block, then
the JSON bodies. Each step runs ``--repeat`` times in this one process and the minimum
CPU time of this process is reported (the steps are single-threaded; CPU time, unlike
wall time, does not count what other processes of a shared machine take). Compare
commits by the ``serialise`` and ``total`` rows (their ratio), not by absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """(minimum CPU seconds of this process over ``repeat`` calls, last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    from forecast.api import render
    from forecast.api.forecasts import baseline_drivers, precompute_baselines
    from forecast.api.schemas import MAX_HORIZON
    from forecast.config import get_settings
    from forecast.serving import core
    from forecast.serving.catalog import build_catalog
    from forecast.serving.datacheck import verify_data
    from forecast.serving.holder import load_served_model, utc_now

    settings = get_settings()
    data = verify_data(settings.data_dir)
    registry = core.open_registry(settings.models_dir)
    panel = core.load_panel(settings.data_dir)
    catalog = build_catalog(*core.load_catalog_frames(settings.data_dir))
    served = load_served_model(registry, settings.model, None, panel, utc_now, data)
    fc = served.forecaster
    in_force = {a for a, s in catalog.summaries.items() if s["in_force"]}
    labels = {a: catalog.summaries[a]["label"] for a in in_force}
    prov = dict(served.provenance)

    t_table, table = best_of(args.repeat, lambda: core.baseline_table(fc, MAX_HORIZON))
    t_drivers, drivers = best_of(args.repeat, lambda: baseline_drivers(fc, table, in_force))
    t_ser, bodies = best_of(
        args.repeat, lambda: render.baseline_bodies(table, labels, drivers, prov)
    )
    t_total, _ = best_of(args.repeat, lambda: precompute_baselines(served, catalog))
    figures = {
        "model": f"{served.name}/{served.version}",
        "bodies": len(bodies),
        "json_mb": round(sum(map(len, bodies.values())) / 2**20, 2),
        "repeat": args.repeat,
        "table_s": round(t_table, 3),
        "drivers_s": round(t_drivers, 3),
        "serialise_s": round(t_ser, 3),
        "total_s": round(t_total, 3),
    }
    for k, v in figures.items():
        print(f"{k:12s} {v}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
