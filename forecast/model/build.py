"""The one PyMC build function: ``build_model(spec, design) -> pm.Model``.

Multinomial-logit discrete-time competing-risks hazard. For unit-year ``i`` and cause
``c`` (reference outcome: no end)::

    eta[i, c] = intercept[c] + era[e_i, c] + sum_g level_g[l_gi, c] + s_cell * z_cell[cell_i, c]
              + age[a_i, c] + X[i] @ beta[:, c] + sum_j X[i, j] * era_slope[e_i, j, c]
              + shock[c] * 1{year_i in 1990-92} + s_frailty * z_frailty[unit_i]
    P(y_i = c) = exp(eta[i, c]) / (1 + sum_k exp(eta[i, k]))

Offsets are reference-coded (reference era, first level of each pooling column, age bin
0) so the intercept is the reference cell's log-odds; all variance parameters are
non-centered. Prior scales come from ``spec.priors`` (justified there).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from forecast.model.design import LEVELS, Design
from forecast.model.spec import ModelSpec
from forecast.panel import columns as C


def age_bin_labels(age_bins: tuple[int, ...]) -> tuple[str, ...]:
    """Human labels of the age bins, e.g. ``0``, ``1-2``, ``41+``."""
    out = []
    for i, lo in enumerate(age_bins):
        hi = age_bins[i + 1] - 1 if i + 1 < len(age_bins) else None
        out.append(f"{lo}+" if hi is None else (str(lo) if hi == lo else f"{lo}-{hi}"))
    return tuple(out)


def nonref_eras(spec: ModelSpec) -> tuple[str, ...]:
    """Eras with their own offsets (all but the reference era)."""
    return tuple(e for e in C.ERAS if e != spec.reference_era)


def _full(offsets: pt.TensorVariable, ref_index: int) -> pt.TensorVariable:
    """Insert a zero row for the reference level at ``ref_index`` (axis 0)."""
    zero = pt.zeros((1, *tuple(offsets.shape[1:])))
    return pt.concatenate([offsets[:ref_index], zero, offsets[ref_index:]], axis=0)


def build_model(spec: ModelSpec, design: Design) -> pm.Model:
    """PyMC model of ``spec`` on ``design`` (see the module docstring for the formula)."""
    pr = spec.priors
    K = len(spec.causes)
    ref_era = C.ERAS.index(spec.reference_era)
    slope_names = tuple(design.x_names[j] for j in design.era_slope_cols)
    coords: dict[str, tuple] = {
        "cause": spec.causes,
        "x": design.x_names,
        "era_nonref": nonref_eras(spec),
        "age_nonref": age_bin_labels(spec.age_bins)[1:],
        "era_slope_x": slope_names,
        "cell": design.cells,
        "unit": design.units,
    }
    for col in spec.pooling:
        coords[f"{col}_nonref"] = LEVELS[col][1:]
    centre = np.log([spec.base_rate(c) / (1 - spec.base_rate(c)) for c in spec.causes])

    with pm.Model(coords=coords) as model:
        intercept = pm.Normal("intercept", mu=centre, sigma=pr.intercept_sd, dims="cause")
        eta = pt.zeros((design.n, K)) + intercept

        era_off = pm.Normal("era_offset", 0.0, pr.era_sd, dims=("era_nonref", "cause"))
        eta = eta + _full(era_off, ref_era)[design.era]

        for col in spec.pooling:
            off = pm.Normal(f"{col}_offset", 0.0, pr.group_sd, dims=(f"{col}_nonref", "cause"))
            eta = eta + _full(off, 0)[design.levels[col]]

        if spec.pool_cells and design.cells:
            s_cell = pm.HalfNormal("cell_sd", pr.cell_sd_scale)
            z_cell = pm.Normal("cell_z", 0.0, 1.0, dims=("cell", "cause"))
            eta = eta + s_cell * z_cell[design.cell]

        steps = pm.Normal("age_step", 0.0, pr.age_step_sd, dims=("age_nonref", "cause"))
        age = pt.concatenate([pt.zeros((1, K)), pt.cumsum(steps, axis=0)], axis=0)
        eta = eta + age[design.age_bin]

        if design.X.shape[1]:
            beta = pm.Normal("beta", 0.0, pr.slope_sd, dims=("x", "cause"))
            eta = eta + pt.dot(design.X, beta)
        if len(slope_names):
            dev = pm.Normal(
                "era_slope", 0.0, pr.era_slope_sd, dims=("era_nonref", "era_slope_x", "cause")
            )
            dev_full = _full(dev, ref_era)  # (era, j, cause)
            xs = design.X[:, design.era_slope_cols]  # (n, j)
            eta = eta + (xs[:, :, None] * dev_full[design.era]).sum(axis=1)

        if design.shock.any():
            shock = pm.Normal("shock", 0.0, pr.shock_sd, dims="cause")
            eta = eta + design.shock[:, None] * shock

        if spec.frailty:
            s_fr = pm.HalfNormal("frailty_sd", pr.frailty_sd_scale)
            z_fr = pm.Normal("frailty_z", 0.0, 1.0, dims="unit")
            eta = eta + (s_fr * z_fr)[design.unit][:, None]

        logits = pt.concatenate([pt.zeros((design.n, 1)), eta], axis=1)
        pm.Categorical("y", logit_p=logits, observed=design.y)
    return model
