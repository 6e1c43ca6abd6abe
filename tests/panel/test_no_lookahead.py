"""No covariate at year t is computed from data after t−1.

Hypothesis picks a cut-off year T and a seed; every raw input is then perturbed from T
on (state-year values scaled and shifted, major-power spells cut, MIDs and rivalries
after T replaced by random ones, alliances signed after T removed, member exits after
T erased). Rows with ``year <= T`` must not change in any contract column.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from forecast.panel.sources_bundle import RawBundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.panel import columns as C
from forecast.panel.build import build_tables, read_raw
from tests.panel.conftest import RAW_DIR, needs_raw

CONTRACT = [*C.KEYS, *C.OUTCOMES, *C.STRUCTURE, *C.COVARIATES]
pytestmark = [pytest.mark.integration, pytest.mark.slow, needs_raw]


@pytest.fixture(scope="module")
def base() -> tuple[RawBundle, pd.DataFrame]:
    raw = read_raw(RAW_DIR)
    pristine = copy.deepcopy(raw)
    return pristine, build_tables(raw)["alliance_year"]


def _scale_after(df: pd.DataFrame, cut: int, rng: np.random.Generator) -> pd.DataFrame:
    df = df.copy()
    late = df["year"] >= cut
    for col in df.columns:
        if col in ("ccode", "year") or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        noise = rng.uniform(0.1, 3.0, late.sum())
        df[col] = df[col].astype(float)
        df.loc[late, col] = df.loc[late, col].astype(float) * noise + rng.normal(0, 1, late.sum())
    return df


def perturb(raw: RawBundle, cut: int, seed: int) -> RawBundle:
    """A copy of ``raw`` with everything from year ``cut`` on changed."""
    rng = np.random.default_rng(seed)
    r = copy.deepcopy(raw)
    r.nmc = _scale_after(r.nmc, cut, rng)
    r.nmc["cinc"] = r.nmc["cinc"].abs()
    for name in [k for k in r.extra if k.startswith("sy_")]:
        r.extra[name] = _scale_after(r.extra[name], cut, rng)
    r.majors = r.majors.assign(endyear=r.majors["endyear"].clip(upper=cut))
    states = sorted(r.nmc["ccode"].unique())
    for name in ("gml_mids", "cow_mids"):
        d = r.extra[name]
        keep = d[d["year"] < cut]
        k = 200
        a, b = rng.choice(states, k), rng.choice(states, k)
        fake = pd.DataFrame(
            {
                "dispnum": rng.integers(90000, 99999, k),
                "ccode1": np.minimum(a, b),
                "ccode2": np.maximum(a, b),
                "year": rng.integers(cut, 2017, k),
                "sidea1": 1,
                "sidea2": 0,
                "hostlev": 4,
                "fatality": 0.0,
            }
        )
        r.extra[name] = pd.concat([keep, fake[fake["ccode1"] != fake["ccode2"]]], ignore_index=True)
    riv = r.extra["rivalries"]
    fake_riv = pd.DataFrame(
        {
            "rivalryno": 9000 + np.arange(30),
            "rivalryname": "fake",
            "ccode1": rng.choice(states, 30),
            "ccode2": rng.choice(states, 30),
            "styear": cut,
            "endyear": 2010,
            "ongoing": True,
        }
    )
    r.extra["rivalries"] = pd.concat([riv[riv["styear"] < cut], fake_riv], ignore_index=True)
    m, a = r.atop_members, r.atop_alliances
    beg = m.groupby("atopid")["yrent"].transform("min")
    m = m[beg <= cut].copy()
    late_exit = m["yrexit"] > cut
    m.loc[late_exit, ["yrexit", "moexit", "dayexit", "termmode"]] = 0
    m.loc[late_exit, "ineffect"] = 1
    r.atop_members = m.reset_index(drop=True)
    a = a[a["atopid"].isin(m["atopid"])].copy()
    a["ineffect"] = a["atopid"].map(m.groupby("atopid")["ineffect"].max())
    r.atop_alliances = a.reset_index(drop=True)
    r.extra.pop("state_year", None)
    return r


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(1870, 2012), seed=st.integers(0, 2**16))
def test_rows_up_to_cut_do_not_change(base, cut, seed):
    raw, panel = base
    changed = build_tables(perturb(raw, cut, seed))["alliance_year"]
    before = panel.loc[panel["year"] <= cut, CONTRACT].reset_index(drop=True)
    after = changed.loc[changed["year"] <= cut, CONTRACT].reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-12)
    # and the perturbation did change later rows (the test has teeth)
    late_b = panel.loc[panel["year"] > cut, C.COVARIATES]
    late_a = changed.loc[changed["year"] > cut, C.COVARIATES]
    assert len(late_a) != len(late_b) or not late_a.reset_index(drop=True).equals(
        late_b.reset_index(drop=True)
    )
