"""Serving benchmark: the real ``alliance-forecast serve`` on 127.0.0.1, measured in one run.

Measures, for one worker: requests/s and p50/p99 of the forecast endpoint and of a trivial
endpoint (``/health``) at 32 concurrent keep-alive connections (interleaved rounds, so both
see the same machine state); single-connection forecast p99; cold start (process start to
``/ready`` = 200); resident memory. Memory across forced model swaps: idle RSS (started,
baselines precomputed, ledger prepared), RSS once every route and page has been asked, and
the peak while swapping (budget: idle <= 300 MB, peak <= 1.5x idle). GET latency while
scenario batches flood ``POST /v1/forecasts`` (ratio to the same GETs on a quiet server;
the scenario budget answers the excess with 429). Then, with ``--workers 2``,
single-connection keep-alive latency with TCP_NODELAY on the listener (our fix) and
without it (uvicorn's default for pre-bound sockets), to show the ~40 ms Nagle stall.

    .venv/bin/python benchmarks/serve.py            # full run, prints a table + JSON
    .venv/bin/python benchmarks/serve.py --seconds 3 --rounds 1   # quicker
    .venv/bin/python benchmarks/serve.py --only memory --json benchmarks/results/serve.memory.json

The load generator is a bounded raw-asyncio HTTP/1.1 client (loopback only): it runs on
the same 2 cores as the server, so compare ratios within one run, not absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [str(Path(sys.executable).parent / "alliance-forecast")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    port: int, workers: int, env_extra: dict[str, str]
) -> tuple[subprocess.Popen, float]:
    """Start the server; return (process, seconds from spawn to /ready == 200)."""
    env = {**os.environ, "ALLIANCE_FORECAST_LOG_LEVEL": "warning", **env_extra}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/ready"
    while time.perf_counter() - t0 < 60:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.01)
    proc.kill()
    raise RuntimeError("server not ready after 60 s")


def wait_precomputed(
    port: int, timeout: float = 180, streak: int = 12, ledger: bool = False
) -> float:
    """Seconds until /ready reports the baselines precomputed (and with ``ledger`` the
    ledger prepared: its child process done) ``streak`` times in a row (fresh connections,
    so every worker of a multi-worker server gets asked)."""
    t0 = time.perf_counter()
    ok = 0
    while time.perf_counter() - t0 < timeout:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as r:
            body = json.load(r)
        done = body.get("precomputed_forecasts", 0) > 0
        done = done and not (ledger and body.get("ledger") == "preparing")
        ok = ok + 1 if done else 0
        if ok >= streak:
            return time.perf_counter() - t0
        time.sleep(0.02)
    raise RuntimeError("baselines not precomputed in time")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (MB)."""
    import psutil

    p = psutil.Process(pid)
    procs = [p, *p.children(recursive=True)]
    return sum(q.memory_info().rss for q in procs) / 2**20


async def _connection(
    port: int,
    paths: list[str],
    stop_at: float,
    lat: list[float],
    errors: list[str],
    limit: int | None = None,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 0
    try:
        while time.perf_counter() < stop_at and (limit is None or n < limit):
            path = paths[n % len(paths)]
            t = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode())
            n += 1
    finally:
        writer.close()


async def _load(
    port: int, paths: list[str], conns: int, seconds: float, limit: int | None = None
) -> dict[str, float]:
    lat: list[float] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    shuffled = [random.sample(paths, len(paths)) for _ in range(conns)]
    await asyncio.gather(
        *(_connection(port, shuffled[i], stop_at, lat, errors, limit) for i in range(conns))
    )
    elapsed = time.perf_counter() - t0
    return summarise(lat, elapsed, errors)


def summarise(lat: list[float], elapsed: float, errors: list[str]) -> dict[str, float]:
    lat_ms = sorted(x * 1000 for x in lat)
    q = statistics.quantiles(lat_ms, n=100, method="inclusive")
    return {
        "requests": len(lat_ms),
        "rps": len(lat_ms) / elapsed,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "errors": len(errors),
    }


def load(port: int, paths: list[str], conns: int, seconds: float, limit: int | None = None):
    try:
        import uvloop

        return uvloop.run(_load(port, paths, conns, seconds, limit))
    except ImportError:
        return asyncio.run(_load(port, paths, conns, seconds, limit))


def forecast_paths(port: int) -> list[str]:
    ids: list[int] = []
    page = 1
    while True:
        url = f"http://127.0.0.1:{port}/v1/alliances?in_force=true&page_size=200&page={page}"
        with urllib.request.urlopen(url) as r:
            body = json.load(r)
        ids += [a["atopid"] for a in body["items"]]
        if page * 200 >= body["total"]:
            break
        page += 1
    rng = random.Random(0)
    return [
        f"/v1/alliances/{rng.choice(ids)}/forecast?horizon={rng.randint(1, 30)}"
        for _ in range(2000)
    ]


def one_worker(args: argparse.Namespace) -> dict:
    port = free_port()
    proc, cold = start_server(port, 1, {})
    try:
        warm = cold + wait_precomputed(port)
        paths = forecast_paths(port)
        load(port, paths, 8, 1.0)  # warm-up
        res: dict[str, list[dict]] = {"forecast": [], "trivial": []}
        for _ in range(args.rounds):
            res["trivial"].append(load(port, ["/health"], args.connections, args.seconds))
            res["forecast"].append(load(port, paths, args.connections, args.seconds))
        single = load(port, paths, 1, 60, limit=args.single)
        single_trivial = load(port, ["/health"], 1, 60, limit=args.single)
        rss = rss_mb(proc.pid)
    finally:
        stop_server(proc)
    merged = {k: _merge(v) for k, v in res.items()}
    return {
        "cold_start_s": cold,
        "start_to_precomputed_s": warm,
        "rss_mb": rss,
        "concurrent": merged,
        "throughput_ratio": merged["forecast"]["rps"] / merged["trivial"]["rps"],
        "p99_ratio": merged["forecast"]["p99_ms"] / merged["trivial"]["p99_ms"],
        "single_connection_forecast": single,
        "single_connection_trivial": single_trivial,
    }


def _merge(rounds: list[dict]) -> dict:
    return {
        "rps": statistics.mean(r["rps"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "requests": sum(r["requests"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
    }


TOKEN = "bench-admin-token"


def _post(port: int, path: str, body: dict | None, token: str | None = None) -> int:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"content-type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code


#: every kind of page and route once (the first ledger request imports SQLAlchemy)
ROUTES_ONCE = (
    "/v1/track-record",
    "/v1/ledger?kind=live",
    "/track-record",
    "/",
    "/alliances/3180",
    "/alliances/3180?preset=threat_up",
)


def swap_memory(args: argparse.Namespace) -> dict:
    """Idle RSS of one worker (started, baselines precomputed, ledger prepared), its RSS
    once every route and page has been asked, and its peak across ``args.swaps`` forced
    model swaps."""
    import threading

    port = free_port()
    proc, _ = start_server(port, 1, {"ALLIANCE_FORECAST_ADMIN_TOKEN": TOKEN})
    try:
        wait_precomputed(port, timeout=300, ledger=True)
        time.sleep(3)
        idle = rss_mb(proc.pid)
        for path in ROUTES_ONCE:  # what the ledger (SQLAlchemy) and the pages add
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
                r.read()
        time.sleep(1)
        after_routes = rss_mb(proc.pid)
        peak = [max(idle, after_routes)]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        after = []
        refused = 0
        try:
            for _ in range(args.swaps):
                while (code := _post(port, "/v1/admin/reload?force=true", None, TOKEN)) == 429:
                    refused += 1
                    time.sleep(0.2)
                assert code == 200, code
                while _post(port, "/v1/admin/reload", None, TOKEN) == 429:  # until warm
                    time.sleep(0.2)
                after.append(rss_mb(proc.pid))
        finally:
            done.set()
            sampler.join()
    finally:
        stop_server(proc)
    return {
        "idle_rss_mb": idle,
        "rss_after_every_route_mb": after_routes,
        "peak_rss_mb": peak[0],
        "peak_over_idle": peak[0] / idle,
        "rss_after_each_swap_mb": after,
        "swaps": args.swaps,
        "reloads_refused_while_warming": refused,
    }


def scenario_flood(args: argparse.Namespace) -> dict:
    """GET latency on a quiet server vs while threads flood scenario batches."""
    import threading

    port = free_port()
    proc, _ = start_server(port, 1, {})
    try:
        wait_precomputed(port)
        paths = ["/v1/alliances?in_force=true&page_size=50", *forecast_paths(port)[:50]]
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/v1/alliances?in_force=true&page_size=20"
        ) as r:
            ids = [a["atopid"] for a in json.load(r)["items"]]
        batch = {"atopids": ids, "horizon": 30, "scenario": {"preset": "threat_up"}}
        quiet = load(port, paths, 1, 60, limit=args.single // 3)
        codes: list[int] = []
        stop = threading.Event()

        def flood() -> None:
            while not stop.is_set():
                codes.append(_post(port, "/v1/forecasts", batch))

        floods = [threading.Thread(target=flood) for _ in range(args.flood)]
        for t in floods:
            t.start()
        time.sleep(1)
        try:
            busy = load(port, paths, 1, 60, limit=args.single // 3)
        finally:
            stop.set()
            for t in floods:
                t.join()
    finally:
        stop_server(proc)
    return {
        "flood_threads": args.flood,
        "scenario_batch": f"{len(ids)} alliances x 30 years, threat_up",
        "flood_answers": {str(c): codes.count(c) for c in sorted(set(codes))},
        "get_quiet": quiet,
        "get_during_flood": busy,
        "p50_ratio": busy["p50_ms"] / quiet["p50_ms"],
        "p99_ratio": busy["p99_ms"] / quiet["p99_ms"],
    }


def multi_worker(args: argparse.Namespace) -> dict:
    out = {}
    cases = [
        (f"{loop}_loop_nodelay_{'on_fix' if nd == 'true' else 'off_uvicorn_default'}", loop, nd)
        for loop in ("asyncio", "uvloop")
        for nd in ("false", "true")
    ]
    for label, loop, nodelay in cases:
        port = free_port()
        env = {"ALLIANCE_FORECAST_TCP_NODELAY": nodelay, "ALLIANCE_FORECAST_LOOP": loop}
        proc, _ = start_server(port, 2, env)
        try:
            wait_precomputed(port)
            paths = forecast_paths(port)
            out[label] = load(port, paths, 1, 60, limit=200)
        finally:
            stop_server(proc)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="seconds per load round")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds per endpoint")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--single", type=int, default=3000, help="requests on one connection")
    ap.add_argument("--swaps", type=int, default=3, help="forced model swaps (memory)")
    ap.add_argument("--flood", type=int, default=4, help="threads flooding scenario batches")
    ap.add_argument("--only", choices=["memory", "flood"], help="run only this part")
    ap.add_argument("--skip-workers", action="store_true", help="skip the --workers 2 check")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    if args.only:
        part = {"memory": swap_memory, "flood": scenario_flood}[args.only](args)
        text = json.dumps({"command": " ".join(sys.argv[1:]), **part}, indent=2)
        if args.json:
            args.json.write_text(text + "\n")
        print(text)
        return
    figures = {
        "one_worker": one_worker(args),
        "swap_memory": swap_memory(args),
        "scenario_flood": scenario_flood(args),
    }
    if not args.skip_workers:
        figures["workers_2"] = multi_worker(args)
    ow = figures["one_worker"]
    c = ow["concurrent"]
    print(f"cold start to ready      {ow['cold_start_s']:.2f} s   (goal <= 3 s)")
    print(
        f"start to precomputed     {ow['start_to_precomputed_s']:.2f} s"
        "   (answered on demand until then)"
    )
    print(f"resident memory          {ow['rss_mb']:.0f} MB   (goal <= 300 MB)")
    for k in ("trivial", "forecast"):
        v = c[k]
        print(
            f"{k:9s} @{args.connections} conns   {v['rps']:7.0f} req/s  p50 {v['p50_ms']:.2f} ms"
            f"  p99 {v['p99_ms']:.2f} ms  errors {v['errors']}"
        )
    print(f"throughput ratio         {ow['throughput_ratio']:.2f}   (goal >= 0.80)")
    print(f"p99 ratio                {ow['p99_ratio']:.2f}   (goal <= 1.25)")
    t = ow["single_connection_trivial"]
    print(f"single-connection trivial p50 {t['p50_ms']:.2f} ms  p99 {t['p99_ms']:.2f} ms")
    s = ow["single_connection_forecast"]
    print(
        f"single-connection        p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms"
        "   (goal p99 <= 2 ms)"
    )
    m = figures["swap_memory"]
    print(
        f"memory: idle {m['idle_rss_mb']:.0f} MB (goal <= 300), after every route once "
        f"{m['rss_after_every_route_mb']:.0f} MB, peak across {m['swaps']} swaps "
        f"{m['peak_rss_mb']:.0f} MB = {m['peak_over_idle']:.2f}x idle (goal <= 1.5)"
    )
    f = figures["scenario_flood"]
    print(
        f"GET during scenario flood: p50 x{f['p50_ratio']:.2f}, p99 x{f['p99_ratio']:.2f} "
        f"of quiet; flood answers {f['flood_answers']}"
    )
    for k, v in figures.get("workers_2", {}).items():
        print(f"--workers 2 {k:28s} p50 {v['p50_ms']:.2f} ms  p99 {v['p99_ms']:.2f} ms")
    text = json.dumps(figures, indent=2)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
