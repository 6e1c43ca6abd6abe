"""Fit one model variant: design -> PyMC -> diagnostics, LOO, serving posterior, manifest.

``fit_model`` is the Python API that the CLI (`alliance-forecast fit`) and the refit job
share; ``Registry.save(result)`` stores what it returns.
"""

from __future__ import annotations

import importlib.metadata as md
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import xarray as xr

from forecast.errors import InputError
from forecast.model.design import Design, build_design
from forecast.model.spec import ARTIFACT_FORMAT, ModelSpec, get_spec

LIBRARIES = ("pymc", "pytensor", "nutpie", "arviz", "arviz-stats", "numpy", "xarray", "pandas")


@dataclass(slots=True)
class FitResult:
    """Everything a fit produces; ``registry.save(result)`` persists it."""

    spec: ModelSpec
    posterior: xr.Dataset  # float32 serving dataset (forecast.model.export)
    diagnostics: dict
    loo: dict
    manifest: dict  # everything but ``version`` (assigned by the registry)
    elpd_i: np.ndarray | None = None  # pointwise LOO elpd (for stacking), not served
    idata: xr.DataTree | None = field(default=None, repr=False)  # full trace, not stored

    @property
    def passed(self) -> bool:
        """True when every gate passed."""
        return bool(self.diagnostics.get("passed"))


def training_rows(panel: pd.DataFrame, until: int | None) -> pd.DataFrame:
    """Rows known at the end of ``until`` (all rows when None)."""
    if until is None:
        return panel
    try:
        from forecast.panel.window import truncate
    except ImportError:  # panel package not built yet: the contract is year <= until
        return panel[panel["year"] <= until]
    return truncate(panel, until)


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape a fit."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def fit_model(
    spec_name: str | ModelSpec,
    panel: pd.DataFrame,
    *,
    until: int | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 20261123,
    sampler: str = "nutpie",
    target_accept: float = 0.9,
    progress: bool = True,
    data_manifest_sha256: str | None = None,
    max_serving_draws: int = 1000,
    compute_loo: bool = True,
) -> FitResult:
    """Sample the posterior of a variant on ``panel`` (rows up to ``until``) and summarise it.

    Never raises on a failed gate: the result says ``passed=False`` and lists the gates.
    """
    import pymc as pm

    from forecast.model.build import build_model
    from forecast.model.diagnostics import psis_loo, sampling_diagnostics
    from forecast.model.export import serving_dataset

    if sampler not in ("nutpie", "pymc"):
        raise InputError(f"--sampler must be 'nutpie' or 'pymc', not {sampler!r}")
    if draws < 1 or chains < 1 or tune < 0:
        raise InputError("draws and chains must be >= 1 and tune >= 0")
    spec = spec_name if isinstance(spec_name, ModelSpec) else get_spec(spec_name)
    train = training_rows(panel, until)
    design: Design = build_design(train, spec)
    model = build_model(spec, design)
    t0 = time.perf_counter()
    idata = pm.sample(
        draws=draws,
        tune=tune,
        chains=chains,
        cores=min(chains, 2),
        random_seed=seed,
        nuts_sampler=sampler,
        target_accept=target_accept,
        progressbar=progress,
        model=model,
    )
    wall = time.perf_counter() - t0
    diag = sampling_diagnostics(idata)
    diag["sampling_wall_s"] = round(wall, 2)
    loo = psis_loo(idata, model) if compute_loo else None
    posterior = serving_dataset(idata["posterior"].to_dataset(), spec, design, max_serving_draws)
    train_until = int(until) if until is not None else int(design.years.max())
    manifest = {
        "model": spec.name,
        "spec_hash": spec.spec_hash,
        "spec": spec.to_dict(),
        "format": ARTIFACT_FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_until": train_until,
        "train_first_year": int(design.years.min()),
        "n_rows": design.n,
        "n_events": {c: int((design.y == k + 1).sum()) for k, c in enumerate(spec.causes)},
        "n_units": len(design.units),
        "data_manifest_sha256": data_manifest_sha256,
        "covariates": {
            "names": list(spec.covariates),
            "design_columns": list(design.x_names),
            "scaling": {k: v.to_dict() for k, v in design.scaling.items()},
        },
        "cells": list(design.cells),
        "sampler": {
            "name": sampler,
            "seed": seed,
            "draws": draws,
            "tune": tune,
            "chains": chains,
            "target_accept": target_accept,
            "serving_draws": int(posterior.sizes["draw"]),
        },
        "diagnostics": diag,
        "loo": loo.summary if loo else None,
        "libraries": library_versions(),
    }
    return FitResult(
        spec=spec,
        posterior=posterior,
        diagnostics=diag,
        loo=loo.summary if loo else {},
        manifest=manifest,
        elpd_i=loo.elpd_i.astype(np.float32) if loo else None,
        idata=idata,
    )
