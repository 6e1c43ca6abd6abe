"""The numpy hazard core is the PyMC model: same log-likelihood on stored draws."""

from __future__ import annotations

import numpy as np
import pymc as pm

from forecast.model import hazard
from forecast.model.build import build_model
from forecast.model.export import serving_dataset
from tests.model.small_fit import small_fit


def test_core_log_likelihood_equals_pymc_on_stored_draws() -> None:
    _, fit = small_fit()
    design, spec = fit.design, fit.spec
    post = fit.idata["posterior"].to_dataset().isel(draw=slice(0, 20))
    model = build_model(spec, design)
    ll = pm.compute_log_likelihood(
        post.to_dataset() if hasattr(post, "to_dataset") else post,
        model=model, extend_inferencedata=False, progressbar=False,
    )  # fmt: skip
    ll_pymc = np.asarray(ll["y"]).reshape(-1, design.n)
    served = serving_dataset(post, spec, design, max_draws=10_000)
    eff = hazard.Effects.from_posterior(served, spec.pooling)
    rows = hazard.Rows(
        X=design.X, era=design.era, levels=design.levels, age_bin=design.age_bin,
        shock=design.shock, members=design.members,
    )  # fmt: skip
    ll_core = hazard.log_lik(hazard.eta(eff, rows), design.y)
    assert ll_core.shape == ll_pymc.shape
    # float32 serving posterior: agreement to ~1e-5 per row
    np.testing.assert_allclose(ll_core, ll_pymc, atol=2e-4, rtol=1e-4)
    assert abs(ll_core.sum(axis=1) - ll_pymc.sum(axis=1)).max() < 0.05


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
