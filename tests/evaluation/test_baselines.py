"""Baselines: hand-computed values on tiny panels, and sane behaviour on a synthetic one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.evaluation import baselines, folds
from forecast.panel.columns import era_of


def _tiny() -> pd.DataFrame:
    """Three alliances: A (1990-1994, ends 1994), B (1992-1995, in force), C (1993-1993, ends)."""
    spans = {1: (1990, 1994, 1), 2: (1992, 1995, 0), 3: (1993, 1993, 1)}
    rows = []
    for atopid, (b, e, ended) in spans.items():
        for y in range(b, e + 1):
            rows.append(
                {
                    "atopid": atopid,
                    "year": y,
                    "age": y - b,
                    "era": era_of(y),
                    "obligation_type": "defense",
                    "event": int(ended and y == e),
                }
            )
    return pd.DataFrame(rows)


def test_climatology_matches_hand_computation():
    tiny = _tiny()
    # known at the end of 1995: 5 + 4 + 1 = 10 alliance-years, 2 ends -> h = 0.2
    train = folds.known_at(tiny, 1995)
    model = baselines.Climatology().fit(train)
    assert model.hazard_ == pytest.approx(0.2)
    p = model.predict(folds.at_risk(train, 1995), horizon=3)
    assert p.tolist() == pytest.approx([1 - 0.8**3])


def test_climatology_last_years_uses_only_recent_rows():
    tiny = _tiny()
    # rows with year > 1992: A 1993-94 (2 rows, 1 end), B 1993-95 (3), C 1993 (1 row, 1 end)
    model = baselines.Climatology(years=3).fit(tiny)
    assert model.name == "climatology_3y"
    assert model.hazard_ == pytest.approx(2 / 6)


def test_life_table_matches_hand_computation_and_lifelines():
    from lifelines import KaplanMeierFitter

    tiny = _tiny()
    model = baselines.LifeTable().fit(tiny)
    # age 0: 3 at risk, 1 end (C); ages 1-3: A and B at risk, no end; age 4: A only, ends.
    assert model.hazard_[:5].tolist() == pytest.approx([1 / 3, 0, 0, 0, 1])
    # B is 3 years old at the end of 1995: P(end in 1 year) = h(4) = 1
    b = tiny.loc[(tiny.atopid == 2) & (tiny.year == 1995)]
    assert model.predict(b, 1).tolist() == pytest.approx([1.0])
    # same survival curve as lifelines' Kaplan-Meier on durations (years in force)
    last = tiny.groupby("atopid").tail(1)
    kmf = KaplanMeierFitter().fit(last["age"] + 1, last["event"])
    s_life = np.cumprod(1 - model.hazard_[:5])
    s_km = kmf.survival_function_at_times(np.arange(1, 6)).to_numpy()
    assert s_life == pytest.approx(s_km)


@pytest.mark.parametrize("model", baselines.all_baselines(), ids=lambda b: b.name)
def test_every_baseline_gives_probabilities_for_every_alliance_at_risk(panel, model):
    train = folds.known_at(panel, 1980)
    risk = folds.at_risk(train, 1980)
    p5 = model.fit(train).predict(risk, 5)
    p10 = model.predict(risk, 10)
    assert p5.shape == (len(risk),)
    assert ((p5 >= 0) & (p5 <= 1)).all()
    assert (p10 >= p5 - 1e-12).all(), "a longer horizon cannot make an end less likely"


def test_logistic_baseline_learns_the_threat_effect(panel):
    model = baselines.LogisticHazard().fit(panel)
    risk = folds.at_risk(panel, 2000)
    p = model.predict(risk, 5)
    threat = risk["lsthreat_max"].to_numpy()
    assert np.corrcoef(threat, p)[0, 1] > 0.3


def test_baseline_refuses_panel_without_required_columns():
    with pytest.raises(InputError, match="obligation_type"):
        baselines.LogisticHazard().fit(pd.DataFrame({"age": [1], "event": [0], "era": ["x"]}))
