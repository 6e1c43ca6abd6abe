"""The one numpy hazard core: linear predictor, log-likelihood, hazards, curves, Shapley.

Multinomial-logit discrete-time competing-risks hazard (``forecast.model.build`` writes
the same formula in PyTensor; ``tests/model/test_hazard_core.py`` checks that both give
the same log-likelihood on stored draws). For unit-year ``i`` and cause ``c``
(reference outcome: no end)::

    eta[i, c] = intercept[c] + era[e_i, c] + sum_g level_g[l_gi, c] + cell[type_i, e_i, c]
              + age[a_i, c] + X[i] @ beta[:, c] + X[i, slopes] @ era_slope[e_i, :, c]
              + shock[c] * 1{year_i in shock years} + sum_s M[i, s] * state[s]
    P(y_i = c) = exp(eta[i, c]) / (1 + sum_k exp(eta[i, k]))

``M[i, s]`` = 1/m for each of the m members of the alliance in that year (multiple
membership). The log-odds of ending by any cause is ``log sum_c exp(eta[i, c])``.
Used by the export check, the forecaster (forecasts, drivers, scenarios) and the
simulator. Numpy only: the serving path never imports PyMC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from math import factorial

import numpy as np
import xarray as xr

#: variable -> dims of the serving posterior (validated by the store on load).
SERVING_SCHEMA: dict[str, tuple[str, ...]] = {
    "intercept": ("draw", "cause"),
    "era_effect": ("draw", "era", "cause"),
    "obligation_type_effect": ("draw", "obligation_type", "cause"),
    "cell_effect": ("draw", "obligation_type", "era", "cause"),
    "age_effect": ("draw", "age_bin", "cause"),
    "beta": ("draw", "x", "cause"),
    "era_slope": ("draw", "era", "era_slope_x", "cause"),
    "shock": ("draw", "cause"),
    "state_effect": ("draw", "state"),
}
#: estimated standard deviations (variance components) a fit may report
SD_NAMES = ("obligation_type_sd", "region_sd", "cell_sd", "state_sd")


@dataclass(frozen=True, slots=True)
class Effects:
    """Posterior draws of every effect (leading axis: draw; last axis: cause)."""

    intercept: np.ndarray  # (d, K)
    era: np.ndarray  # (d, E, K), E = len(C.ERAS); merged eras repeat their modelled era
    levels: dict[str, np.ndarray]  # pooling column -> (d, L, K)
    cell: np.ndarray  # (d, T, E, K) obligation type x era (zeros without cells)
    age: np.ndarray  # (d, A, K)
    beta: np.ndarray  # (d, p, K)
    slope_cols: np.ndarray  # (j,) indices into the covariates with era slopes
    era_slope: np.ndarray  # (d, E, j, K)
    shock: np.ndarray  # (d, K)
    state: np.ndarray  # (d, S)

    @property
    def n_draws(self) -> int:
        """Number of posterior draws."""
        return self.intercept.shape[0]

    def chunks(self, size: int = 100) -> Iterator[Effects]:
        """The draws in consecutive blocks of ``size`` (bounds memory over many rows)."""
        for s in range(0, self.n_draws, size):
            sl = slice(s, s + size)
            yield Effects(
                intercept=self.intercept[sl], era=self.era[sl],
                levels={k: v[sl] for k, v in self.levels.items()}, cell=self.cell[sl],
                age=self.age[sl], beta=self.beta[sl], slope_cols=self.slope_cols,
                era_slope=self.era_slope[sl], shock=self.shock[sl], state=self.state[sl],
            )  # fmt: skip

    @classmethod
    def from_posterior(cls, ds: xr.Dataset, pooling: tuple[str, ...]) -> Effects:
        """Effects of a serving posterior (``forecast.model.export``) in float64."""

        def f(name: str) -> np.ndarray:
            return np.ascontiguousarray(ds[name].to_numpy(), dtype=np.float64)

        x = [str(v) for v in ds["x"].to_numpy()]
        slopes = [str(v) for v in ds["era_slope_x"].to_numpy()]
        return cls(
            intercept=f("intercept"),
            era=f("era_effect"),
            levels={c: f(f"{c}_effect") for c in pooling},
            cell=f("cell_effect"),
            age=f("age_effect"),
            beta=f("beta"),
            slope_cols=np.array([x.index(s) for s in slopes], dtype=np.int64),
            era_slope=f("era_slope"),
            shock=f("shock"),
            state=f("state_effect"),
        )


@dataclass(frozen=True, slots=True)
class Rows:
    """Index arrays of n unit-years (what ``eta`` needs besides the effects)."""

    X: np.ndarray  # (n, p) standardised covariates
    era: np.ndarray  # (n,) modelled era index into C.ERAS
    levels: dict[str, np.ndarray]  # pooling column -> (n,) level index
    age_bin: np.ndarray  # (n,)
    shock: np.ndarray  # (n,) 1.0 in shock years
    members: np.ndarray  # (n, S) multiple-membership weights over the effects' states

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.era)


def eta(eff: Effects, rows: Rows) -> np.ndarray:
    """Linear predictors, shape (draws, n, K)."""
    out = eff.intercept[:, None, :] + eff.era[:, rows.era] + eff.age[:, rows.age_bin]
    for col, effect in eff.levels.items():
        out += effect[:, rows.levels[col]]
    if eff.cell.shape[1] and "obligation_type" in rows.levels:
        out += eff.cell[:, rows.levels["obligation_type"], rows.era]
    out += covariate_eta(eff, rows.X, rows.era)
    if rows.shock.any():
        out += rows.shock[None, :, None] * eff.shock[:, None, :]
    if eff.state.shape[1]:
        out += (rows.members @ eff.state.T).T[:, :, None]
    return out


def covariate_eta(eff: Effects, X: np.ndarray, era: np.ndarray) -> np.ndarray:
    """The covariate part ``X @ beta + X[:, slopes] @ era_slope[era]``, (draws, n, K)."""
    out = _times(X, eff.beta)
    if len(eff.slope_cols):
        xs = X[:, eff.slope_cols]
        for e in np.unique(era):
            sel = era == e
            out[:, sel] += _times(xs[sel], eff.era_slope[:, e])
    return out


def _times(X: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``einsum("np,dpk->dnk", X, coef)`` as one BLAS matrix product (numpy's einsum
    does not use BLAS here and was 100x slower at serving sizes), shape (d, n, K)."""
    d, p, k = coef.shape
    flat = X @ coef.transpose(1, 0, 2).reshape(p, d * k)  # (n, d*k)
    return np.ascontiguousarray(flat.reshape(len(X), d, k).transpose(1, 0, 2))


def log_lik(eta_: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pointwise log P(y) (y = 0 no end, k = cause k), shape (draws, n)."""
    logits = np.concatenate([np.zeros((*eta_.shape[:-1], 1)), eta_], axis=-1)
    norm = np.logaddexp.reduce(logits, axis=-1)
    picked = np.take_along_axis(
        logits, np.broadcast_to(y[None, :, None], (*eta_.shape[:-1], 1)), -1
    )
    return picked[..., 0] - norm


def hazards(eta_: np.ndarray) -> np.ndarray:
    """Cause-specific yearly hazards (multinomial logit with reference "no end")."""
    e = np.exp(eta_)
    return e / (1.0 + e.sum(axis=-1, keepdims=True))


def any_end_logodds(eta_: np.ndarray) -> np.ndarray:
    """Log-odds of ending by any cause, ``log sum_c exp(eta_c)`` (last axis reduced)."""
    return np.logaddexp.reduce(eta_, axis=-1)


def curves(haz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Survival S(1..H) and cumulative incidence F_c(1..H) from hazards (..., H, K)."""
    surv = np.cumprod(1.0 - haz.sum(axis=-1), axis=-1)
    prev = np.concatenate([np.ones_like(surv[..., :1]), surv[..., :-1]], axis=-1)
    return surv, np.cumsum(prev[..., None] * haz, axis=-2)


@lru_cache(maxsize=16)
def _shapley_matrix(n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(subsets (2^G, G) 0/1, weights (2^G, G)) with phi = v(subsets) @ weights."""
    subsets = ((np.arange(2**n_groups)[:, None] >> np.arange(n_groups)) & 1).astype(float)
    size = subsets.sum(axis=1).astype(int)
    w = np.zeros((2**n_groups, n_groups))
    for g in range(n_groups):
        inside = subsets[:, g] == 1
        # phi_g = sum_{S not g} |S|! (G-|S|-1)! / G! [v(S+g) - v(S)]
        k_in = size[inside] - 1
        w[inside, g] = [factorial(k) * factorial(n_groups - k - 1) / factorial(n_groups)
                        for k in k_in]  # fmt: skip
        k_out = size[~inside]
        w[~inside, g] = [-factorial(k) * factorial(n_groups - k - 1) / factorial(n_groups)
                         for k in k_out]  # fmt: skip
    return subsets, w


def group_shapley(reference: np.ndarray, deltas: np.ndarray) -> np.ndarray:
    """Exact group Shapley values of the any-end log-odds.

    ``reference``: (..., K) linear predictor with every group at its reference value;
    ``deltas``: (..., G, K) change of the linear predictor when group g moves to its
    actual value (each eta_c is linear, so these are exact per-cause contributions).
    Returns (..., G) values that sum to ``any_end_logodds(reference + sum_g deltas) -
    any_end_logodds(reference)`` exactly (up to floating point), draw by draw.
    """
    G = deltas.shape[-2]
    if G == 0:
        return np.zeros((*deltas.shape[:-2], 0))
    subsets, w = _shapley_matrix(G)
    etas = reference[..., None, :] + np.einsum("sg,...gk->...sk", subsets, deltas)
    return any_end_logodds(etas) @ w


def schema_errors(ds: xr.Dataset, pooling: tuple[str, ...]) -> list[str]:
    """Every way ``ds`` departs from ``SERVING_SCHEMA`` (empty when it conforms)."""
    want = dict(SERVING_SCHEMA)
    for col in pooling:
        want[f"{col}_effect"] = ("draw", col, "cause")
    errors = []
    for name, dims in want.items():
        if name not in ds:
            errors.append(f"missing variable {name}")
        elif tuple(ds[name].dims) != dims:
            errors.append(f"{name} has dims {tuple(ds[name].dims)}, expected {dims}")
    return errors
