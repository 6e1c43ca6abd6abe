"""Fixtures for the reader tests: the small real-row fixture tree and a writable copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_RAW = Path(__file__).resolve().parent.parent / "fixtures" / "raw"


@pytest.fixture
def fixture_raw() -> Path:
    """Read-only path of the hand-picked raw fixture tree (a few real rows per dataset)."""
    return FIXTURE_RAW


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture tree, for malformed-input tests."""
    dst = tmp_path / "raw"
    shutil.copytree(FIXTURE_RAW, dst)
    return dst
