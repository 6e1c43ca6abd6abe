"""Shared fixtures for panel tests that need the real raw data (skipped when absent)."""

from __future__ import annotations

import pytest

from forecast.config import DEFAULT_RAW_DIR

RAW_DIR = DEFAULT_RAW_DIR

needs_raw = pytest.mark.skipif(
    not (RAW_DIR / "atop" / "atop-member-level.csv").is_file(),
    reason=f"shared raw data not found at {RAW_DIR}: integration data absent on this machine",
)
