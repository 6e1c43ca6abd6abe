"""No covariate's missingness predicts the outcome (review model.md §2).

For training data before each origin, the year-stratified Mantel–Haenszel odds ratio of
an end (any cause, and each cause) in rows where a covariate is missing against rows
where it is present must stay within [1/BOUND, BOUND] whenever at least ``MIN_EVENTS``
ends fall in missing rows. Stratifying by year removes calendar-time coverage (a source
that starts or stops), which the model handles by design; what is left is missingness
that singles out alliances about to end, the leak Maddison's coverage created.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.panel import registry
from forecast.panel.columns import CAUSES
from forecast.panel.load import load_alliance_members, load_panel, load_state_year

#: Largest tolerated odds ratio (either direction) and the events needed to judge it.
BOUND = 5.0
MIN_EVENTS = 5
ORIGINS = (1960, 1980, 1991, 2000, 2018)


def mantel_haenszel(missing: pd.Series, event: pd.Series, year: pd.Series) -> tuple[float, int]:
    """(odds ratio of ``event`` given ``missing``, stratified by year; events in missing rows)."""
    m, e = missing.to_numpy(bool), event.to_numpy(bool)
    cells = pd.DataFrame({"a": m & e, "b": m & ~e, "c": ~m & e, "d": ~m & ~e})
    t = cells.groupby(year.to_numpy()).sum()
    a, b, c, d = t["a"], t["b"], t["c"], t["d"]
    n = a + b + c + d
    mixed = ((a + b) > 0) & ((c + d) > 0)  # strata with both missing and present rows
    num = (a * d / n)[mixed].sum() + 0.5
    den = (b * c / n)[mixed].sum() + 0.5
    return float(num / den), int(a[mixed].sum())


def associations(panel: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    rows = []
    for origin in ORIGINS:
        train = panel[panel["year"] <= origin]
        for name in names:
            miss = train[name].isna()
            for cause in ("any", *CAUSES):
                ev = train["event"].eq(1) if cause == "any" else train["cause"].eq(cause)
                ratio, n = mantel_haenszel(miss, ev, train["year"])
                rows.append((origin, name, cause, ratio, n))
    return pd.DataFrame(rows, columns=["origin", "covariate", "cause", "odds_ratio", "events"])


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


def test_no_missingness_predicts_an_end(panel):
    names = [c.name for c in registry.COVARIATES if not c.deprecated]
    a = associations(panel, names)
    judged = a[a["events"] >= MIN_EVENTS]
    bad = judged[(judged["odds_ratio"] > BOUND) | (judged["odds_ratio"] < 1 / BOUND)]
    assert len(judged) > 100  # the test looks at many covariate × cause × origin cells
    assert bad.empty, bad.to_string()


def test_the_bound_catches_survivorship_coverage(panel):
    """Teeth: the % of GDP measures without their 1992 start (SIPRI lacks the Warsaw Pact's
    GDP share, and those alliances ended in 1989–91) would break the bound."""
    spells = load_alliance_members()
    years = [
        (a, c, y)
        for a, c, b, x in zip(spells["atopid"], spells["ccode"], spells["yrent"],
                              spells["yrexit"].fillna(2024), strict=True)
        for y in range(int(b) + 1, int(x) + 1)
        if 1950 <= y <= 1991
    ]  # fmt: skip
    members = pd.DataFrame(years, columns=["atopid", "ccode", "year"]).drop_duplicates()
    sy = load_state_year().set_index(["ccode", "year"])["milex_gdp"]
    have = sy.reindex(pd.MultiIndex.from_arrays([members["ccode"], members["year"] - 1]))
    cover = pd.Series(have.notna().to_numpy(), index=members.index)
    share = cover.groupby([members["atopid"], members["year"]]).mean()
    train = panel[(panel["year"] >= 1950) & (panel["year"] <= 1991)]
    flag = share.reindex(pd.MultiIndex.from_frame(train[["atopid", "year"]])).to_numpy()
    known = ~np.isnan(flag)
    train = train[known]
    missing = pd.Series(flag[known] < 0.9, index=train.index)
    ratio, n = mantel_haenszel(missing, train["cause"].eq("exogenous"), train["year"])
    assert n >= MIN_EVENTS and ratio > BOUND
