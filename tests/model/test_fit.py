"""Real sampling on a small simulated panel (few draws; compiled once per session)."""

import numpy as np
import pytest

from forecast.errors import InputError
from forecast.model.diagnostics import gate_report
from forecast.model.fit import fit_model
from tests.model.small_fit import small_fit

MANIFEST_KEYS = {
    "model", "spec_hash", "created_at", "train_until", "data_manifest_sha256", "covariates",
    "sampler", "diagnostics", "loo", "libraries",
}  # fmt: skip


def test_fit_records_diagnostics_loo_and_manifest() -> None:
    panel, fit = small_fit()
    assert set(fit.manifest) >= MANIFEST_KEYS
    d = fit.diagnostics
    for key in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences", "bfmi_min", "passed"):
        assert key in d
    assert d["max_rhat"] >= 1.0 and d["min_ess_bulk"] > 0 and d["bfmi_min"] > 0
    assert fit.passed == (not d["failed_gates"])
    assert fit.manifest["sampler"]["seed"] == 7
    assert fit.manifest["train_until"] == int(panel["year"].max())
    k = fit.loo["pareto_k"]
    assert k["n_good"] + k["n_bad"] + k["n_very_bad"] == len(panel)
    assert fit.elpd_i is not None and fit.elpd_i.shape == (len(panel),)
    assert np.isclose(fit.elpd_i.sum(), fit.loo["elpd"], rtol=1e-3)
    scaling = fit.manifest["covariates"]["scaling"]
    assert set(scaling) == set(fit.spec.covariates)


def test_serving_posterior_is_small_float32_without_log_likelihood() -> None:
    _, fit = small_fit()
    ds = fit.posterior
    assert all(v.dtype == np.float32 for v in ds.data_vars.values())
    assert not any("log_lik" in v or v == "y" for v in ds.data_vars)
    assert ds.sizes["draw"] == 300
    # reference levels are exact zeros; every effect covers its whole vocabulary
    assert np.all(ds["era_effect"].sel(era="1946-1989").to_numpy() == 0)
    assert np.all(ds["age_effect"].isel(age_bin=0).to_numpy() == 0)
    assert ds.sizes["unit"] == 80
    assert ds.nbytes < 2_000_000


def test_gate_report_names_each_failed_gate() -> None:
    ok = {"max_rhat": 1.005, "min_ess_bulk": 500, "min_ess_tail": 450, "divergences": 0,
          "bfmi_min": 0.8}  # fmt: skip
    assert gate_report(ok) == {"passed": True, "failed_gates": []}
    bad = {**ok, "max_rhat": 1.02, "divergences": 3, "bfmi_min": 0.2, "min_ess_tail": 100}
    rep = gate_report(bad)
    assert not rep["passed"]
    assert len(rep["failed_gates"]) == 4
    assert any("R-hat" in g for g in rep["failed_gates"])
    assert gate_report({**ok, "max_rhat": float("nan")})["passed"] is False


def test_bad_sampler_is_refused_before_sampling() -> None:
    panel, _ = small_fit()
    with pytest.raises(InputError, match="sampler"):
        fit_model("full", panel, sampler="metropolis")
