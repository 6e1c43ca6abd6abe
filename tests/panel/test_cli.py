"""`alliance-forecast data build` as a user runs it (real subprocess on the fixture tree)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

FIXTURE_RAW = Path(__file__).resolve().parent.parent / "fixtures" / "raw"

pytestmark = pytest.mark.integration


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from forecast.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300
    )


def test_missing_raw_dir_exits_2_with_one_line(tmp_path):
    res = _run("data", "build", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "raw data folder" in lines[0] and "--raw" in lines[0]


def test_build_from_fixtures_writes_tables_and_manifest(tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    res = _run("data", "build", "--raw", str(FIXTURE_RAW), "--out", str(out1))
    assert res.returncode == 0, res.stderr
    assert "wrote" in res.stdout
    for name in ("alliance_year", "member_year", "state_year", "alliances", "alliance_members"):
        assert (out1 / f"{name}.parquet").is_file()
    manifest = json.loads((out1 / "manifest.json").read_text())
    assert set(manifest) >= {"code_version", "built_at", "raw_inputs", "outputs", "sha256"}
    assert manifest["outputs"]["alliances"]["rows"] == 4
    panel = pd.read_parquet(out1 / "alliance_year.parquet")
    assert panel.groupby("atopid")["event"].sum().to_dict() == {2470: 1, 3260: 0, 3270: 1, 5070: 1}
    # deterministic: a second build gives the same frames
    assert _run("data", "build", "--raw", str(FIXTURE_RAW), "--out", str(out2)).returncode == 0
    for f in out1.glob("*.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(f), pd.read_parquet(out2 / f.name))


def test_malformed_raw_file_is_one_line_exit_2(tmp_path):
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE_RAW, raw)
    (raw / "polity" / "polity4v2015.csv").unlink()
    res = _run("data", "build", "--raw", str(raw), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "polity4v2015.csv: raw file not found" in res.stderr.strip().splitlines()[-1]
