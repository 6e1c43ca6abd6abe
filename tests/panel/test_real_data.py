"""Integration: a fresh build from ../shared/data/raw gives the known facts and equals data/."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from forecast.config import DEFAULT_DATA_DIR
from forecast.panel import registry
from forecast.panel.build import build
from forecast.panel.coding_lag import ends_by_year
from forecast.panel.edge import data_edge, data_through
from forecast.panel.load import (
    load_alliance_members,
    load_alliances,
    load_member_panel,
    load_panel,
    load_state_year,
)
from forecast.sources.atop import read_atop_alliances
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


def test_atop_51_has_789_alliances():
    a = read_atop_alliances(RAW_DIR)
    assert len(a) == 789 and int(a["ineffect"].sum()) == 372


def test_alliance_counts_and_edge(panel, fresh):
    assert panel["atopid"].nunique() == 789 + 5  # ATOP v5.1 + recorded new alliances to 2024
    assert panel["year"].max() == data_edge(fresh) == 2024
    assert panel.loc[panel["year"] == 2018, "atopid"].nunique() - 1 == 372  # 4735 ends in 2018
    assert panel.loc[panel["year"] == 2024, "atopid"].nunique() == 376
    assert panel["event"].sum() == 419


def test_4735_ends_2018_as_a_replacement(panel):
    last = panel[panel["atopid"] == 4735].iloc[-1]
    assert (last["year"], last["event"], last["cause"]) == (2018, 1, "replacement")
    assert last["outcome_source"] == "atop"


def test_nato_in_force_to_the_edge_with_its_enlargements(panel, fresh):
    nato = panel[panel["atopid"] == 3180].set_index("year")
    assert nato.index.min() == 1949 and nato.index.max() == 2024 and nato["event"].sum() == 0
    assert nato.loc[1949, "n_members"] == 12
    assert nato.loc[2020, "n_members"] == 29 and nato.loc[2021, "n_members"] == 30  # MKD
    assert nato.loc[2024, "n_members"] == 31  # Finland from 2024 (members on 1 January)
    assert (nato.loc[:2018, "outcome_source"] == "atop").all()
    assert (nato.loc[2019:, "outcome_source"] == "recorded").all()
    m = load_alliance_members(fresh)
    now = m[(m["atopid"] == 3180) & m["yrexit"].isna()].set_index("ccode")
    assert len(now) == 32
    assert now.loc[375, "yrent"] == 2023 and now.loc[380, "yrent"] == 2024  # FIN, SWE
    assert now.loc[343, "yrent"] == 2020 and now.loc[380, "record"] == "R2024-3180-ACC-380"


def test_recorded_events_since_2018(panel, fresh):
    ru_ua = panel[panel["atopid"] == 4875].iloc[-1]
    assert (ru_ua["year"], ru_ua["cause"], ru_ua["outcome_source"]) == (2019, "natural", "recorded")
    eu = panel[(panel["atopid"] == 4175)].set_index("year")
    assert eu.loc[2020, "n_member_exits"] == 1 and eu.loc[2021, "n_members"] == 27  # Brexit
    aes = panel[panel["atopid"] == 9003]  # Alliance of Sahel States
    assert aes["year"].min() == 2023 and aes["obligation_type"].iloc[0] == "defense"
    assert (aes["outcome_source"] == "recorded").all()
    names = load_alliances(fresh).set_index("atopid")["name"]
    assert names[9004].startswith("Russia–North Korea")
    assert 9006 not in names.index  # signed in 2025: after the data edge, not applied yet
    manifest = json.loads((fresh / "manifest.json").read_text())
    assert manifest["events"]["applied"] == 11 and manifest["events"]["after_edge"] == 7


def test_known_ends(panel):
    def end(atopid):
        last = panel[panel["atopid"] == atopid].iloc[-1]
        return int(last["year"]), int(last["event"]), last["cause"]

    assert end(2470) == (1941, 1, "abrogation")  # German–Soviet pact
    assert end(3270)[:2] == (1980, 1)  # US–ROC
    assert end(3285)[:2] == (1991, 1)  # Warsaw Pact
    assert end(1415) == (1921, 1, "replacement")  # Anglo-Japanese -> Four-Power Treaty


def test_burden_sharing_in_percent_of_gdp(panel):
    nato = panel[panel["atopid"] == 3180].set_index("year")
    assert 3.0 < nato.loc[2016, "leader_milex_gdp"] < 4.0  # the US at t−1 = 2015
    assert 1.0 < nato.loc[2016, "others_milex_gdp"] < 2.0
    assert 0.1 < nato.loc[2016, "share_at_2pct"] < 0.3  # 5 of 28 at 2 % in 2015
    assert nato.loc[2024, "share_at_2pct"] > nato.loc[2016, "share_at_2pct"]  # after 2014
    assert nato.loc[1991, ["leader_milex_gdp", "share_at_2pct"]].isna().all()  # from 1992
    us_japan = panel[(panel["atopid"] == 3375) & (panel["year"] == 2024)].iloc[0]
    assert 0.8 < us_japan["junior_milex_gdp"] < 1.6  # Japan's % of GDP in 2023
    assert panel.loc[panel["n_members"] > 2, "junior_milex_gdp"].isna().all()


def test_threat_to_the_present(panel):
    late = panel[panel["year"] == 2024]
    assert late["member_conflict"].notna().all() and late["member_conflict"].mean() > 0.2
    ru_by = panel[(panel["atopid"] == 4865) & (panel["year"] == 2023)].iloc[0]  # Russia–Belarus
    assert ru_by["member_conflict"] == 1 and ru_by["conflict_with_rival"] == 1  # vs Ukraine
    assert late["common_rival"].notna().all()  # ongoing rivalries held to the edge
    assert panel.loc[panel["year"] == 1900, "member_conflict"].notna().all()  # MIDs before 1946


def test_data_through_per_family(fresh):
    fams = data_through(fresh)["families"]
    assert set(fams) == set(registry.FAMILIES)
    assert fams["power"] == 2022 and fams["spending"] == 2023 and fams["design"] == 2024
    assert min(fams.values()) >= 2014
    cov = data_through(fresh)["covariates"]
    assert cov["lsthreat_max"] == 2002 and cov["common_rival"] == 2020


def test_coding_lag_table():
    t = ends_by_year(RAW_DIR).set_index("year")
    assert t.loc[2016, "ends_v401"] == 0 and pd.isna(t.loc[2017, "ends_v401"])
    assert t.loc[2018, "ends_v51"] >= 1  # 4735
    assert t.loc[1815:2016, "formed_v51"].sum() > t.loc[1815:2016, "formed_v401"].sum()


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
    manifest = json.loads((fresh / "manifest.json").read_text())
    assert len(manifest["raw_inputs"]) == 21
    assert all(len(h) == 64 for h in manifest["raw_inputs"].values())
    assert "atop/atop-member-level.csv" not in manifest["raw_inputs"]  # v4.01 is not built from
    out = manifest["outputs"]["alliance_year"]
    assert out["rows"] == len(load_panel(fresh))
    cov = out["coverage"]["lsthreat_max"]
    assert cov["last_year"] == 2003 and 0 < cov["non_missing"] < 1
    assert len(manifest["sha256"]) == 64 and manifest["code_sha256"]
    assert {p.stat().st_mode & 0o777 for p in fresh.iterdir()} == {0o644}
    assert not list(fresh.glob(".build-*"))
