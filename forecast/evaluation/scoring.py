"""Scores of probability forecasts of a binary outcome (did the alliance end within H years).

Brier score, log loss, ROC AUC, calibration slope and intercept by logistic recalibration
(``logit P(y) = a + b * logit(p)``; the intercept is calibration-in-the-large, fitted with
the slope fixed at 1), and reliability bins. Probabilities are clipped to
``[EPS, 1 - EPS]`` before any logarithm so that one confident miss costs a lot, not infinity.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from forecast.errors import InputError

EPS = 1e-4


@dataclass(frozen=True, slots=True)
class Scores:
    """Scores of one set of forecasts against observed outcomes."""

    n: int
    events: int
    brier: float
    log_loss: float
    roc_auc: float | None  # None when only one class was observed
    cal_slope: float | None
    cal_intercept: float | None
    mean_p: float
    event_rate: float

    def as_dict(self) -> dict[str, float | int | None]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise InputError(
            f"outcomes and probabilities must be 1-D and equal length: {y.shape} vs {p.shape}"
        )
    if not np.isin(y, (0.0, 1.0)).all():
        raise InputError("outcomes must be 0 or 1")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise InputError("probabilities must be in [0, 1] without NaN")
    return y, p


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between the forecast probability and the 0/1 outcome."""
    y, p = _check(y, p)
    return float(np.mean((p - y) ** 2))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """Mean negative log-likelihood (natural log), with p clipped to [EPS, 1-EPS]."""
    y, p = _check(y, p)
    pc = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(pc) + (1 - y) * np.log1p(-pc)))


def roc_auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """Area under the ROC curve; None when the outcomes contain a single class."""
    from sklearn.metrics import roc_auc_score

    y, p = _check(y, p)
    if y.min() == y.max():
        return None
    return float(roc_auc_score(y, p))


def calibration(y: np.ndarray, p: np.ndarray) -> tuple[float | None, float | None]:
    """Calibration (slope, intercept) by logistic recalibration; (None, None) if not estimable.

    Slope ``b`` from ``logit P(y=1) = a + b * logit(p)`` (1 is ideal; < 1 means too extreme
    forecasts); intercept ``a`` from ``logit P(y=1) = a + logit(p)`` (0 is ideal; > 0 means
    forecasts too low on average).
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    y, p = _check(y, p)
    if y.min() == y.max() or np.ptp(p) == 0:
        return None, None
    lp = np.log(np.clip(p, EPS, 1 - EPS)) - np.log1p(-np.clip(p, EPS, 1 - EPS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            slope_fit = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit()
            icpt_fit = sm.GLM(y, np.ones_like(lp), family=sm.families.Binomial(), offset=lp).fit()
        except (np.linalg.LinAlgError, ValueError):
            return None, None
    slope, icpt = float(slope_fit.params[1]), float(icpt_fit.params[0])
    if not (np.isfinite(slope) and np.isfinite(icpt)):
        return None, None
    return slope, icpt


def reliability_bins(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Quantile bins of the forecast: ``bin, p_lo, p_hi, n, mean_p, observed`` per bin.

    Quantile (equal-count) bins suit forecasts concentrated near zero, as alliance ends are.
    """
    y, p = _check(y, p)
    frame = pd.DataFrame({"y": y, "p": p})
    frame["bin"] = pd.qcut(frame["p"].rank(method="first"), q=min(n_bins, len(frame)), labels=False)
    out = frame.groupby("bin").agg(
        p_lo=("p", "min"),
        p_hi=("p", "max"),
        n=("y", "size"),
        mean_p=("p", "mean"),
        observed=("y", "mean"),
    )
    return out.reset_index()


def score(y: np.ndarray, p: np.ndarray) -> Scores:
    """All scalar scores of forecasts ``p`` for outcomes ``y``."""
    y, p = _check(y, p)
    if len(y) == 0:
        raise InputError("no forecasts to score")
    slope, icpt = calibration(y, p)
    return Scores(
        n=len(y),
        events=int(y.sum()),
        brier=brier(y, p),
        log_loss=log_loss(y, p),
        roc_auc=roc_auc(y, p),
        cal_slope=slope,
        cal_intercept=icpt,
        mean_p=float(p.mean()),
        event_rate=float(y.mean()),
    )


def brier_skill(model_brier: float, reference_brier: float) -> float | None:
    """``1 - Brier / Brier_ref`` (positive = better than the reference)."""
    if reference_brier <= 0:
        return None
    return 1.0 - model_brier / reference_brier
