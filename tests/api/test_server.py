"""The real server: `alliance-forecast serve` as a subprocess on a free port, over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from forecast.api.server import bind_listener
from tests.api.conftest import NATO
from tests.api.server_tools import CLI, free_port, start, stop, wait_ready


@pytest.fixture
def server(store_copy: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    proc, base = start(store_copy)
    try:
        wait_ready(proc, base)
        yield proc, base
    finally:
        if proc.poll() is None:
            stop(proc)


def test_listener_has_tcp_nodelay():
    sock = bind_listener("127.0.0.1", 0)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert sock.get_inheritable()
    finally:
        sock.close()


@pytest.mark.integration
def test_serve_fails_fast_with_one_line_when_store_is_missing(tmp_path):
    env = {**os.environ, "ALLIANCE_FORECAST_MODELS_DIR": str(tmp_path / "nowhere")}
    out = subprocess.run(
        [CLI, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "nowhere" in lines[0] and "ALLIANCE_FORECAST_MODELS_DIR" in lines[0]


@pytest.mark.integration
def test_real_server_answers_over_http(server):
    proc, base = server
    with httpx.Client(base_url=base, timeout=10) as c:
        r = c.get(
            f"/v1/alliances/{NATO}/forecast",
            params={"horizon": 10},
            headers={"X-Request-ID": "it-1"},
        )
        assert r.status_code == 200
        assert r.headers["x-request-id"] == "it-1"
        assert r.json()["atopid"] == NATO
        assert c.get("/v1/alliances/1001").status_code == 404
        assert c.get("/metrics").status_code == 200
    err = stop(proc)
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(rec.get("request_id") == "it-1" and rec.get("status") == 200 for rec in logs)


@pytest.mark.integration
@pytest.mark.slow
def test_two_workers_reload_together_and_report_metrics_together(store_copy, tmp_path):
    """Review A-9/O-5: an admin reload swapped one worker of two, and /metrics alternated
    between the workers' own counters."""
    from tests.api.conftest import ADMIN_TOKEN
    from tests.api.store_tools import clone_live_version, copy_store

    store = copy_store(store_copy, tmp_path / "store")
    env = {"ALLIANCE_FORECAST_RELOAD_POLL_S": "0", "ALLIANCE_FORECAST_ADMIN_TOKEN": ADMIN_TOKEN}
    proc, base = start(store, "--workers", "2", env=env)
    try:
        wait_ready(proc, base)
        new = clone_live_version(store / "models", "full", "workers-v2")
        promote = subprocess.run(
            [CLI, "models", "promote", "full", new, "--models-dir", str(store / "models")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert promote.returncode == 0, promote.stderr
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        for _ in range(240):  # a worker still precomputing its start-up baselines says 429
            with httpx.Client(base_url=base, timeout=90) as c:
                r = c.post("/v1/admin/reload", headers=auth)
            if r.status_code != 429:
                break
            time.sleep(0.5)
        assert r.status_code == 200, r.text
        assert r.json()["version"] == new
        assert len(r.json()["workers"]) == 2 and set(r.json()["workers"].values()) == {new}
        versions = set()
        for _ in range(30):  # fresh connections: both workers get asked
            with httpx.Client(base_url=base, timeout=10) as c:
                versions.add(c.get("/ready").json()["version"])
        assert versions == {new}

        def health_count(text: str) -> float:
            total = 0.0
            for line in text.splitlines():
                if line.startswith("alliance_forecast_http_requests_total{") and (
                    'route="/health"' in line
                ):
                    total += float(line.rsplit(" ", 1)[1])
            return total

        counts = []
        for _ in range(6):
            with httpx.Client(base_url=base, timeout=10) as c:
                for _ in range(5):
                    c.get("/health")
                counts.append(health_count(c.get("/metrics").text))
        assert counts == sorted(counts) and counts[-1] - counts[0] == 25  # one running total
    finally:
        stop(proc)
