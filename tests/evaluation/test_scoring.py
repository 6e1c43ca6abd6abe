"""Scores against values computed by hand or by scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.errors import InputError
from forecast.evaluation import scoring


def test_brier_and_log_loss_by_hand():
    y = np.array([1, 0, 0, 1])
    p = np.array([0.8, 0.2, 0.4, 0.5])
    assert scoring.brier(y, p) == pytest.approx((0.04 + 0.04 + 0.16 + 0.25) / 4)
    expected = -(np.log(0.8) + np.log(0.8) + np.log(0.6) + np.log(0.5)) / 4
    assert scoring.log_loss(y, p) == pytest.approx(expected)


def test_log_loss_is_finite_for_confident_misses():
    assert np.isfinite(scoring.log_loss(np.array([1, 0]), np.array([0.0, 1.0])))


def test_auc_agrees_with_sklearn_and_is_none_for_one_class():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    p = rng.random(200)
    y = (rng.random(200) < p).astype(int)
    assert scoring.roc_auc(y, p) == pytest.approx(roc_auc_score(y, p))
    assert scoring.roc_auc(np.zeros(3), np.array([0.1, 0.2, 0.3])) is None


def test_calibration_recovers_slope_and_intercept():
    rng = np.random.default_rng(2)
    lp = rng.normal(-2.0, 1.2, 20000)
    p = 1 / (1 + np.exp(-lp))
    y = (rng.random(lp.size) < p).astype(int)
    slope, icpt = scoring.calibration(y, p)
    assert slope == pytest.approx(1.0, abs=0.06)
    assert icpt == pytest.approx(0.0, abs=0.06)
    # forecasts twice as extreme on the logit scale -> slope about 0.5
    p2 = 1 / (1 + np.exp(-(2 * lp + 2.0)))
    slope2, _ = scoring.calibration(y, p2)
    assert slope2 == pytest.approx(0.5, abs=0.05)


def test_reliability_bins_cover_every_forecast():
    rng = np.random.default_rng(3)
    p = rng.random(95)
    y = (rng.random(95) < p).astype(int)
    bins = scoring.reliability_bins(y, p, n_bins=10)
    assert bins["n"].sum() == 95
    assert len(bins) == 10
    assert (bins["mean_p"].diff().dropna() > 0).all()


def test_score_rejects_bad_input():
    with pytest.raises(InputError, match="0 or 1"):
        scoring.score(np.array([2]), np.array([0.5]))
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        scoring.score(np.array([1]), np.array([1.5]))


def test_brier_skill():
    assert scoring.brier_skill(0.075, 0.1) == pytest.approx(0.25)
