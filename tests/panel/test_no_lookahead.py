"""No covariate at year t is computed from data after t−1, for every raw input.

Hypothesis picks a cut-off year T and a seed; every input of ``Sources`` is then changed
from T on: state-year values (NMC, SIPRI, WDI, Polity, V-Dem, CHISOLS, threat scores)
scaled and shifted, leaders' entries flipped, major-power spells cut, MIDs, UCDP conflicts
and rivalries after T replaced by random ones, alliances signed after T removed, member
exits after T erased and the recorded events dropped. Rows with ``year <= T`` must not
change in any contract column.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from forecast.panel import columns as C
from forecast.panel.build import build_tables
from forecast.panel.inputs import Sources, read_sources
from tests.panel.conftest import RAW_DIR, needs_raw

CONTRACT = [*C.KEYS, *C.OUTCOMES, *C.STRUCTURE, *C.COVARIATES]
pytestmark = [pytest.mark.integration, pytest.mark.slow, needs_raw]

STATE_YEAR_INPUTS = ("nmc", "sipri", "wdi", "polity", "vdem", "chisols", "lsthreat", "terrthreat")


@pytest.fixture(scope="module")
def base() -> tuple[Sources, pd.DataFrame]:
    src = read_sources(RAW_DIR)
    return src, build_tables(src)["alliance_year"]


def _scale_after(df: pd.DataFrame, cut: int, rng: np.random.Generator) -> pd.DataFrame:
    df = df.copy()
    late = df["year"] >= cut
    for col in df.columns:
        if col in ("ccode", "year") or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        noise = rng.uniform(0.1, 3.0, late.sum())
        df[col] = df[col].astype(float)
        df.loc[late, col] = (df.loc[late, col] * noise + rng.normal(0, 1, late.sum())).abs()
    return df


def _fake_dyads(rng: np.random.Generator, states: np.ndarray, cut: int, k: int = 200):
    a, b = rng.choice(states, k), rng.choice(states, k)
    keep = a != b
    return np.minimum(a, b)[keep], np.maximum(a, b)[keep], rng.integers(cut, 2025, k)[keep]


def perturb(src: Sources, cut: int, seed: int) -> Sources:
    """A copy of ``src`` with everything from year ``cut`` on changed."""
    rng = np.random.default_rng(seed)
    new: dict[str, pd.DataFrame] = {
        n: _scale_after(getattr(src, n), cut, rng) for n in STATE_YEAR_INPUTS
    }
    new["nmc"]["cinc"] = new["nmc"]["cinc"].clip(upper=1.0)
    new["polity"]["polity2"] = new["polity"]["polity2"].clip(-10, 10)
    arch = src.archigos.copy()
    late = arch["start_year"] >= cut
    arch.loc[late, "irregular_entry"] = 1 - arch.loc[late, "irregular_entry"]
    new["archigos"] = arch
    new["majors"] = src.majors.assign(endyear=src.majors["endyear"].clip(upper=cut))
    states = np.array(sorted(src.nmc["ccode"].unique()))
    for name in ("gml_mids", "cow_mids"):
        d = getattr(src, name)
        c1, c2, y = _fake_dyads(rng, states, cut)
        fake = pd.DataFrame(
            {"dispnum": rng.integers(90000, 99999, len(y)), "ccode1": c1, "ccode2": c2,
             "year": y, "sidea1": 1, "sidea2": 0, "hostlev": 4, "fatality": 0.0}
        )  # fmt: skip
        new[name] = pd.concat([d[d["year"] < cut], fake], ignore_index=True)
    u = src.ucdp
    c1, c2, y = _fake_dyads(rng, states, cut)
    ids = rng.integers(900000, 999999, len(y))
    fake = pd.concat(
        [
            pd.DataFrame({"conflict_id": ids, "year": y, "ccode": c, "side": s, "primary": True,
                          "type_of_conflict": "interstate", "intensity_level": 2})
            for c, s in ((c1, "A"), (c2, "B"))
        ]
    )  # fmt: skip
    new["ucdp"] = pd.concat([u[u["year"] < cut], fake], ignore_index=True)
    riv = src.rivalries
    k = 30
    fake_riv = pd.DataFrame(
        {"rivalryno": 9000 + np.arange(k), "rivalryname": "fake",
         "ccode1": rng.choice(states, k), "ccode2": rng.choice(states, k),
         "styear": cut, "endyear": 2020, "ongoing": True,
         "positional": 1, "spatial": 0, "ideological": 0, "interventionary": 0}
    )  # fmt: skip
    new["rivalries"] = pd.concat([riv[riv["styear"] < cut], fake_riv], ignore_index=True)
    m, a = src.atop_members, src.atop_alliances
    beg = m.groupby("atopid")["yrent"].transform("min")
    m = m[beg <= cut].copy()
    late_exit = m["yrexit"] > cut
    m.loc[late_exit, ["yrexit", "moexit", "dayexit", "termmode"]] = 0
    m.loc[late_exit, "ineffect"] = 1
    new["atop_members"] = m.reset_index(drop=True)
    a = a[a["atopid"].isin(m["atopid"])].copy()
    a["ineffect"] = a["atopid"].map(m.groupby("atopid")["ineffect"].max())
    a.loc[a["ineffect"] == 1, "endyr"] = 0
    new["atop_alliances"] = a.reset_index(drop=True)
    new["events"] = src.events[src.events["date"].dt.year < cut]
    return dataclasses.replace(src, **new)


@settings(
    max_examples=3,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # a full build per example: no shrink
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cut=st.integers(1870, 2022), seed=st.integers(0, 2**16))
def test_rows_up_to_cut_do_not_change(base, cut, seed):
    src, panel = base
    changed = build_tables(perturb(src, cut, seed))["alliance_year"]
    before = panel.loc[panel["year"] <= cut, CONTRACT].reset_index(drop=True)
    after = changed.loc[changed["year"] <= cut, CONTRACT].reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-12)
    # and the perturbation did change later rows (the test has teeth)
    late_b = panel.loc[panel["year"] > cut, C.COVARIATES]
    late_a = changed.loc[changed["year"] > cut, C.COVARIATES]
    assert len(late_a) != len(late_b) or not late_a.reset_index(drop=True).equals(
        late_b.reset_index(drop=True)
    )


def test_a_recorded_event_is_picked_up_without_code_change(base, tmp_path):
    """A new row in the events file changes the panel on the next build (how the periodic
    refit ingests events between ATOP releases)."""
    from forecast.sources.events import DEFAULT_FILE, read_events

    src, panel = base
    path = tmp_path / "events.csv"
    row = (
        "R2022-9101-NEW,new_alliance,2022-05-01,9101,2;20,,1,0,0,0,1,Test pact,"
        '"A test treaty signed on 1 May 2022, Art. 1 (mutual defence in case of attack)",low,\n'
    )
    path.write_text(DEFAULT_FILE.read_text() + row)
    changed = build_tables(dataclasses.replace(src, events=read_events(path)))["alliance_year"]
    pact = changed[changed["atopid"] == 9101]
    assert pact["year"].tolist() == [2022, 2023, 2024]
    assert (pact["outcome_source"] == "recorded").all()
    assert 9101 not in set(panel["atopid"])
