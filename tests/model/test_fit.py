"""Real sampling on a small simulated panel (few draws; compiled once per session)."""

import numpy as np
import pytest
from pydantic import ValidationError

from forecast.model.config import GATES, QUICK, SamplerConfig
from forecast.model.diagnostics import gate_report
from forecast.model.manifest import Manifest
from tests.model.small_fit import SEED, small_fit


def test_fit_records_a_typed_manifest_with_settings_diagnostics_and_loo() -> None:
    panel, fit = small_fit()
    man = Manifest.model_validate(fit.manifest.model_dump(mode="json"))  # round-trips
    assert man.model_dump(mode="json") == fit.manifest.model_dump(mode="json")
    d = man.diagnostics
    assert d.max_rhat >= 1.0 and d.min_ess_bulk > 0 and d.bfmi_min > 0
    assert fit.passed == (not d.failed_gates)
    assert man.sampler == QUICK.model_copy(update={"seed": SEED}) and man.gates == GATES
    assert man.train_until == int(panel["year"].max())
    assert man.loo is not None
    k = man.loo.pareto_k
    assert k.n_good + k.n_bad + k.n_very_bad == man.n_rows
    assert fit.elpd_i is not None and fit.elpd_i.shape == (man.n_rows,)
    assert np.isclose(fit.elpd_i.sum(), man.loo.elpd, rtol=1e-3)
    assert {c.name for c in man.covariates} == set(fit.spec.covariates)
    # every variance component is estimated, with its posterior and a sensitivity note
    names = {v.name for v in man.variance_components}
    assert names == {"obligation_type_sd", "region_sd", "cell_sd", "state_sd"}
    assert all(v.q05 < v.mean < v.q95 and v.note for v in man.variance_components)
    assert "_fixed" not in str(man.spec)


def test_serving_posterior_is_small_float32_without_log_likelihood() -> None:
    _, fit = small_fit()
    ds = fit.posterior
    assert all(v.dtype == np.float32 for v in ds.data_vars.values())
    assert not any("log_lik" in v or v == "y" for v in ds.data_vars)
    assert ds.sizes["draw"] == QUICK.serving_draws
    # reference levels are exact zeros; every effect covers its whole vocabulary
    assert np.all(ds["era_effect"].sel(era="1946-1989").to_numpy() == 0)
    assert np.all(ds["age_effect"].isel(age_bin=0).to_numpy() == 0)
    # sum-to-zero batches
    assert np.abs(ds["obligation_type_effect"].sum("obligation_type")).max() < 1e-4
    assert ds.sizes["state"] == fit.manifest.n_states > 0
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


def test_bad_sampler_settings_are_refused_before_sampling() -> None:
    with pytest.raises(ValidationError, match="sampler"):
        SamplerConfig(sampler="metropolis")
    with pytest.raises(ValidationError, match="chains"):
        SamplerConfig(chains=0)


def test_blas_stays_single_threaded_while_the_chains_run(monkeypatch) -> None:
    # PyMC's default blas_cores="auto" raised the BLAS limit back to `cores` around the
    # sampler wherever the start method is not fork (the backtest's Dask workers are
    # spawned): OpenBLAS's threads then took 45 % of the CPU of two workers
    import multiprocessing

    import pymc as pm
    import pymc.sampling.mcmc as mcmc
    from threadpoolctl import threadpool_info

    from forecast.model.fit import sample

    seen: list[int] = []

    def record(*args, **kwargs):
        seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        raise RuntimeError("recorded")

    monkeypatch.setattr(mcmc, "_sample_external_nuts", record)
    with pm.Model() as model:
        pm.Normal("x")
    method = multiprocessing.get_start_method()
    multiprocessing.set_start_method("spawn", force=True)  # as in a Dask worker
    try:
        with pytest.raises(RuntimeError, match="recorded"):
            sample(model, QUICK.model_copy(update={"cores": 2, "chains": 2}))
    finally:
        multiprocessing.set_start_method(method, force=True)
    assert seen and set(seen) == {1}
