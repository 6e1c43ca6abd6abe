"""Parameter recovery: simulate lifetimes from known hierarchical hazards (with
member-state effects shared across alliances), fit, and check that the truth, the
variance component included, lies in the posterior's 90% credible intervals."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.config import SamplerConfig
from forecast.model.fit import fit_model
from forecast.model.simulate import default_truth, simulate_panel
from forecast.model.spec import ModelSpec

SPEC = ModelSpec(
    "recovery",
    ("bilateral", "asymm", "depth", "cap_shift"),
    pooling=("obligation_type",),
    pool_cells=False,
)


@pytest.mark.slow
def test_truth_and_variance_components_lie_in_credible_intervals() -> None:
    truth = default_truth(SPEC, seed=11)
    truth = type(truth)(
        truth.intercept, truth.era, truth.obligation, truth.age,
        np.array([[0.8, 0.0, -0.5, 0.3], [-0.6, 0.4, 0.0, 0.0],
                  [0.0, -0.7, 0.5, 0.0], [0.5, 0.5, 0.0, -0.4]]),
        state_sd=0.8, n_states=40,
    )  # fmt: skip
    panel, truth = simulate_panel(SPEC, 400, truth=truth, seed=5, missing_rate=0.0)
    cfg = SamplerConfig(chains=2, draws=250, tune=300, seed=3)
    fit = fit_model(SPEC, panel, sampler=cfg, compute_loo=False)
    post = fit.posterior
    sd = np.array([fit.manifest.covariate(c).sd for c in SPEC.covariates])
    beta_true = truth.beta * sd[:, None]  # per training sd, as the model estimates it
    beta = post["beta"].sel(x=list(SPEC.covariates)).to_numpy()
    lo, hi = np.quantile(beta, [0.05, 0.95], axis=0)
    covered = (lo <= beta_true) & (beta_true <= hi)
    assert covered.mean() >= 0.75, f"beta coverage {covered.mean():.2f}\n{lo}\n{hi}"
    strong = np.abs(beta_true) >= 0.5
    assert (np.sign(np.median(beta, axis=0)[strong]) == np.sign(beta_true[strong])).all()
    # the member-state sd: covered, and clearly away from zero
    state = next(v for v in fit.manifest.variance_components if v.name == "state_sd")
    draws = post["state_sd"].to_numpy()
    q05, q95 = np.quantile(draws, [0.05, 0.95])
    assert q05 <= truth.state_sd <= q95, (q05, q95)
    assert q05 > 0.2 and state.contraction > 0.2
    # the obligation-type sd of the sum-to-zero batch is informed too
    ob = next(v for v in fit.manifest.variance_components if v.name == "obligation_type_sd")
    assert ob.q05 > 0.0
    assert fit.diagnostics.divergences <= 2
