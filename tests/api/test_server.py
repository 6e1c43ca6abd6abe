"""The real server: `alliance-forecast serve` as a subprocess on a free port, over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from forecast.api.server import bind_listener
from tests.api.conftest import NATO

CLI = str(Path(sys.executable).parent / "alliance-forecast")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(store: Path, *args: str, env: dict[str, str] | None = None):
    port = free_port()
    full_env = {
        **os.environ,
        "ALLIANCE_FORECAST_DATA_DIR": str(store / "data"),
        "ALLIANCE_FORECAST_MODELS_DIR": str(store / "models"),
        **(env or {}),
    }
    proc = subprocess.Popen(
        [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_ready(proc: subprocess.Popen, base: str, timeout: float = 60) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read()}")
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("server not ready in time")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


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
def test_two_workers_do_not_pay_a_nagle_delay(store_copy):
    # the asyncio loop is where a pre-bound listener without TCP_NODELAY stalls ~40 ms
    proc, base = start(store_copy, "--workers", "2", env={"ALLIANCE_FORECAST_LOOP": "asyncio"})
    try:
        wait_ready(proc, base)
        with httpx.Client(base_url=base, timeout=10) as c:  # one keep-alive connection
            c.get("/health")
            lat = []
            for _ in range(30):
                t = time.perf_counter()
                assert c.get(f"/v1/alliances/{NATO}/forecast").status_code == 200
                lat.append(time.perf_counter() - t)
        lat.sort()
        assert lat[len(lat) // 2] < 0.02, f"median {lat[len(lat) // 2] * 1000:.1f} ms"
    finally:
        stop(proc)
