"""Backtest folds on an external Dask cluster: a `dask scheduler` and two `dask worker`
processes started here, the way a deployment runs them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from forecast.evaluation import backtest as bt
from forecast.evaluation.fanout import dask_client, map_gather, worker_pid

pytestmark = [pytest.mark.integration]

BASE_ONLY = bt.FitSettings(spec=None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_folds_run_on_an_external_scheduler_and_two_workers(panel, tmp_path: Path) -> None:
    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--memory-limit", "0", "--local-directory", str(tmp_path)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        origins = [1960, 1980, 2000]
        deadline = time.monotonic() + 120
        while True:
            try:
                with dask_client(scheduler=address, compile_base=tmp_path) as client:
                    client.wait_for_workers(2, timeout=60)
                    pids = set(map_gather(client, worker_pid, list(range(6))))
                    fanned = bt.rolling(panel, origins, [5], BASE_ONLY, client=client)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)
        assert len(pids) == 2, "the folds ran on the two external workers"
        local = bt.rolling(panel, origins, [5], BASE_ONLY)
        pd.testing.assert_frame_equal(local.baselines, fanned.baselines)
        assert fanned.scores is not None and set(fanned.baselines["origin"]) == set(origins)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
