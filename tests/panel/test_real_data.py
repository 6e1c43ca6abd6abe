"""Integration: a fresh build from ../shared/data/raw gives the known facts and equals data/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.config import DEFAULT_DATA_DIR
from forecast.panel.build import build
from forecast.panel.load import (
    load_alliance_members,
    load_alliances,
    load_member_panel,
    load_panel,
    load_state_year,
)
from tests.panel.conftest import RAW_DIR, needs_raw

pytestmark = [pytest.mark.integration, needs_raw]

LOADERS = {
    "alliance_year": load_panel,
    "member_year": load_member_panel,
    "state_year": load_state_year,
    "alliances": load_alliances,
    "alliance_members": load_alliance_members,
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fresh-build")
    build(RAW_DIR, out)
    return out


@pytest.fixture(scope="module")
def panel(fresh) -> pd.DataFrame:
    return load_panel(fresh)


def test_alliance_counts(panel):
    assert panel["atopid"].nunique() == 745
    assert panel["event"].sum() == 411
    in_force_2016 = panel.loc[panel["year"] == 2016, "atopid"].nunique()
    assert in_force_2016 == 334


def test_nato_in_force_1949_2016_without_event(panel):
    nato = panel[panel["atopid"] == 3180]
    assert nato["year"].min() == 1949 and nato["year"].max() == 2016
    assert nato["event"].sum() == 0 and len(nato) == 68
    assert nato.loc[nato["year"] == 2016, "n_members"].item() == 28  # Montenegro joined 2016-05
    assert nato.loc[nato["year"] == 1949, "n_members"].item() == 12


def test_known_ends(panel):
    def end(atopid):
        rows = panel[panel["atopid"] == atopid]
        last = rows.iloc[-1]
        return int(last["year"]), int(last["event"]), last["cause"]

    assert end(2470) == (1941, 1, "abrogation")  # German–Soviet pact
    assert end(3270)[:2] == (1980, 1)  # US–ROC
    assert end(3285)[:2] == (1991, 1)  # Warsaw Pact
    assert end(1415) == (1921, 1, "replacement")  # Anglo-Japanese -> Four-Power Treaty


def test_seato_continues_as_us_thailand(panel):
    seato = panel[panel["atopid"] == 3260].set_index("year")
    assert seato["event"].sum() == 0 and seato.index.max() == 2016
    assert seato.loc[1977, "n_members"] > 2
    assert (seato.loc[1978:, "n_members"] == 2).all()
    assert (seato.loc[1978:, "phase"] == 2).all()
    assert seato.loc[1990, "hub_spoke"] == 1.0  # the US holds >= 3 bilateral defense pacts


def test_warsaw_pact_member_exits(fresh):
    mp = load_member_panel(fresh)
    wp = mp[(mp["atopid"] == 3285) & (mp["exit"] == 1)].set_index("ccode")
    assert wp.loc[339, "year"] == 1968 and wp.loc[339, "exit_cause"] == "abrogation"  # Albania
    assert wp.loc[265, "year"] == 1990 and wp.loc[265, "exit_cause"] == "exogenous"  # GDR


def test_committed_panel_equals_fresh_build(fresh):
    for name, loader in LOADERS.items():
        committed = loader(DEFAULT_DATA_DIR)
        rebuilt = loader(fresh)
        pd.testing.assert_frame_equal(committed, rebuilt, check_exact=True, obj=name)


def test_manifest(fresh):
    import json

    manifest = json.loads((fresh / "manifest.json").read_text())
    assert len(manifest["raw_inputs"]) == 18
    assert all(len(h) == 64 for h in manifest["raw_inputs"].values())
    out = manifest["outputs"]["alliance_year"]
    assert out["rows"] == 13951
    cov = out["coverage"]["lsthreat_max"]
    assert cov["last_year"] == 2003 and 0 < cov["non_missing"] < 1
    assert len(manifest["sha256"]) == 64 and manifest["code_sha256"]
