"""PSIS-LOO comparison of stored variants with stacking weights (ArviZ ``compare``).

Each fit keeps its pointwise elpd beside the artifact (``elpd_pointwise.npy``), so the
comparison needs no refit: the stored numbers are wrapped back into ``ELPDDataLOO``
objects and stacked. Only fits on the same rows (same data hash and training window)
are comparable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.errors import InputError
from forecast.store import Registry


def compare_versions(registry: Registry, picks: dict[str, str]) -> list[dict[str, Any]]:
    """Stacking weights and elpd differences of ``{model: version}``, best first."""
    import arviz_stats as azs
    import xarray as xr
    from arviz_stats.utils import ELPDDataLOO

    if len(picks) < 2:
        raise InputError("compare needs at least two models with a stored fit")
    elpds, keys = {}, set()
    for model, version in picks.items():
        man = registry.manifest(model, version)
        loo = man.get("loo")
        if not loo:
            raise InputError(f"{model}/{version} has no LOO in its manifest; refit it")
        keys.add((man.get("data_manifest_sha256"), man.get("train_until"), man.get("n_rows")))
        e = registry.load_elpd(model, version).astype(float)
        elpds[model] = ELPDDataLOO(
            elpd=float(loo["elpd"]),
            se=float(loo["se"]),
            p=float(loo["p_loo"]),
            n_samples=int(loo["n_samples"]),
            n_data_points=len(e),
            scale="log",
            warning=bool(loo.get("warning")),
            good_k=float(loo["pareto_k"]["good_k"]),
            elpd_i=xr.DataArray(e, dims=["y_dim_0"]),
            pareto_k=xr.DataArray(np.zeros_like(e), dims=["y_dim_0"]),
        )
    if len(keys) > 1:
        raise InputError(
            "the fits were made on different data (data hash, train_until or rows differ); "
            "refit them on the same panel before comparing"
        )
    table = azs.compare(elpds, method="stacking", round_to="none")
    rows = []
    for model, r in table.iterrows():
        rows.append(
            {
                "model": str(model),
                "version": picks[str(model)],
                "rank": int(r["rank"]),
                "elpd": float(r["elpd"]),
                "se": float(r["se"]),
                "elpd_diff": float(r["elpd_diff"]),
                "dse": float(r["dse"]),
                "weight": float(r["weight"]),
            }
        )
    return rows
