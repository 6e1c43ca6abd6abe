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


def _onehot(index: np.ndarray, n_levels: int, skip: int | None) -> np.ndarray:
    """Dense indicator columns of ``index`` (without the reference level ``skip``)."""
    out = (index[:, None] == np.arange(n_levels)[None, :]).astype(float)
    return np.delete(out, skip, axis=1) if skip is not None else out


def design_blocks(spec: ModelSpec, design: Design) -> dict[str, np.ndarray]:
    """Dense column blocks whose product with the coefficient blocks gives ``eta``.

    Categorical effects become indicator columns (reference level dropped), the age
    random walk becomes cumulative indicators ``1{bin >= s}`` (coefficient = step s),
    era-varying slopes become ``x_j * 1{era = e}`` columns. One matrix product then
    replaces many gathers, which keeps the gradient cheap (one GEMM each way).
    """
    ref_era = C.ERAS.index(spec.reference_era)
    n_bins = len(spec.age_bins)
    era_oh = _onehot(design.era, len(C.ERAS), ref_era)
    blocks = {"intercept": np.ones((design.n, 1)), "era_offset": era_oh}
    for col in spec.pooling:
        blocks[f"{col}_offset"] = _onehot(design.levels[col], len(LEVELS[col]), 0)
    blocks["age_step"] = (design.age_bin[:, None] >= np.arange(1, n_bins)[None, :]).astype(float)
    if design.X.shape[1]:
        blocks["beta"] = design.X
    if len(design.era_slope_cols):
        xs = design.X[:, design.era_slope_cols]  # (n, j)
        blocks["era_slope"] = (era_oh[:, :, None] * xs[:, None, :]).reshape(design.n, -1)
    if design.shock.any():
        blocks["shock"] = design.shock[:, None]
    return blocks


def _multinomial_logp(value: pt.TensorVariable, eta: pt.TensorVariable) -> pt.TensorVariable:
    """Pointwise log P(y = value) under the multinomial logit with reference class 0."""
    logits = pt.concatenate([pt.zeros((eta.shape[0], 1)), eta], axis=1)
    onehot = pt.eq(value[:, None], pt.arange(logits.shape[1])[None, :])
    return (logits * onehot).sum(axis=1) - pt.logsumexp(logits, axis=1)


def build_model(spec: ModelSpec, design: Design) -> pm.Model:
    """PyMC model of ``spec`` on ``design`` (see the module docstring for the formula)."""
    pr = spec.priors
    K = len(spec.causes)
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
    blocks = design_blocks(spec, design)

    with pm.Model(coords=coords) as model:
        coef = {
            "intercept": pm.Normal("intercept", mu=centre, sigma=pr.intercept_sd, dims="cause")[
                None, :
            ],
            "era_offset": pm.Normal("era_offset", 0.0, pr.era_sd, dims=("era_nonref", "cause")),
            "age_step": pm.Normal("age_step", 0.0, pr.age_step_sd, dims=("age_nonref", "cause")),
        }
        for col in spec.pooling:
            coef[f"{col}_offset"] = pm.Normal(
                f"{col}_offset", 0.0, pr.group_sd, dims=(f"{col}_nonref", "cause")
            )
        if "beta" in blocks:
            coef["beta"] = pm.Normal("beta", 0.0, pr.slope_sd, dims=("x", "cause"))
        if "era_slope" in blocks:
            dev = pm.Normal(
                "era_slope", 0.0, pr.era_slope_sd, dims=("era_nonref", "era_slope_x", "cause")
            )
            coef["era_slope"] = dev.reshape((-1, K))
        if "shock" in blocks:
            coef["shock"] = pm.Normal("shock", 0.0, pr.shock_sd, dims="cause")[None, :]
        Z = np.ascontiguousarray(np.concatenate([blocks[k] for k in coef], axis=1))
        W = pt.concatenate([coef[k] for k in coef], axis=0)
        eta = pt.dot(pt.constant(Z), W)
        if spec.pool_cells and design.cells:  # many sparse columns: a gather is cheaper
            s_cell = (
                pm.HalfNormal("cell_sd", pr.cell_sd_scale)
                if pr.cell_sd_fixed is None
                else pr.cell_sd_fixed
            )
            z_cell = pm.Normal("cell_z", 0.0, 1.0, dims=("cell", "cause"))
            eta = eta + (s_cell * z_cell)[design.cell]
        if spec.frailty:
            s_fr = (
                pm.HalfNormal("frailty_sd", pr.frailty_sd_scale)
                if pr.frailty_sd_fixed is None
                else pr.frailty_sd_fixed
            )
            z_fr = pm.Normal("frailty_z", 0.0, 1.0, dims="unit")
            eta = eta + (s_fr * z_fr)[design.unit][:, None]
        pm.CustomDist(
            "y", eta, logp=_multinomial_logp, observed=design.y, dtype="int64", signature="(k)->()"
        )
    return model
