"""Parameter recovery: simulate lifetimes from known hierarchical hazards, fit, and check
that the truth lies in the posterior's 90% credible intervals."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.fit import fit_model
from forecast.model.simulate import default_truth, simulate_panel
from forecast.model.spec import ModelSpec
from forecast.panel import columns as C

SPEC = ModelSpec(
    "recovery",
    ("bilateral", "asymm", "depth", "cap_shift"),
    pooling=("obligation_type",),
    pool_cells=False,
)


@pytest.mark.slow
def test_truth_lies_in_credible_intervals() -> None:
    truth = default_truth(SPEC, seed=11)
    truth = type(truth)(
        truth.intercept, truth.era, truth.obligation, truth.age,
        np.array([[0.8, 0.0, -0.5, 0.3], [-0.6, 0.4, 0.0, 0.0],
                  [0.0, -0.7, 0.5, 0.0], [0.5, 0.5, 0.0, -0.4]]),
        frailty_sd=0.1,
    )  # fmt: skip
    panel, truth = simulate_panel(SPEC, 400, truth=truth, seed=5, missing_rate=0.0)
    fit = fit_model(SPEC, panel, draws=300, tune=300, chains=2, seed=3, progress=False,
                    compute_loo=False)  # fmt: skip
    post = fit.posterior
    sd = np.array([fit.manifest["covariates"]["scaling"][c]["sd"] for c in SPEC.covariates])
    beta_true = truth.beta * sd[:, None]  # per training sd, as the model estimates it
    beta = post["beta"].sel(x=list(SPEC.covariates)).to_numpy()
    lo, hi = np.quantile(beta, [0.05, 0.95], axis=0)
    covered = (lo <= beta_true) & (beta_true <= hi)
    assert covered.mean() >= 0.75, f"beta coverage {covered.mean():.2f}\n{lo}\n{hi}"
    # strong effects are recovered with the right sign
    strong = np.abs(beta_true) >= 0.5
    med = np.median(beta, axis=0)
    assert (np.sign(med[strong]) == np.sign(beta_true[strong])).all()
    # era offsets against the reference era (the 1990-2016 drop is the main signal)
    era = post["era_effect"].to_numpy()
    lo, hi = np.quantile(era, [0.05, 0.95], axis=0)
    ok = (lo <= truth.era) & (truth.era <= hi)
    assert ok.mean() >= 0.75, f"era coverage {ok.mean():.2f}"
    post_cold_war = C.ERAS.index("1990-2016")
    assert np.median(era[:, post_cold_war]).mean() < 0
    assert fit.diagnostics["divergences"] == 0
