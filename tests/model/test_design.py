"""The design: one staleness rule, no missing indicators, eras that are estimable."""

import numpy as np
import pandas as pd
import pytest

from forecast.errors import DataValidationError
from forecast.model.build import design_blocks
from forecast.model.design import (
    OBSERVED,
    age_bin_of,
    build_design,
    carry_forward,
    encode_covariates,
    prepare,
)
from forecast.model.members import load_model_panel
from forecast.model.simulate import simulate_panel
from forecast.model.spec import ModelSpec, get_spec
from forecast.panel import columns as C


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_model_panel()


def _spec() -> ModelSpec:
    return ModelSpec("t", ("bilateral", "depth", "regime_change"), events=("regime_change",),
                     era_slopes=("depth",))  # fmt: skip


def test_coverage_only_missingness_never_enters_the_design(panel) -> None:
    """At every backtest origin and the served one, each design column is a covariate
    (no indicator of any kind) that most alliances in force at the origin have a value
    for; a source that has ended by the origin is left out of that origin's model."""
    spec = get_spec("full")
    last = int(panel["year"].max())
    for origin in (1950, 1975, 1990, 2010, last):
        train, scaling = prepare(panel, spec, origin)
        d = build_design(train, spec, scaling)
        assert set(d.x_names) <= set(spec.covariates), origin
        known = carry_forward(panel[panel["year"] <= origin], spec)
        at = known[known["year"] == origin]
        for name in d.x_names:
            assert at[name].notna().mean() >= spec.staleness.min_origin_coverage, (origin, name)
        for name, s in scaling.items():
            if not s.used:
                assert name not in d.x_names and s.reason
    # Leeds-Savun threat stops in 2002: carried at most 10 years, so left out at 2016
    assert not prepare(panel, spec, 2016)[1]["lsthreat_max"].used
    assert prepare(panel, spec, 1990)[1]["lsthreat_max"].used


def test_levels_are_carried_forward_events_are_not() -> None:
    spec = _spec()
    frame = pd.DataFrame({
        "atopid": 1, "year": range(2000, 2014), "bilateral": [1.0] + [np.nan] * 13,
        "depth": np.nan, "regime_change": [1.0] + [np.nan] * 13,
    })  # fmt: skip
    out = carry_forward(frame, spec)
    limit = spec.staleness.max_carry_years
    assert out["bilateral"].notna().sum() == 1 + limit
    assert (out["bilateral" + OBSERVED].dropna() == 2000).all()
    assert out["regime_change"].notna().sum() == 1  # an event is never carried
    # carrying uses only the past: the first rows of a later value do not change
    later = frame.copy()
    later.loc[13, "bilateral"] = 5.0
    pd.testing.assert_series_equal(carry_forward(later, spec)["bilateral"].iloc[:13],
                                   out["bilateral"].iloc[:13])  # fmt: skip


def test_gaps_take_the_mean_and_add_no_column() -> None:
    spec = _spec()
    panel, _ = simulate_panel(get_spec("full"), 40, seed=3)
    train, scaling = prepare(panel, spec, int(panel["year"].max()))
    X = encode_covariates(train, spec.covariates, scaling)
    assert X.shape == (len(train), 3)
    gaps = train["depth"].isna().to_numpy()
    assert gaps.any() and (X[gaps, 1] == 0.0).all()


def test_a_young_era_merges_into_the_one_before_and_is_not_collinear_with_the_shock(
    panel,
) -> None:
    spec = get_spec("full")
    train, scaling = prepare(panel, spec, 1990)
    d = build_design(train, spec, scaling)
    post = C.ERAS.index("1990-2016")
    assert d.era_map[post] == C.ERAS.index("1946-1989")
    Z = np.concatenate(list(design_blocks(spec, d).values()), axis=1)
    assert np.linalg.matrix_rank(Z) == Z.shape[1]


def test_outcomes_after_the_complete_coding_year_are_not_in_the_likelihood(panel) -> None:
    spec = ModelSpec("t", ("bilateral",), outcome_complete_through=2000)
    train, _ = prepare(panel, spec, int(panel["year"].max()))
    assert train["year"].max() == 2000


def test_design_codes_outcomes_levels_and_age_bins() -> None:
    panel, _ = simulate_panel(get_spec("full"), 40, seed=3)
    train, scaling = prepare(panel, _spec(), int(panel["year"].max()))
    d = build_design(train, _spec(), scaling)
    ends = train["event"].to_numpy() == 1
    assert (d.y[ends] > 0).all() and (d.y[~ends] == 0).all()
    assert d.x_names == ("bilateral", "depth", "regime_change")
    assert np.allclose(d.members.sum(axis=1), 1.0)
    assert list(
        age_bin_of(np.array([0, 1, 2, 3, 10, 11, 40, 41, 90]), (0, 1, 3, 6, 11, 21, 41))
    ) == [0, 1, 1, 2, 3, 4, 5, 6, 6]
    assert d.era_slope_cols.tolist() == [1]


def test_missing_columns_and_unknown_levels_are_named() -> None:
    panel, _ = simulate_panel(get_spec("full"), 10, seed=3)
    with pytest.raises(DataValidationError, match="depth"):
        prepare(panel.drop(columns=["depth"]), _spec(), 2016)
    with pytest.raises(DataValidationError, match="members"):
        prepare(panel.drop(columns=["members"]), _spec(), 2016)
    bad = panel.copy()
    bad.loc[0, "region"] = "atlantis"
    train, scaling = prepare(bad, _spec(), 2016)
    with pytest.raises(DataValidationError, match="atlantis"):
        build_design(train, _spec(), scaling)
