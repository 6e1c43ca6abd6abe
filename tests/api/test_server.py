"""The real server: `alliance-forecast serve` as a subprocess on a free port, over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
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
