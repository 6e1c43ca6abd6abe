"""Sampled posterior -> the small float32 serving dataset ``forecast.predict`` reads.

Reference levels are filled in with zeros so every effect is a full array over its
vocabulary; draws of all chains are stacked into one ``draw`` dimension and thinned
evenly to at most ``max_draws``. No log-likelihood, no latent z's.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from forecast.model.build import age_bin_labels
from forecast.model.design import LEVELS, Design
from forecast.model.spec import ARTIFACT_FORMAT, ModelSpec
from forecast.panel import columns as C


def _stack(post: xr.Dataset, name: str, max_draws: int) -> np.ndarray:
    """(draw, ...) array of ``name`` with chains stacked and evenly thinned."""
    arr = post[name].to_numpy()
    arr = arr.reshape(-1, *arr.shape[2:])
    keep = np.linspace(0, len(arr) - 1, min(max_draws, len(arr))).round().astype(int)
    return arr[keep]


def _insert_ref(arr: np.ndarray, ref: int, axis: int = 1) -> np.ndarray:
    """Insert a zero slice for the reference level at ``ref`` along ``axis``."""
    shape = list(arr.shape)
    shape[axis] = 1
    return np.concatenate(
        [arr.take(range(ref), axis), np.zeros(shape), arr.take(range(ref, arr.shape[axis]), axis)],
        axis=axis,
    )


def serving_dataset(
    posterior: xr.Dataset, spec: ModelSpec, design: Design, max_draws: int = 1000
) -> xr.Dataset:
    """Float32 dataset with every effect ``forecast.predict`` needs (see module doc)."""
    get = lambda name: _stack(posterior, name, max_draws)  # noqa: E731
    n = len(get("intercept"))
    K = len(spec.causes)
    ref_era = C.ERAS.index(spec.reference_era)
    data: dict[str, tuple] = {
        "intercept": (("draw", "cause"), get("intercept")),
        "era_effect": (("draw", "era", "cause"), _insert_ref(get("era_offset"), ref_era)),
    }
    coords: dict[str, tuple] = {
        "cause": spec.causes,
        "era": C.ERAS,
        "age_bin": age_bin_labels(spec.age_bins),
        "x": design.x_names,
        "era_slope_x": tuple(design.x_names[j] for j in design.era_slope_cols),
        "cell": design.cells,
        "unit": design.units,
    }
    for col in spec.pooling:
        data[f"{col}_effect"] = ((("draw", col, "cause")), _insert_ref(get(f"{col}_offset"), 0))
        coords[col] = LEVELS[col]
    age = np.cumsum(get("age_step"), axis=1)
    data["age_effect"] = (("draw", "age_bin", "cause"), _insert_ref(age, 0))
    has = set(posterior.data_vars)
    p, j = len(design.x_names), len(design.era_slope_cols)
    data["beta"] = (("draw", "x", "cause"), get("beta") if "beta" in has else np.zeros((n, p, K)))
    slopes = (
        _insert_ref(get("era_slope"), ref_era) if "era_slope" in has else np.zeros((n, 4, j, K))
    )
    data["era_slope"] = (("draw", "era", "era_slope_x", "cause"), slopes)
    data["shock"] = (("draw", "cause"), get("shock") if "shock" in has else np.zeros((n, K)))
    pr = spec.priors
    if "cell_z" in has:
        sd = get("cell_sd") if "cell_sd" in has else np.full(n, pr.cell_sd_fixed or 0.0)
        data["cell_sd"] = (("draw",), sd)
        data["cell_effect"] = (("draw", "cell", "cause"), sd[:, None, None] * get("cell_z"))
    else:
        data["cell_sd"] = (("draw",), np.zeros(n))
        data["cell_effect"] = (("draw", "cell", "cause"), np.zeros((n, 0, K)))
    if "frailty_z" in has:
        sd = get("frailty_sd") if "frailty_sd" in has else np.full(n, pr.frailty_sd_fixed or 0.0)
        data["frailty_sd"] = (("draw",), sd)
        data["frailty"] = (("draw", "unit"), sd[:, None] * get("frailty_z"))
    else:
        data["frailty_sd"] = (("draw",), np.zeros(n))
        data["frailty"] = (("draw", "unit"), np.zeros((n, len(design.units))))
    ds = xr.Dataset(
        {k: (dims, np.asarray(v, dtype=np.float32)) for k, (dims, v) in data.items()},
        coords={k: list(v) for k, v in coords.items()},
    )
    ds.attrs.update(model=spec.name, spec_hash=spec.spec_hash, format=ARTIFACT_FORMAT)
    return ds
