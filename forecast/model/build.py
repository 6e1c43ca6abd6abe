"""The one PyMC build function: ``build_model(spec, design) -> pm.Model``.

The formula is the one of ``forecast.model.hazard`` (the numpy core), written in
PyTensor. Fixed effects (intercept, era offsets from the reference era, the age random
walk, covariate slopes, era slope deviations, the 1990-92 shock) are one dense design
product; the hierarchy is estimated, never fixed:

* obligation type and region: sum-to-zero offsets (``ZeroSumNormal``) per cause, each
  batch with its own estimated sd;
* obligation type x era: a sum-to-zero interaction (both margins) with an estimated sd;
* member states: ``state[s] ~ N(0, sd_state)`` shared by every alliance the state
  belongs to; an alliance-year gets the mean effect of its members (multiple
  membership; shared across causes).

Every effect with an estimated sd is non-centered. Prior scales come from
``spec.priors`` (justified there). The likelihood is a ``Potential`` that gathers only
the event rows (the gradient's cost is one dense product and one exp over the rows);
``record_likelihood`` adds ``log_lik_total`` (checks only), and the pointwise
log-likelihood for PSIS-LOO comes from the numpy core (``forecast.model.hazard``) on the
stored draws.
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


def reference_era(spec: ModelSpec, design: Design) -> int:
    """Modelled era index that serves as the reference (the spec's, after merging)."""
    return design.era_map[C.ERAS.index(spec.reference_era)]


def nonref_eras(spec: ModelSpec, design: Design) -> tuple[int, ...]:
    """Modelled eras with their own offsets (all but the reference)."""
    ref = reference_era(spec, design)
    return tuple(e for e in design.eras if e != ref)


def design_blocks(spec: ModelSpec, design: Design) -> dict[str, np.ndarray]:
    """Dense column blocks whose product with the fixed-effect blocks gives their eta.

    The age random walk becomes cumulative indicators ``1{bin >= s}`` (coefficient =
    step s), era slopes become ``x_j * 1{era = e}`` columns: one matrix product replaces
    many gathers, which keeps the gradient cheap.
    """
    n_bins = len(spec.age_bins)
    eras = nonref_eras(spec, design)
    era_oh = (design.era[:, None] == np.array(eras)[None, :]).astype(float)
    blocks = {"intercept": np.ones((design.n, 1))}
    if eras:
        blocks["era_offset"] = era_oh
    blocks["age_step"] = (design.age_bin[:, None] >= np.arange(1, n_bins)[None, :]).astype(float)
    if design.X.shape[1]:
        blocks["beta"] = design.X
    if len(design.era_slope_cols) and eras:
        xs = design.X[:, design.era_slope_cols]  # (n, j)
        blocks["era_slope"] = (era_oh[:, :, None] * xs[:, None, :]).reshape(design.n, -1)
    if design.shock.any():
        blocks["shock"] = design.shock[:, None]
    return blocks


def onehot(index: np.ndarray, n_levels: int) -> np.ndarray:
    """Dense 0/1 indicator columns of ``index``."""
    return (index[:, None] == np.arange(n_levels)[None, :]).astype(float)


#: Blocks whose columns vary continuously by row; every other block is 0/1 structure
#: (intercept, era, age, shock, pooling levels) that repeats over many rows.
DENSE_BLOCKS = ("beta", "era_slope")


def linear_predictor(blocks: dict[str, np.ndarray], coef: dict) -> pt.TensorVariable:
    """``sum_k blocks[k] @ coef[k]`` as two products: the dense covariate columns row by
    row, and the structural 0/1 columns once per distinct structural row (a few hundred
    profiles of era x age x type x region instead of ~15,000 rows), gathered back."""
    dense = [k for k in coef if k in DENSE_BLOCKS]
    struct = [k for k in coef if k not in DENSE_BLOCKS]
    S = np.concatenate([blocks[k] for k in struct], axis=1)
    profiles, row_profile = np.unique(S, axis=0, return_inverse=True)
    W_s = pt.concatenate([coef[k] for k in struct], axis=0)
    eta = pt.dot(pt.constant(np.ascontiguousarray(profiles)), W_s)[row_profile.ravel()]
    if dense:
        X = np.ascontiguousarray(np.concatenate([blocks[k] for k in dense], axis=1))
        eta = eta + pt.dot(pt.constant(X), pt.concatenate([coef[k] for k in dense], axis=0))
    return eta


def log_likelihood(eta: pt.TensorVariable, y: np.ndarray) -> pt.TensorVariable:
    """Total log P(y) of the multinomial logit with reference class 0:
    ``sum_{i: y_i > 0} eta[i, y_i - 1] - sum_i log(1 + sum_c exp(eta[i, c]))``. Only the
    few event rows are gathered; hazards are small, so log1p of the summed exps is stable."""
    events = np.flatnonzero(y > 0)
    picked = eta[events, y[events] - 1].sum() if len(events) else 0.0
    return picked - pt.log1p(pt.exp(eta).sum(axis=1)).sum()


def _coords(spec: ModelSpec, design: Design) -> dict[str, tuple]:
    coords: dict[str, tuple] = {
        "cause": spec.causes,
        "x": design.x_names,
        "era_nonref": tuple(C.ERAS[e] for e in nonref_eras(spec, design)),
        "era_model": tuple(C.ERAS[e] for e in design.eras),
        "age_nonref": age_bin_labels(spec.age_bins)[1:],
        "era_slope_x": tuple(design.x_names[j] for j in design.era_slope_cols),
        "state": design.states,
    }
    for col in spec.pooling:
        coords[col] = LEVELS[col]
    return coords


def build_model(spec: ModelSpec, design: Design, *, record_likelihood: bool = False) -> pm.Model:
    """PyMC model of ``spec`` on ``design`` (see the module docstring for the formula).

    ``record_likelihood`` adds the deterministic ``log_lik_total`` (the likelihood per
    draw) for checks; fits leave it out (nutpie evaluates deterministics per draw in one
    thread, which would throttle the chains)."""
    pr = spec.priors
    K = len(spec.causes)
    centre = np.log([spec.base_rate(c) / (1 - spec.base_rate(c)) for c in spec.causes])
    blocks = design_blocks(spec, design)

    with pm.Model(coords=_coords(spec, design)) as model:
        coef = {
            "intercept": pm.Normal("intercept", mu=centre, sigma=pr.intercept_sd, dims="cause")[
                None, :
            ]
        }
        if "era_offset" in blocks:
            coef["era_offset"] = pm.Normal(
                "era_offset", 0.0, pr.era_sd, dims=("era_nonref", "cause")
            )
        coef["age_step"] = pm.Normal("age_step", 0.0, pr.age_step_sd, dims=("age_nonref", "cause"))
        if "beta" in blocks:
            coef["beta"] = pm.Normal("beta", 0.0, pr.slope_sd, dims=("x", "cause"))
        if "era_slope" in blocks:
            dev = pm.Normal(
                "era_slope", 0.0, pr.era_slope_sd, dims=("era_nonref", "era_slope_x", "cause")
            )
            coef["era_slope"] = dev.reshape((-1, K))
        if "shock" in blocks:
            coef["shock"] = pm.Normal("shock", 0.0, pr.shock_sd, dims="cause")[None, :]
        for col in spec.pooling:  # sum-to-zero offsets, estimated sd, as dense columns
            sd = pm.HalfNormal(f"{col}_sd", pr.group_sd_scale)
            z = pm.ZeroSumNormal(f"{col}_z", sigma=1.0, dims=("cause", col))
            blocks[f"{col}_effect"] = onehot(design.levels[col], len(LEVELS[col]))
            coef[f"{col}_effect"] = (sd * z).T
        if spec.pool_cells and len(design.eras) > 1:
            sd = pm.HalfNormal("cell_sd", pr.cell_sd_scale)
            z = pm.ZeroSumNormal(
                "cell_z", sigma=1.0, dims=("cause", "obligation_type", "era_model"),
                n_zerosum_axes=2,
            )  # fmt: skip
            n_eras = len(design.eras)
            era_pos = np.searchsorted(np.array(design.eras), design.era)
            cell_ix = design.levels["obligation_type"] * n_eras + era_pos
            blocks["cell_effect"] = onehot(cell_ix, len(LEVELS["obligation_type"]) * n_eras)
            coef["cell_effect"] = (sd * z).transpose(1, 2, 0).reshape((-1, K))
        eta = linear_predictor(blocks, coef)
        if spec.member_effects and design.states:
            sd = pm.HalfNormal("state_sd", pr.state_sd_scale)
            z = pm.Normal("state_z", 0.0, 1.0, dims="state")
            # member sets repeat over the years of a phase: one small product per set
            sets, row_set = np.unique(design.members, axis=0, return_inverse=True)
            eta = eta + pt.dot(pt.constant(sets), sd * z)[row_set.ravel()][:, None]
        total = log_likelihood(eta, design.y)
        pm.Potential("likelihood", total)
        if record_likelihood:
            pm.Deterministic("log_lik_total", total)
    return model
