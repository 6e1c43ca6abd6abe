"""`alliance-forecast data build` as a user runs it (real subprocess on the fixture tree)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.panel.conftest import RAW_DIR, needs_raw

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


def test_incomplete_raw_files_exit_2_and_keep_the_previous_panel(tmp_path):
    # The fixture tree holds a few real rows per file: far below the published files'
    # declared minimums, so the build refuses it before writing anything.
    out = tmp_path / "o"
    out.mkdir()
    (out / "alliance_year.parquet").write_bytes(b"previous panel")
    res = _run("data", "build", "--raw", str(FIXTURE_RAW), "--out", str(out))
    assert res.returncode == 2
    last = res.stderr.strip().splitlines()[-1]
    assert "atop5_1a.csv: incomplete" in last and "restore the published original" in last
    assert (out / "alliance_year.parquet").read_bytes() == b"previous panel"
    assert sorted(p.name for p in out.iterdir()) == ["alliance_year.parquet"]


@needs_raw
def test_missing_raw_file_is_one_line_exit_2(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    (raw / "polity" / "p5v2018.csv").unlink()
    res = _run("data", "build", "--raw", str(raw), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "p5v2018.csv: raw file not found" in res.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "o" / "manifest.json").exists()


@needs_raw
@pytest.mark.slow
def test_truncated_member_file_keeps_the_previous_panel(tmp_path):
    """Reliability D01 / hardening check 1: every ATOP member file cut to 60 % of its
    bytes: exit 2 naming the file, and the previous panel is byte-for-byte intact."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(RAW_DIR, raw)
    assert _run("data", "build", "--raw", str(raw), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for f in raw.glob("atop/*m*.csv"):
        f.write_bytes(f.read_bytes()[: f.stat().st_size * 6 // 10])
    res = _run("data", "build", "--raw", str(raw), "--out", str(out))
    assert res.returncode == 2
    assert "atop5_1m.csv: incomplete" in res.stderr.strip().splitlines()[-1]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_events_list_and_validate():
    res = _run("data", "events", "list", "--kind", "accession")
    assert res.returncode == 0, res.stderr
    assert "3180" in res.stdout and "3 events" in res.stdout
    bad = _run("data", "events", "list", "--kind", "merger")
    assert bad.returncode == 2 and "unknown kind" in bad.stderr


@needs_raw
def test_events_validate_applies_the_file_to_atop():
    res = _run("data", "events", "validate")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ok: 18 events")
