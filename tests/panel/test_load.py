"""Loaders of the derived tables and the time window used by `fit --until` and backtests."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from forecast.config import DEFAULT_DATA_DIR
from forecast.errors import DataValidationError, InputError
from forecast.panel.load import load_alliances, load_panel
from forecast.panel.window import truncate


def test_missing_table_says_how_to_fix(tmp_path):
    with pytest.raises(
        DataValidationError, match=r"alliance_year\.parquet.*alliance-forecast data build"
    ):
        load_panel(tmp_path)


def test_corrupt_parquet(tmp_path):
    (tmp_path / "alliance_year.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataValidationError, match=r"cannot read Parquet.*data build"):
        load_panel(tmp_path)


def test_schema_violation_is_reported(tmp_path):
    panel = load_panel()
    broken = pd.concat([panel, panel.head(1)], ignore_index=True)  # duplicate (atopid, year)
    broken.to_parquet(tmp_path / "alliance_year.parquet", index=False)
    with pytest.raises(
        DataValidationError, match=r"fails its schema.*one row per \(atopid, year\)"
    ):
        load_panel(tmp_path)


def test_bad_cause_is_reported(tmp_path):
    shutil.copy(DEFAULT_DATA_DIR / "alliances.parquet", tmp_path / "alliances.parquet")
    a = load_alliances(tmp_path)
    a.loc[0, "region"] = "atlantis"
    a.to_parquet(tmp_path / "alliances.parquet", index=False)
    with pytest.raises(DataValidationError, match="region"):
        load_alliances(tmp_path)


def test_settings_data_dir_is_the_default(monkeypatch, tmp_path):
    from forecast.config import get_settings

    monkeypatch.setenv("ALLIANCE_FORECAST_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        with pytest.raises(DataValidationError, match=str(tmp_path)):
            load_panel()
    finally:
        get_settings.cache_clear()


def test_truncate_hides_the_future():
    panel = load_panel()
    t = truncate(panel, 1990)
    assert t["year"].max() == 1990
    assert len(t) == (panel["year"] <= 1990).sum()
    wp = t[t["atopid"] == 3285]  # Warsaw Pact ends 1991: no event visible at the end of 1990
    assert wp["event"].sum() == 0 and wp["endyr"].isna().all()
    assert t.loc[t["atopid"] == 2470, "event"].sum() == 1  # ended 1941: visible
    pd.testing.assert_frame_equal(
        t.drop(columns="endyr"),
        panel[panel["year"] <= 1990].drop(columns="endyr").reset_index(drop=True),
    )


def test_truncate_rejects_bad_input():
    with pytest.raises(InputError, match="before the first panel year"):
        truncate(load_panel(), 1700)
    with pytest.raises(InputError, match="no 'year' column"):
        truncate(pd.DataFrame({"a": [1]}), 2000)
