import numpy as np
import pandas as pd
import pytest

from forecast.errors import DataValidationError
from forecast.model.design import (
    MISSING_SUFFIX,
    age_bin_of,
    build_design,
    encode_covariates,
    fit_scaling,
)
from forecast.model.simulate import simulate_panel
from forecast.model.spec import ModelSpec, get_spec


def _spec() -> ModelSpec:
    return ModelSpec("t", ("bilateral", "depth"), era_slopes=("depth",))


def test_scaling_imputes_mean_and_adds_indicator_only_when_partly_missing() -> None:
    frame = pd.DataFrame({"bilateral": [0.0, 1.0, 1.0, 0.0], "depth": [1.0, np.nan, 3.0, 2.0]})
    sc = fit_scaling(frame, ("bilateral", "depth"))
    assert not sc["bilateral"].missing_indicator and sc["depth"].missing_indicator
    assert sc["depth"].mean == pytest.approx(2.0)
    X = encode_covariates(frame, ("bilateral", "depth"), sc)
    assert X.shape == (4, 3)
    assert X[1, 1] == 0.0 and X[1, 2] == 1.0  # imputed at the mean, flagged
    assert np.allclose(X[:, 0].mean(), 0) and np.allclose(X[:, 0].std(), 1)


def test_fully_missing_covariate_is_dropped_and_rare_gaps_get_no_indicator() -> None:
    frame = pd.DataFrame({"depth": [np.nan] * 41, "asymm": [np.nan] + [1.0, 0.0] * 20})
    sc = fit_scaling(frame, ("depth", "asymm"))
    assert sc["depth"] == type(sc["depth"])(0.0, 1.0, False, used=False)
    assert sc["asymm"].used and not sc["asymm"].missing_indicator  # 1/41 missing < 5 %
    X = encode_covariates(frame, ("depth", "asymm"), sc)
    assert X.shape == (len(frame), 1)
    assert X[0, 0] == 0.0


def test_design_codes_outcomes_levels_cells_and_age_bins() -> None:
    panel, _ = simulate_panel(get_spec("full"), 40, seed=3)
    d = build_design(panel, _spec())
    assert d.n == len(panel)
    ends = panel["event"].to_numpy() == 1
    assert (d.y[ends] > 0).all() and (d.y[~ends] == 0).all()
    assert d.x_names[:2] == ("bilateral", "depth")
    assert all(n.endswith(MISSING_SUFFIX) for n in d.x_names[2:])
    assert (d.cell >= 0).all() and len(d.cells) == len(set(d.cells))
    assert list(
        age_bin_of(np.array([0, 1, 2, 3, 10, 11, 40, 41, 90]), (0, 1, 3, 6, 11, 21, 41))
    ) == [0, 1, 1, 2, 3, 4, 5, 6, 6]
    assert d.era_slope_cols.tolist() == [1]


def test_missing_columns_and_unknown_levels_are_named() -> None:
    panel, _ = simulate_panel(get_spec("full"), 10, seed=3)
    with pytest.raises(DataValidationError, match="depth"):
        build_design(panel.drop(columns=["depth"]), _spec())
    bad = panel.copy()
    bad.loc[0, "region"] = "atlantis"
    with pytest.raises(DataValidationError, match="atlantis"):
        build_design(bad, _spec())
