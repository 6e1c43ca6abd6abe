"""Start and stop the real server (`alliance-forecast serve`) on a free port for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CLI = str(Path(sys.executable).parent / "alliance-forecast")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    store: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """`serve` on ``store`` (its data/ and models/): the process and its base URL."""
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


def wait_ready(
    proc: subprocess.Popen, base: str, timeout: float = 90, ledger: bool = False
) -> None:
    """Wait until /ready answers 200, and with ``ledger`` until the ledger's child process
    has finished too (AssertionError when the server exits or never gets there)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read()}")
        try:
            r = httpx.get(f"{base}/ready", timeout=1)
            if r.status_code == 200 and not (ledger and r.json()["ledger"] == "preparing"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("server not ready in time")


def stop(proc: subprocess.Popen) -> str:
    """SIGTERM, then SIGKILL after 20 s; returns stderr."""
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err
