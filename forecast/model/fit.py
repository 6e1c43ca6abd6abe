"""Fit one model variant: design -> PyMC -> diagnostics, LOO, serving posterior, manifest.

``fit_model`` is the Python API that the CLI (`alliance-forecast fit`), the refit job
and the backtest share; ``Registry.save(result)`` stores what it returns. Sampler and
gate settings come from ``forecast.model.config`` and are saved in the manifest.
"""

from __future__ import annotations

import importlib.metadata as md
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import xarray as xr

from forecast.model.config import GATES, PRODUCTION, GatePolicy, SamplerConfig
from forecast.model.covariates import covariate_records
from forecast.model.design import Design, build_design, prepare
from forecast.model.manifest import Diagnostics, LooSummary, Manifest
from forecast.model.spec import ARTIFACT_FORMAT, ModelSpec, get_spec

LIBRARIES = ("pymc", "pytensor", "nutpie", "arviz", "arviz-stats", "numpy", "xarray", "pandas")


@dataclass(slots=True)
class FitResult:
    """Everything a fit produces; ``registry.save(result)`` persists it."""

    spec: ModelSpec
    posterior: xr.Dataset  # float32 serving dataset (forecast.model.export)
    manifest: Manifest  # everything but ``version`` and ``files`` (set by the registry)
    design: Design = field(repr=False)
    elpd_i: np.ndarray | None = None  # pointwise LOO elpd (for stacking), not served
    idata: xr.DataTree | None = field(default=None, repr=False)  # full trace, not stored

    @property
    def diagnostics(self) -> Diagnostics:
        """Convergence diagnostics and the gate verdict."""
        return self.manifest.diagnostics

    @property
    def passed(self) -> bool:
        """True when every gate passed."""
        return self.manifest.diagnostics.passed


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape a fit."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def sample(model, cfg: SamplerConfig, progress: bool = False) -> xr.DataTree:
    """NUTS draws of ``model`` with the settings of ``cfg``.

    BLAS runs single-threaded while sampling: the chains are the parallelism, and
    OpenBLAS's own threads spinning beside them made each gradient 5-8x dearer on the
    2-core machine. The compiled gradient's dot products call SciPy's OpenBLAS, so it is
    loaded before the limit is set (threadpoolctl limits the libraries loaded by then;
    ``benchmarks/results/fit_gradient.json``). ``blas_cores=None`` keeps PyMC from
    raising the limit again to ``cores`` inside it (its default, "auto"): in two backtest
    workers OpenBLAS's threads then took 45 % of the CPU."""
    import pymc as pm
    import scipy.linalg.cython_blas  # noqa: F401  (numba's dot: load its OpenBLAS before the limit)
    from threadpoolctl import threadpool_limits

    kwargs = {}
    if cfg.sampler == "nutpie" and cfg.low_rank:
        kwargs["nuts"] = {"adaptation": "low_rank"}
    with threadpool_limits(limits=1, user_api="blas"):
        return pm.sample(
            draws=cfg.draws,
            tune=cfg.tune,
            chains=cfg.chains,
            cores=min(cfg.chains, cfg.cores),
            random_seed=cfg.seed,
            nuts_sampler=cfg.sampler,
            target_accept=cfg.target_accept,
            progressbar=progress,
            model=model,
            blas_cores=None,
            **kwargs,
        )


def fit_model(
    spec_name: str | ModelSpec,
    panel: pd.DataFrame,
    *,
    until: int | None = None,
    sampler: SamplerConfig = PRODUCTION,
    gates: GatePolicy = GATES,
    progress: bool = False,
    data_manifest_sha256: str | None = None,
    compute_loo: bool = True,
    data_through: dict[str, int] | None = None,
) -> FitResult:
    """Sample the posterior of a variant at origin ``until`` (default: the last panel year).

    The covariate rule and the outcome window are those of the spec
    (``forecast.model.design``). Never raises on a failed gate: the manifest says
    ``passed=False`` and lists the gates.
    """
    from forecast.model.build import build_model
    from forecast.model.diagnostics import psis_loo, sampling_diagnostics, variance_components
    from forecast.model.export import serving_dataset

    spec = spec_name if isinstance(spec_name, ModelSpec) else get_spec(spec_name)
    t_start = time.perf_counter()
    origin = int(until) if until is not None else int(panel["year"].max())
    train, scaling = prepare(panel, spec, origin)
    design = build_design(train, spec, scaling)
    model = build_model(spec, design)
    t0 = time.perf_counter()
    idata = sample(model, sampler, progress)
    wall = time.perf_counter() - t0
    diag = sampling_diagnostics(idata, gates)
    posterior = serving_dataset(
        idata["posterior"].to_dataset(), spec, design, sampler.serving_draws
    )
    loo = psis_loo(posterior, spec, design) if compute_loo else None
    manifest = Manifest(
        model=spec.name,
        spec_hash=spec.spec_hash,
        spec=spec.to_dict(),
        format=ARTIFACT_FORMAT,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        train_until=origin,
        outcome_through=int(design.years.max()),
        train_first_year=int(design.years.min()),
        n_rows=design.n,
        n_events={c: int((design.y == k + 1).sum()) for k, c in enumerate(spec.causes)},
        n_states=len(design.states),
        data_manifest_sha256=data_manifest_sha256,
        covariates=covariate_records(spec, scaling, panel, data_through),
        design_columns=list(design.x_names),
        era_map=list(design.era_map),
        sampler=sampler,
        gates=gates,
        diagnostics=Diagnostics(**diag, sampling_wall_s=round(wall, 2)),
        variance_components=variance_components(idata, spec),
        loo=LooSummary(**loo.summary) if loo else None,
        libraries=library_versions(),
        fit_wall_s=round(time.perf_counter() - t_start, 2),
    )
    return FitResult(
        spec=spec,
        posterior=posterior,
        manifest=manifest,
        design=design,
        elpd_i=loo.elpd_i.astype(np.float32) if loo else None,
        idata=idata,
    )
