"""The stacked mixture's summary: weighted mean and weighted quantiles of pooled draws."""

import numpy as np
import pytest

from forecast.predict.forecaster import HI, LO
from forecast.predict.stacked import weighted_summary


def test_equal_weights_give_the_plain_mean_and_midpoint_quantiles():
    x = np.random.default_rng(1).beta(8, 2, size=(400, 3))
    got = weighted_summary(x, np.full(400, 1 / 400))
    np.testing.assert_allclose(got[0], x.mean(axis=0))
    np.testing.assert_allclose(got[1:], np.quantile(x, (LO, HI), axis=0, method="hazen"))


def test_a_variant_with_weight_w_counts_w_whatever_its_number_of_draws():
    rng = np.random.default_rng(2)
    a, b = rng.normal(0.9, 0.01, (1000, 1)), rng.normal(0.5, 0.01, (250, 1))
    w = np.concatenate([np.full(1000, 0.8 / 1000), np.full(250, 0.2 / 250)])
    got = weighted_summary(np.concatenate([a, b]), w)
    assert got[0, 0] == pytest.approx(0.8 * a.mean() + 0.2 * b.mean())
    # 20 % of the mass sits near 0.5: the 5 % quantile is there, the 95 % one near 0.9
    assert got[1, 0] == pytest.approx(0.5, abs=0.03) and got[2, 0] == pytest.approx(0.9, abs=0.03)
