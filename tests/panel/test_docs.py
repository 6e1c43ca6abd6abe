"""data/README.md documents every column of the shipped tables."""

from __future__ import annotations

import re

from forecast.config import DEFAULT_DATA_DIR
from forecast.panel.load import load_member_panel, load_panel

README = DEFAULT_DATA_DIR / "README.md"


def _documented() -> set[str]:
    text = README.read_text()
    rows = [ln for ln in text.splitlines() if ln.startswith("|")]
    return {name for ln in rows for name in re.findall(r"`([a-z_0-9]+)`", ln.split("|")[1])}


def test_every_alliance_year_column_is_documented():
    missing = set(load_panel().columns) - _documented()
    assert not missing, f"undocumented columns in data/README.md: {sorted(missing)}"


def test_every_member_year_column_is_documented():
    missing = set(load_member_panel().columns) - _documented()
    assert not missing, f"undocumented columns in data/README.md: {sorted(missing)}"


def test_generated_sections_are_current():
    """The registry table and the ATOP v4.01 → v5.1 table equal what the code generates."""
    from forecast.config import DEFAULT_RAW_DIR
    from forecast.panel.docs import BEGIN, END, generated_sections
    from forecast.panel.edge import data_through

    if not (DEFAULT_RAW_DIR / "atop").is_dir():
        import pytest

        pytest.skip("shared raw data absent")
    text = README.read_text()
    for name, body in generated_sections(DEFAULT_RAW_DIR, data_through()["covariates"]).items():
        assert f"{BEGIN.format(name)}\n{body}{END.format(name)}" in text, (
            f"data/README.md section '{name}' is stale: run `python -m forecast.panel.docs`"
        )
