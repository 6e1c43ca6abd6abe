"""Forecast core on a real small fit: probabilities, monotone survival, conditional
survival, exact drivers, scenarios on values, the vectorised table and the backtest
contract."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.model import hazard
from forecast.model.design import Scaling
from forecast.panel import columns as C
from forecast.predict import Forecaster, NotInForceError
from forecast.predict import scenarios as S
from forecast.predict.types import Override, Scenario
from forecast.store.registry import Artifact
from tests.model.small_fit import small_fit


@pytest.fixture(scope="module")
def setup() -> tuple[pd.DataFrame, Artifact, Forecaster]:
    panel, fit = small_fit()
    man = fit.manifest.model_copy(update={"version": "test"}).model_dump(mode="json")
    art = Artifact("full", "test", man, fit.posterior, Path("."))
    return panel, art, Forecaster(art, panel)


def test_forecasts_are_probabilities_and_survival_never_rises(setup) -> None:
    _, _, fc = setup
    assert fc.as_of == 2016 and len(fc.atopids) > 0
    for atopid in fc.atopids[:5]:
        f = fc.forecast(int(atopid), 15)
        assert f.horizon == 15 and len(f.survival) == 15
        means = [s.mean for s in f.survival]
        assert all(0 <= s.lo <= s.mean <= s.hi <= 1 for s in f.survival)
        assert all(b <= a + 1e-12 for a, b in itertools.pairwise(means))
        assert f.p_end.mean == pytest.approx(1 - f.p_persist.mean)
        assert f.p_persist == f.survival[-1]
        total = sum(c.mean for c in f.causes.values())
        assert total == pytest.approx(f.p_end.mean, rel=1e-9)
        assert set(f.causes) == set(C.CAUSES)


def test_conditional_survival_is_the_ratio_of_survivals(setup) -> None:
    panel, art, fc = setup
    atopid = int(fc.atopids[0])
    h1, h2 = 3, 8
    full = fc.survival_draws(atopid, h2)  # (draws, h2)
    # the same alliance, known to have survived h1 more years with unchanged levels and
    # events at their base rate (what the forecast assumes after its first year)
    last = panel[panel["atopid"] == atopid].iloc[[-1]]
    later = []
    for k in range(1, h1 + 1):
        row = last.copy()
        row["year"] += k
        row["age"] += k
        row["era"] = C.era_of(int(row["year"].iloc[0]))
        for name in fc.spec.events:
            row[name] = fc.scaling[name].mean
        later.append(row)
    extended = pd.concat([panel, *later], ignore_index=True)
    fc_later = Forecaster(art, extended, as_of=fc.as_of + h1)
    cond = fc_later.survival_draws(atopid, h2 - h1)
    np.testing.assert_allclose(cond[:, -1], full[:, h2 - 1] / full[:, h1 - 1], rtol=1e-10)


def test_drivers_add_up_exactly_draw_by_draw(setup) -> None:
    _, _, fc = setup
    for atopid in fc.atopids[:10]:
        i = np.array([fc._index(int(atopid))])
        X = fc.X[i]
        eta = fc._eta(i, X, 1)[:, :, 0]
        phi, total, ref, deltas = fc._drivers(i, X, eta)
        np.testing.assert_allclose(phi.sum(axis=-1), total - ref, atol=1e-10)
        # per cause: the group contributions are exact on each cause's log-odds
        ref_eta = eta - hazard.covariate_eta(fc.eff, X - fc.x_ref, np.full(1, fc._era_k[0]))
        np.testing.assert_allclose(deltas.sum(axis=2), eta - ref_eta, atol=1e-10)
        f = fc.forecast(int(atopid), 5)
        gap = sum(d.contribution.mean for d in f.drivers) - (
            f.drivers_total.mean - f.drivers_reference.mean
        )
        assert abs(gap) < 1e-9
        assert "average of the" in f.reference
        assert {d.group for d in f.drivers} == set(fc.groups)
    # the reference itself has zero contributions
    x0 = fc.x_ref[None, :]
    i = np.array([0])
    phi, total, ref, _ = fc._drivers(i, x0, fc._eta(i, x0, 1)[:, :, 0])
    assert np.abs(phi).max() < 1e-12 and np.allclose(total, ref)


def test_table_matches_single_forecasts_and_backtest_contract(setup) -> None:
    _, _, fc = setup
    t = fc.table(30)
    assert t.p_persist.shape == (3, len(fc.atopids), 30)
    i = 2
    f = fc.forecast(int(t.atopids[i]), 10)
    assert t.p_persist[0, i, 9] == pytest.approx(f.p_persist.mean)
    assert t.p_persist[1, i, 9] == pytest.approx(f.p_persist.lo)
    k = C.CAUSES.index("abrogation")
    assert t.causes[0, i, 9, k] == pytest.approx(f.causes["abrogation"].mean)
    assert t.drivers_total[0, i] == pytest.approx(f.drivers_total.mean)
    from_table = fc.drivers_of_table(t, int(t.atopids[i]))
    assert [d.group for d in from_table] == [d.group for d in f.drivers]
    assert [d.contribution.mean for d in from_table] == pytest.approx(
        [d.contribution.mean for d in f.drivers]
    )
    rows = fc.end_probabilities(5)
    assert list(rows.columns[:6]) == ["atopid", "origin", "horizon", "p_end", "p_end_lo",
                                      "p_end_hi"]  # fmt: skip
    assert {f"p_{c}" for c in C.CAUSES} <= set(rows.columns)
    assert ((rows.p_end_lo <= rows.p_end) & (rows.p_end <= rows.p_end_hi)).all()
    assert (rows.origin == 2016).all() and len(rows) == len(fc.atopids)


def test_truncated_panel_forecasts_alliances_in_force_at_origin(setup) -> None:
    panel, art, _ = setup
    T = 1980
    fc = Forecaster(art, panel[panel["year"] <= T])
    last = panel[panel["year"] <= T].groupby("atopid").tail(1)
    expected = set(last[(last.year == T) & (last.event == 0)].atopid)
    assert fc.as_of == T and set(fc.atopids.tolist()) == expected


def test_a_zero_change_is_exactly_zero_for_every_covariate(setup) -> None:
    _, _, fc = setup
    for atopid in fc.atopids[:3]:
        base = fc.forecast(int(atopid), 10)
        for name in fc.scenario_covariates:
            for ov in (Override(name, "add", 0.0), Override(name, "add", 0.0, "sd"),
                       Override(name, "scale", 1.0)):  # fmt: skip
                sc = Scenario("nothing", (ov,))
                _, what_if, diff = fc.compare_scenario(int(atopid), 10, sc)
                assert what_if.p_persist == base.p_persist, name
                assert diff.p_persist == type(diff.p_persist)(0.0, 0.0, 0.0), name


def test_an_interaction_follows_its_parts_and_is_no_scenario_input(setup) -> None:
    _, _, fc = setup
    inter = [c for c in fc.covariates if ":" in c]
    assert inter and not set(inter) & set(fc.scenario_covariates)
    name = inter[0]
    a, b = name.split(":")
    atopid = int(fc.atopids[0])
    values = fc.scenario_values(atopid, Scenario("x", (Override(a, "set", 1.0),)))
    X = fc.encode_values([{**values, b: 2.0}])
    s = fc.scaling[name]
    assert X[0, fc.covariates.index(name)] == pytest.approx((1.0 * 2.0 - s.mean) / s.sd)
    with pytest.raises(InputError, match="not used"):
        fc.scenario_values(atopid, Scenario("x", (Override(name, "set", 1.0),)))


def test_events_follow_their_base_rate_after_the_first_year(setup) -> None:
    _, _, fc = setup
    atopid = int(fc.atopids[0])
    event = fc.spec.events[0]
    hi = fc.scaling[event].hi
    shock = Scenario("event", (Override(event, "set", hi),))
    base, what_if = fc.survival_draws(atopid, 5), fc.survival_draws(atopid, 5, shock)
    # years 2..5 have the same hazard: the event only moves the first year
    np.testing.assert_allclose(what_if[:, 1:] / what_if[:, :1], base[:, 1:] / base[:, :1],
                               rtol=1e-10)  # fmt: skip
    assert not np.allclose(what_if[:, 0], base[:, 0])


def test_scenarios_validate_ranges_and_move_the_forecast(setup) -> None:
    _, _, fc = setup
    atopid = int(fc.atopids[0])
    base = fc.forecast(atopid, 10, with_drivers=False)
    assert fc.forecast(atopid, 10, Scenario("noop", ()), with_drivers=False) == base
    with pytest.raises(InputError, match=r"allowed: .*bilateral"):
        fc.forecast(atopid, 10, Scenario("x", (Override("gdp", "set", 1.0),)))
    with pytest.raises(InputError, match="scale"):
        fc.forecast(atopid, 10, Scenario("x", (Override("depth", "scale", 2.0, "sd"),)))
    s = fc.scaling["depth"]
    lo, hi = S.allowed_range(s)
    with pytest.raises(S.ScenarioRangeError, match=r"allowed range \[") as err:
        fc.forecast(atopid, 10, Scenario("x", (Override("depth", "set", hi + 1.0),)))
    assert (err.value.lo, err.value.hi) == (lo, hi)
    up = fc.forecast(atopid, 10, S.threat_up(fc.covariates, 1.0), with_drivers=False)
    assert up.p_persist != base.p_persist
    # per draw: raising a covariate whose slope is positive for every cause lowers survival
    more = Scenario("more", (Override("bilateral", "add", 0.5, "sd"),))
    s0, s1 = fc.survival_draws(atopid, 1), fc.survival_draws(atopid, 1, more)
    beta = fc.eff.beta[:, fc.covariates.index("bilateral")]  # (draws, K)
    pos, neg = (beta > 0).all(axis=1), (beta < 0).all(axis=1)
    assert (s1[pos, 0] < s0[pos, 0]).all() and (s1[neg, 0] > s0[neg, 0]).all()


def test_presets_are_stated_in_natural_quantities() -> None:
    scaling = {
        "a": Scaling(10.0, 2.0, 0.0, 20.0, "level", True),
        "b": Scaling(0.0, 1.0, -3.0, 3.0, "level", True),
    }
    sc = Scenario("s", (Override("a", "add", 1.0, "sd"), Override("b", "set", 3.0)))
    assert S.apply({"a": 4.0, "b": None}, sc, scaling) == {"a": 6.0, "b": 3.0}
    scale = Scenario("s", (Override("a", "scale", 0.5),))
    assert S.apply({"a": None}, scale, scaling) == {"a": 5.0}  # no value: acts at the mean
    assert S.apply({"a": None}, Scenario("s", (Override("a", "add", 0.0),)), scaling) == {"a": None}
    # the leader cuts its own spending by 30 %, the others' spending and GDPs unchanged:
    # NATO-like values, leader 3.3 % of GDP, others 1.75 %, alliance 2.58 %
    nato = {"leader_milex_share": 0.711, "alliance_milex_gdp": 2.58,
            "leader_milex_gdp": 3.3, "others_milex_gdp": 1.75}  # fmt: skip
    cut = {o.covariate: o for o in S.leader_spending_cut(C.COVARIATES, nato, 0.3).overrides}
    share = 0.7 * 0.711 / (0.7 * 0.711 + 0.289)  # 0.633, not 0.7 x 0.711 = 0.498
    assert cut["leader_milex_share"].value == pytest.approx(share)
    assert cut["leader_milex_share_d5"].value == pytest.approx(share - 0.711)
    assert cut["alliance_milex_gdp"].value == pytest.approx(2.58 * (1 - 0.3 * 0.711))
    assert cut["leader_milex_gdp"].value == pytest.approx(0.7 * 3.3)
    assert cut["leader_burden_gap"].value == pytest.approx(0.7 * 3.3 - 1.75)
    with pytest.raises(InputError, match="share"):
        S.leader_spending_cut(C.COVARIATES, {}, 0.3)
    two = {o.covariate: o.value for o in S.members_at_gdp_share(C.COVARIATES, nato).overrides}
    assert two["alliance_milex_gdp"] == two["leader_milex_gdp"] == two["others_milex_gdp"] == 2
    assert two["leader_burden_gap"] == 0 and two["share_at_2pct"] == 1
    # spending proportional to GDP: the leader's share becomes its GDP share s A / a_L
    assert two["leader_milex_share"] == pytest.approx(0.711 * 2.58 / 3.3)
    rc = S.regime_change(C.COVARIATES, member_is_democracy=False)
    assert {o.covariate for o in rc.overrides} == {"regime_change", "sols_change_any",
                                                   "sols_change_nondem"}  # fmt: skip
    assert S.threat_up(("lsthreat_max",)).overrides == (Override("lsthreat_max", "add", 1.0, "sd"),)


def test_bad_requests_are_input_errors(setup) -> None:
    _, _, fc = setup
    with pytest.raises(NotInForceError, match="not in force"):
        fc.forecast(999_999, 5)
    for bad in (0, 31, 2.5):
        with pytest.raises(InputError, match="horizon"):
            fc.forecast(int(fc.atopids[0]), bad)


def test_scenario_difference_is_summarised_per_draw(setup) -> None:
    _, _, fc = setup
    atopid = int(fc.atopids[1])
    sc = S.threat_up(fc.covariates, 1.0)
    base, what_if, diff = fc.compare_scenario(atopid, 10, sc)
    assert base == fc.forecast(atopid, 10)
    assert what_if == fc.forecast(atopid, 10, sc)
    assert diff.p_persist.mean == pytest.approx(what_if.p_persist.mean - base.p_persist.mean)
    assert diff.p_end.mean == pytest.approx(-diff.p_persist.mean)
    assert diff.p_persist.lo <= diff.p_persist.mean <= diff.p_persist.hi
