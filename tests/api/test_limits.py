"""HTTP limits and start-up refusals on the real server (`alliance-forecast serve`, uvicorn):
review H-40..H-44 (head cap, stalled clients), #6 (corrupt store: exit 2, one line),
#8 (broken pointer: 503 with a request id), #12 (chunked 413, HEAD, JSON log lines)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import NATO
from tests.api.server_tools import CLI, free_port, start, stop, wait_ready
from tests.api.store_tools import copy_store, corrupt_posterior

pytestmark = pytest.mark.integration


def _recv_until_closed(sock: socket.socket, limit_s: float) -> bytes:
    """Everything the server sends until it closes (or ``limit_s`` passes: then b'open')."""
    sock.settimeout(limit_s)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except TimeoutError:
        return b"open"
    except ConnectionResetError:
        pass
    return out


def test_limits_on_the_wire(store_copy):
    proc, base = start(store_copy, env={"ALLIANCE_FORECAST_HEADER_TIMEOUT_S": "1"})
    try:
        wait_ready(proc, base)
        port = int(base.rsplit(":", 1)[1])
        # a half-sent request head is closed after the head timeout (was: kept forever)
        stalled = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
        for s in stalled:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        assert all(_recv_until_closed(s, 30) == b"" for s in stalled)
        # a connection that sends nothing is closed too
        idle = socket.create_connection(("127.0.0.1", port))
        assert _recv_until_closed(idle, 30) == b""
        # a request head over the cap is a 431 (was: 32 MB accepted)
        with socket.create_connection(("127.0.0.1", port)) as s:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n")
            assert _recv_until_closed(s, 30).startswith(b"HTTP/1.1 431 ")
        with httpx.Client(base_url=base, timeout=10) as c:
            # an oversized chunked body is a 413 (was: 400 "error parsing the body")
            chunks = (b'{"atopids": [' + b"1," * 200_000 + b"1]}" for _ in range(1))
            r = c.post(
                "/v1/forecasts", content=chunks, headers={"content-type": "application/json"}
            )
            assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
            assert c.head("/health").status_code == 200
            assert c.head("/ready").status_code == 200
            # no 307 that reflects the Host header
            r = c.get(f"/v1/alliances/{NATO}/forecast/", headers={"Host": "evil.example"})
            assert r.status_code == 404 and "location" not in r.headers
    finally:
        err = stop(proc)
    # SIGTERM with stalled clients around: a graceful stop (uvicorn re-raises the signal
    # after shutting down, hence -15), never the SIGKILL that stop() sends after 20 s
    assert proc.returncode in (0, -15)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "the server logged nothing"
    assert all(line.startswith("{") for line in lines), [x for x in lines if x[:1] != "{"][:3]
    assert any(json.loads(x).get("logger", "").startswith("uvicorn") for x in lines)


def _serve_once(store: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ALLIANCE_FORECAST_DATA_DIR": str(store / "data"),
        "ALLIANCE_FORECAST_MODELS_DIR": str(store / "models"),
    }
    return subprocess.run(
        [CLI, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _live_dir(store: Path) -> Path:
    version = json.loads((store / "models" / "full" / "live.json").read_text())["version"]
    return store / "models" / "full" / version


def _corrupt_chunk(store: Path) -> None:
    corrupt_posterior(_live_dir(store) / "posterior.zarr")


def _garbage_manifest(store: Path) -> None:
    (_live_dir(store) / "manifest.json").write_text("{not json")


def _list_pointer(store: Path) -> None:
    (store / "models" / "full" / "live.json").write_text("[]")


def _int_pointer(store: Path) -> None:
    (store / "models" / "full" / "live.json").write_text('{"version": 123}')


def _pointer_out_of_store(store: Path) -> None:
    live = _live_dir(store)
    outside = store / "outside"
    outside.mkdir()
    shutil.move(live, outside / live.name)
    ptr = {"version": f"../../outside/{live.name}"}
    (store / "models" / "full" / "live.json").write_text(json.dumps(ptr))


def _truncated_table(store: Path) -> None:
    table = store / "data" / "alliances.parquet"
    table.write_bytes(table.read_bytes()[:200])


def _garbage_data_manifest(store: Path) -> None:
    (store / "data" / "manifest.json").write_text("garbage")


@pytest.mark.parametrize(
    "damage",
    [
        _corrupt_chunk,
        _garbage_manifest,
        _list_pointer,
        _int_pointer,
        _pointer_out_of_store,
        _truncated_table,
        _garbage_data_manifest,
    ],
)
def test_a_corrupt_store_at_start_exits_2_with_one_line(store_copy, tmp_path, damage):
    store = copy_store(store_copy, tmp_path / "store")
    damage(store)
    out = _serve_once(store)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2, out.stderr[-2000:]
    assert len(lines) == 1, out.stderr[-2000:]
    assert lines[0].startswith("error: ")


def test_a_broken_pointer_while_serving_is_503_with_a_request_id(store_copy, tmp_path):
    store = copy_store(store_copy, tmp_path / "store")
    proc, base = start(store, env={"ALLIANCE_FORECAST_RELOAD_POLL_S": "0.2"})
    try:
        wait_ready(proc, base)
        (store / "models" / "full" / "live.json").write_text("")
        with httpx.Client(base_url=base, timeout=10) as c:
            for path in ("/v1/models", "/v1/models/full"):
                r = c.get(path, headers={"X-Request-ID": "trace-me-42"})
                assert r.status_code == 503, r.text
                assert r.headers["x-request-id"] == "trace-me-42"
                assert r.json()["error"]["code"] == "store_unavailable"
            assert c.get(f"/v1/alliances/{NATO}/forecast").status_code == 200  # old model
            assert c.get("/ready").status_code == 200
    finally:
        err = stop(proc)
    failures = [x for x in err.splitlines() if "reload failed" in x]
    assert len(failures) == 1, failures  # logged once, not once per poll
