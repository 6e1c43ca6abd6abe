"""Sampled posterior -> the small float32 serving dataset the numpy hazard core reads.

Every effect becomes a full array over its vocabulary: reference levels are zeros, and
calendar eras merged into a modelled era repeat that era's effect, so the core indexes
by calendar era. Draws of all chains are stacked into one ``draw`` dimension and thinned
evenly to at most ``max_draws``. Each estimated sd is kept (``<batch>_sd``). No
log-likelihood, no latent z's. ``SERVING_SCHEMA`` lists what a stored posterior must hold.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from forecast.model.build import age_bin_labels, nonref_eras, reference_era
from forecast.model.design import LEVELS, Design
from forecast.model.hazard import SERVING_SCHEMA  # noqa: F401  (the contract this writes)
from forecast.model.spec import ARTIFACT_FORMAT, ModelSpec
from forecast.panel import columns as C


def _stack(post: xr.Dataset, name: str, max_draws: int) -> np.ndarray:
    """(draw, ...) array of ``name`` with chains stacked and evenly thinned."""
    arr = post[name].to_numpy()
    arr = arr.reshape(-1, *arr.shape[2:])
    keep = np.linspace(0, len(arr) - 1, min(max_draws, len(arr))).round().astype(int)
    return arr[keep]


def _by_calendar_era(
    modelled: dict[int, np.ndarray], era_map: tuple[int, ...], zero, axis: int = 1
) -> np.ndarray:
    """Stack per calendar era (along ``axis``) the array of the modelled era it maps to."""
    return np.stack([modelled.get(m, zero) for m in era_map], axis=axis)


def serving_dataset(
    posterior: xr.Dataset, spec: ModelSpec, design: Design, max_draws: int = 1000
) -> xr.Dataset:
    """Float32 dataset with every effect the hazard core needs (see module doc)."""
    has = set(posterior.data_vars)

    def get(name: str) -> np.ndarray:
        return _stack(posterior, name, max_draws)

    n = len(get("intercept"))
    K = len(spec.causes)
    p, j = len(design.x_names), len(design.era_slope_cols)
    eras = nonref_eras(spec, design)
    ref = reference_era(spec, design)
    data: dict[str, tuple] = {"intercept": (("draw", "cause"), get("intercept"))}
    offsets = {ref: np.zeros((n, K))}
    if "era_offset" in has:
        offsets.update({e: get("era_offset")[:, i] for i, e in enumerate(eras)})
    data["era_effect"] = (("draw", "era", "cause"), _by_calendar_era(offsets, design.era_map, 0))
    for col in ("obligation_type", "region"):
        if f"{col}_z" in has:
            sd = get(f"{col}_sd")
            eff = sd[:, None, None] * get(f"{col}_z").transpose(0, 2, 1)
            data[f"{col}_sd"] = (("draw",), sd)
        else:
            eff = np.zeros((n, len(LEVELS[col]), K))
        data[f"{col}_effect"] = (("draw", col, "cause"), eff)
    T = len(C.OBLIGATION_TYPES)
    if "cell_z" in has:
        sd = get("cell_sd")
        z = sd[:, None, None, None] * get("cell_z").transpose(0, 2, 3, 1)  # (d, T, Em, K)
        cells = {e: z[:, :, i] for i, e in enumerate(design.eras)}
        data["cell_sd"] = (("draw",), sd)
        cell = _by_calendar_era(cells, design.era_map, np.zeros((n, T, K)), axis=2)
    else:
        cell = np.zeros((n, T, len(C.ERAS), K))
    data["cell_effect"] = (("draw", "obligation_type", "era", "cause"), cell)
    age = np.cumsum(get("age_step"), axis=1)
    data["age_effect"] = (
        ("draw", "age_bin", "cause"),
        np.concatenate([np.zeros((n, 1, K)), age], axis=1),
    )
    data["beta"] = (("draw", "x", "cause"), get("beta") if "beta" in has else np.zeros((n, p, K)))
    slopes = {ref: np.zeros((n, j, K))}
    if "era_slope" in has:
        slopes.update({e: get("era_slope")[:, i] for i, e in enumerate(eras)})
    data["era_slope"] = (
        ("draw", "era", "era_slope_x", "cause"),
        _by_calendar_era(slopes, design.era_map, np.zeros((n, j, K))),
    )
    data["shock"] = (("draw", "cause"), get("shock") if "shock" in has else np.zeros((n, K)))
    if "state_z" in has:
        sd = get("state_sd")
        data["state_sd"] = (("draw",), sd)
        data["state_effect"] = (("draw", "state"), sd[:, None] * get("state_z"))
    else:
        data["state_effect"] = (("draw", "state"), np.zeros((n, len(design.states))))
    coords: dict[str, tuple] = {
        "cause": spec.causes,
        "era": C.ERAS,
        "age_bin": age_bin_labels(spec.age_bins),
        "x": design.x_names,
        "era_slope_x": tuple(design.x_names[i] for i in design.era_slope_cols),
        "state": design.states,
        "obligation_type": LEVELS["obligation_type"],
        "region": LEVELS["region"],
    }
    ds = xr.Dataset(
        {k: (dims, np.asarray(v, dtype=np.float32)) for k, (dims, v) in data.items()},
        coords={k: list(v) for k, v in coords.items()},
    )
    ds.attrs.update(
        model=spec.name,
        spec_hash=spec.spec_hash,
        format=ARTIFACT_FORMAT,
        era_map=list(design.era_map),
    )
    return ds
