"""Where a worker's resident memory goes: RSS after each import and startup step, in one
process, in the order the service's lifespan runs them (``forecast.serving.service.load_state``).

    .venv/bin/python benchmarks/serve_memory_steps.py            # the serving steps
    .venv/bin/python benchmarks/serve_memory_steps.py --ledger   # + the ledger's first read

Runs the process set-up of a real worker first (``configure_process``: allocator settings,
no hypothesis); ``--raw`` skips it, to see what it saves. Figures are RSS (MB, VmRSS of
this process, shared libraries included); compare steps within one run.
"""

from __future__ import annotations

import argparse
import sys
import time


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class Steps:
    def __init__(self) -> None:
        self.last = rss_mb()
        self.rows: list[tuple[str, float, float]] = []
        self.mark("python started")

    def mark(self, label: str) -> None:
        now = rss_mb()
        self.rows.append((label, now, now - self.last))
        print(f"{label:52s} {now:7.1f} MB  {now - self.last:+7.1f}  ({len(sys.modules)} modules)")
        self.last = now


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ledger", action="store_true", help="also open and read the ledger")
    ap.add_argument("--raw", action="store_true", help="skip configure_process()")
    args = ap.parse_args()
    s = Steps()
    from forecast.serving.memory import configure_process, release_heap

    if not args.raw:
        configure_process()
        s.mark("configure_process (allocator, no hypothesis)")
    import forecast.api.app  # noqa: F401

    s.mark("import forecast.api.app (FastAPI, pandas, numpy)")
    from forecast.api.forecasts import precompute_baselines
    from forecast.config import get_settings
    from forecast.serving import core
    from forecast.serving.catalog import build_catalog
    from forecast.serving.datacheck import verify_data
    from forecast.serving.holder import load_served_model, utc_now

    settings = get_settings()
    data = verify_data(settings.data_dir)
    registry = core.open_registry(settings.models_dir)
    s.mark("data manifest checked, store opened")
    panel = core.load_panel(settings.data_dir)
    s.mark("panel loaded (pyarrow.parquet, pandera)")
    catalog = build_catalog(*core.load_catalog_frames(settings.data_dir))
    core.democracies(settings.data_dir)
    s.mark("catalog and democracies built")
    served = load_served_model(registry, settings.model, None, panel, utc_now, data)
    s.mark("posterior loaded, forecaster built (xarray, zarr)")
    release_heap()
    s.mark("release_heap")
    t0 = time.perf_counter()
    bodies = precompute_baselines(served, catalog)
    size = sum(map(len, bodies.values())) / 2**20
    s.mark(f"baselines precomputed ({len(bodies)} bodies, {size:.1f} MB of JSON)")
    release_heap()
    s.mark(f"release_heap (precompute took {time.perf_counter() - t0:.1f} s)")
    if args.ledger:
        from forecast.serving.ledger import LedgerService

        ledger = LedgerService(settings.ledger_url, {})
        ledger.track_record()
        s.mark("ledger opened, track record computed (SQLAlchemy)")
    heavy = ("hypothesis", "sqlalchemy", "alembic", "xarray", "zarr", "pandera", "scipy")
    print("loaded:", ", ".join(m for m in heavy if sys.modules.get(m) is not None))


if __name__ == "__main__":
    main()
