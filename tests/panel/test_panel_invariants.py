"""Invariants of the committed panel (data/): the contract every later stage relies on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.panel import columns as C
from forecast.panel.load import (
    load_alliance_members,
    load_alliances,
    load_member_panel,
    load_panel,
    load_state_year,
)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


def test_contract_columns_present_and_typed(panel):
    for col in (*C.KEYS, *C.OUTCOMES, *C.STRUCTURE, *C.COVARIATES):
        assert col in panel.columns, col
    for col in C.COVARIATES:
        assert panel[col].dtype == np.float64, col
    assert set(panel["cause"]) <= {C.CAUSE_NONE, *C.CAUSES}
    assert set(panel["obligation_type"]) <= set(C.OBLIGATION_TYPES)
    assert set(panel["region"]) <= set(C.REGIONS)
    assert set(panel["era"]) <= set(C.ERAS)
    assert set(panel["outcome_source"]) == set(C.OUTCOME_SOURCES)


def test_one_row_per_alliance_year(panel):
    assert not panel.duplicated(["atopid", "year"]).any()
    assert panel["atopid"].nunique() == 794


def test_no_row_after_the_end_and_event_only_in_last_row(panel):
    last = panel.groupby("atopid")["year"].transform("max")
    assert (panel.loc[panel["event"] == 1, "year"] == last[panel["event"] == 1]).all()
    ended = panel.loc[panel["event"] == 1, ["atopid", "year"]].set_index("atopid")["year"]
    after = panel["year"] > panel["atopid"].map(ended).fillna(9999)
    assert not after.any()
    assert (panel.groupby("atopid")["event"].sum() <= 1).all()
    in_force = panel.groupby("atopid")["event"].max() == 0
    assert (
        panel[panel["atopid"].isin(in_force[in_force].index)].groupby("atopid")["year"].max()
        == panel["year"].max()
    ).all()


def test_cause_iff_event(panel):
    assert ((panel["event"] == 1) == (panel["cause"] != C.CAUSE_NONE)).all()


def test_counts(panel):
    assert panel["event"].sum() == 419  # ATOP v5.1 (417) + 2 recorded ends
    counts = panel.loc[panel["event"] == 1, "cause"].value_counts().to_dict()
    assert counts == {"abrogation": 161, "replacement": 122, "natural": 71, "exogenous": 65}
    assert panel["n_member_exits"].sum() == 72
    recorded = panel[panel["outcome_source"] == "recorded"]
    assert recorded["year"].min() == 2019 or (recorded["atopid"] >= 9001).any()
    assert (panel.loc[panel["year"] > 2018, "outcome_source"] == "recorded").all()


def test_age_phase_and_members(panel):
    assert (panel["age"] == panel["year"] - panel["begyr"]).all()
    assert (panel["n_members"] >= 1).all()
    first = panel.groupby("atopid").head(1)
    assert (first["age"] == 0).all()
    assert (panel["bilateral"] == (panel["n_members"] == 2)).all()


def test_missing_stays_missing(panel):
    # Sources end before the edge: their covariates are NaN there, never 0.
    late = panel[panel["year"] == panel["year"].max()]
    for col in (
        "lsthreat_max",
        "terrthreat_mean",
        "sols_change_any",
        "shared_mid_5y",
        "leader_cinc_share",
    ):
        assert late[col].isna().all(), col
    early = panel[panel["year"] < 1919]
    assert early["sols_change_any"].isna().all()


def test_alliances_table_agrees_with_panel(panel):
    a = load_alliances().set_index("atopid")
    assert len(a) == 794 and a["in_force"].sum() == 375
    assert a.loc[a["in_force"], "endyr"].isna().all()
    assert a.loc[~a["in_force"], "cause"].notna().all()
    last = panel.groupby("atopid").tail(1).set_index("atopid")
    assert (a["n_members"] == last["n_members"]).all()
    assert (a["begyr"] == last["begyr"]).all()
    names = a["name"]
    assert names.is_unique or names.duplicated().sum() < 40  # generated labels may repeat
    assert "NATO" in names[3180] and "Warsaw" in names[3285] and "ANZUS" in names[3215]
    assert names[3375].startswith("US–Japan")


def test_alliance_members_table():
    m = load_alliance_members()
    assert len(m) == 2524
    assert m.loc[m["yrexit"].isna(), "exit"].eq(False).all()
    assert m.loc[m["exit"], "exit_cause"].notna().all()
    nato = m[(m["atopid"] == 3180) & m["yrexit"].isna()]
    assert len(nato) == 32 and {"USA", "CAN", "MNG", "FIN", "SWD"} <= set(nato["stateabb"])


def test_member_panel():
    mp = load_member_panel()
    assert not mp.duplicated(["atopid", "ccode", "year"]).any()
    assert mp["exit"].sum() == 72
    assert ((mp["exit"] == 1) == (mp["exit_cause"] != C.CAUSE_NONE)).all()
    assert mp["cinc_share"].dropna().between(0, 1).all()


def test_state_year_unique():
    sy = load_state_year()
    assert not sy.duplicated(["ccode", "year"]).any()
    assert {"cinc", "milex", "milex_gdp", "gdp_current", "polity2", "polyarchy"} <= set(sy.columns)
    assert sy["year"].max() == 2024
