"""Page rendering benchmark: server-side time of the HTML pages next to the JSON fast lane.

Builds the app in-process on the shipped data and model (ledger in a temporary SQLite
file, seeded from the committed back-fill), waits for the precomputed baselines, then
times each path ``--n`` times through the ASGI interface (no network, so the figure is the
server's own work plus a thin client). The forecast JSON of ``/v1/alliances/{id}/forecast``
is answered by the fast lane from precomputed bytes: its time is the reference the ratios
are taken against. Writes ``benchmarks/results/pages.json``.

    .venv/bin/python benchmarks/pages.py --n 50
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

PATHS = {
    "json_forecast_fast_lane": "/v1/alliances/3180/forecast",
    "alliance_page": "/alliances/3180",
    "alliance_page_other": "/alliances/3375?horizon=10",
    "alliance_page_with_scenario": "/alliances/3180?horizon=10&preset=regime_change&member=640",
    "index_page": "/",
    "index_search": "/?q=france&sort=name&order=asc",
    "track_record_page": "/track-record",
    "track_record_json": "/v1/track-record",
}
OUT = Path(__file__).resolve().parent / "results" / "pages.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=50, help="timed requests per path")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from forecast.api import create_app
    from forecast.config import Settings

    tmp = Path(tempfile.mkdtemp(prefix="af-pages-"))
    settings = Settings(reload_poll_s=0, log_level="warning",
                        ledger_url=f"sqlite:///{tmp / 'ledger.sqlite'}")  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    t0 = time.perf_counter()
    with TestClient(create_app(settings)) as client:
        start_s = time.perf_counter() - t0
        assert client.app.state.svc.holder.wait_warm(), "baselines not precomputed"
        first_views = []  # an alliance page at a horizon not asked before: member exits
        for h in (2, 3, 4, 6, 7, 8, 9):  # are computed (then remembered) on the first view
            t = time.perf_counter()
            assert client.get(f"/alliances/3180?horizon={h}").status_code == 200
            first_views.append(1000 * (time.perf_counter() - t))
        for path in PATHS.values():
            for _ in range(3):  # warm caches (index rows, track record, templates)
                assert client.get(path).status_code == 200, path
        for _ in range(args.n):  # interleaved, so every path sees the same machine state
            for name, path in PATHS.items():
                t = time.perf_counter()
                client.get(path)
                results.setdefault(name, {}).setdefault("_t", []).append(  # type: ignore[union-attr]
                    1000 * (time.perf_counter() - t)
                )
    ref = statistics.median(results["json_forecast_fast_lane"]["_t"])  # type: ignore[arg-type]
    table = {}
    for name, r in results.items():
        ts = sorted(r["_t"])  # type: ignore[arg-type]
        med = statistics.median(ts)
        table[name] = {
            "path": PATHS[name],
            "median_ms": round(med, 2),
            "p90_ms": round(ts[int(0.9 * (len(ts) - 1))], 2),
            "x_fast_lane": round(med / ref, 1),
        }
    summary = {
        "n": args.n,
        "startup_with_ledger_seed_s": round(start_s, 2),
        "paths": table,
        "alliance_page_first_view_at_a_horizon_ms": {
            "path": "/alliances/3180?horizon=H, H = 2..9 each once",
            "median_ms": round(statistics.median(first_views), 2),
            "max_ms": round(max(first_views), 2),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=2) + "\n")
    w = max(map(len, table))
    print(f"{'path':<{w}}  median ms  p90 ms  x fast lane")
    for name, r in table.items():
        print(f"{name:<{w}}  {r['median_ms']:9.2f}  {r['p90_ms']:6.2f}  {r['x_fast_lane']:11.1f}")
    fv = summary["alliance_page_first_view_at_a_horizon_ms"]
    print(f"alliance page, first view at a horizon (member exits computed): "
          f"median {fv['median_ms']:.1f} ms, max {fv['max_ms']:.1f} ms")  # fmt: skip
    print(f"start-up incl. ledger seeding: {start_s:.1f} s; written to {OUT}")


if __name__ == "__main__":
    main()
