"""The numpy hazard core is the PyMC model: same log-likelihood on stored draws."""

from __future__ import annotations

import numpy as np
import pymc as pm

from forecast.model import hazard
from forecast.model.build import build_model
from forecast.model.diagnostics import pointwise_log_lik
from forecast.model.export import serving_dataset
from tests.model.small_fit import small_fit


def test_core_log_likelihood_equals_pymc_on_stored_draws() -> None:
    """PyMC evaluates its likelihood on stored draws (``log_lik_total``); the numpy core,
    fed the float32 serving posterior of the same draws, gives the same number."""
    _, fit = small_fit()
    post = fit.idata["posterior"].to_dataset().isel(draw=slice(0, 25))
    model = build_model(fit.spec, fit.design, record_likelihood=True)
    recorded = pm.compute_deterministics(post, model=model, var_names=["log_lik_total"],
                                         progressbar=False)  # fmt: skip
    served = serving_dataset(post, fit.spec, fit.design, max_draws=10_000)  # every draw
    ll_core = pointwise_log_lik(served, fit.spec, fit.design).astype(float)
    assert ll_core.shape == (served.sizes["draw"], fit.design.n)
    ll_pymc = recorded["log_lik_total"].to_numpy().reshape(-1)
    # float32 storage: agreement to ~1e-6 relative on a total of a few thousand
    np.testing.assert_allclose(ll_core.sum(axis=1), ll_pymc, rtol=2e-5)
    # and the pointwise values are proper log-probabilities
    assert (ll_core <= 0).all()


def test_group_shapley_is_exact_and_symmetric() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(-4, 1, (50, 4))
    deltas = rng.normal(0, 0.7, (50, 5, 4))
    phi = hazard.group_shapley(ref, deltas)
    total = hazard.any_end_logodds(ref + deltas.sum(axis=1)) - hazard.any_end_logodds(ref)
    np.testing.assert_allclose(phi.sum(axis=1), total, atol=1e-12)
    # a group that changes nothing gets exactly nothing
    deltas[:, 2] = 0.0
    assert np.abs(hazard.group_shapley(ref, deltas)[:, 2]).max() < 1e-12
    # with one cause the any-end log-odds is linear: Shapley = the deltas themselves
    one = hazard.group_shapley(ref[:, :1], deltas[:, :, :1])
    np.testing.assert_allclose(one, deltas[:, :, 0], atol=1e-12)
