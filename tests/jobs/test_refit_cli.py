"""Refit job behaviour that needs no sampling: the lock, bad input, the JSON summary line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from forecast.jobs.refit import LOCK_NAME, compare_loo

CLI = [str(Path(sys.executable).parent / "alliance-forecast")]


def _refit(models_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "ALLIANCE_FORECAST_MODELS_DIR": str(models_dir)}
    return subprocess.run(
        [*CLI, "refit", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def _summary(proc: subprocess.CompletedProcess) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one JSON line on stdout, got {proc.stdout!r}"
    return json.loads(lines[0])


@pytest.mark.integration
def test_second_refit_is_refused_while_the_lock_is_held(tmp_path: Path):
    models = tmp_path / "models"
    models.mkdir()
    with FileLock(models / LOCK_NAME, timeout=0):
        proc = _refit(models, "--draws", "5", "--tune", "5", "--chains", "1")
    assert proc.returncode == 3, proc.stderr
    summary = _summary(proc)
    assert summary["job"] == "refit"
    assert summary["status"] == "locked"
    assert "another refit holds" in summary["reasons"][0]
    visible = [p.name for p in models.iterdir() if not p.name.startswith(".")]
    assert visible == [], "a refused refit must not create or change any model"


@pytest.mark.integration
def test_bad_input_exits_2_with_a_summary(tmp_path: Path):
    proc = _refit(tmp_path, "--keep", "0")
    assert proc.returncode == 2
    assert _summary(proc)["status"] == "invalid"
    proc = _refit(tmp_path, "--raw", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "--raw" in _summary(proc)["reasons"][0]


def test_loo_is_compared_only_on_the_same_data():
    live = {"elpd": -1000.0, "se": 30.0, "data_hash": "a"}
    worse = {"elpd": -1200.0, "se": 30.0, "data_hash": "a"}
    close = {"elpd": -1020.0, "se": 30.0, "data_hash": "a"}
    assert compare_loo(worse, live, z=2.0)["ok"] is False
    assert compare_loo(close, live, z=2.0)["ok"] is True
    other_data = compare_loo({**worse, "data_hash": "b"}, live, z=2.0)
    assert other_data["ok"] is True and other_data["comparable"] is False
    assert compare_loo(worse, None, z=2.0)["ok"] is True
