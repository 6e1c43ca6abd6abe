"""Coefficients and average predictive comparisons read from a forecaster's draws.

* ``effects``: per covariate x cause (x era where the slope varies by era) the odds ratio
  of the cause's yearly hazard for a change of one stated ``step`` of the covariate in
  natural units (at yearly hazards of a few per cent it is the hazard ratio), with a 90 %
  interval. The model's slopes are per training sd, so the ratio is
  ``exp(beta * step / sd)``.
* ``contrast``: the average predictive comparison of a covariate over the units at risk at
  ``as_of``: P(persist ``horizon`` years) averaged over them with the covariate set to
  ``A`` for every unit, the same at ``B``, and the difference, draw by draw. Defaults per
  covariate are stated by ``contrast_defaults``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from forecast.errors import InputError
from forecast.model.covariates import describe
from forecast.panel import columns as C
from forecast.predict.scenarios import allowed_range
from forecast.predict.types import Interval

LO, HI = 0.05, 0.95
#: ``from``/``to`` value meaning "each unit's own value at as_of".
OBSERVED = "observed"
#: Covariates whose default contrast is not the generic rule (see ``contrast_defaults``).
DEFAULTS: dict[str, tuple[float | str, float | str, str]] = {
    "share_at_2pct": (OBSERVED, 1.0, "today's share of members at 2 % of GDP against all"),
    "alliance_milex_gdp": (OBSERVED, 2.0, "today's spending against every member at 2 %"),
}


def _iv(x: np.ndarray) -> Interval:
    lo, hi = np.quantile(x, (LO, HI))
    return Interval(float(x.mean()), float(lo), float(hi))


def step_of(unit: str, lo: float, hi: float) -> float:
    """The stated unit of an effect: 1 for indicators, counts and scales wider than 2;
    0.1 for shares and indices on 0-1."""
    if "indicator" in unit or hi - lo > 2:
        return 1.0
    return 0.1


@dataclass(frozen=True, slots=True)
class Effect:
    """Odds ratio of one cause's yearly hazard per ``step`` of a covariate."""

    covariate: str
    cause: str
    era: str | None  # None: the slope is the same in every era
    family: str
    unit: str
    step: float
    hazard_ratio: Interval
    p_increase: float  # posterior probability that the ratio exceeds 1


def effects(fc) -> list[Effect]:  # type: ignore[no-untyped-def]
    """Every covariate x cause (x modelled era for era-varying slopes) of ``fc``'s model."""
    beta = fc.eff.beta  # (d, p, K)
    slope_pos = {int(j): n for n, j in enumerate(fc.eff.slope_cols)}
    eras = sorted(set(fc.manifest.era_map))
    out = []
    for j, name in enumerate(fc.covariates):
        s = fc.scaling[name]
        family, unit, _, _ = describe(name)
        step = step_of(unit, s.lo, s.hi)
        for k, cause in enumerate(fc.causes):
            slopes = {None: beta[:, j, k]}
            if j in slope_pos:
                slopes = {
                    C.ERAS[e]: beta[:, j, k] + fc.eff.era_slope[:, e, slope_pos[j], k] for e in eras
                }
            for era, b in slopes.items():
                log_hr = b * step / s.sd
                out.append(
                    Effect(name, cause, era, family, unit, step, _interval_exp(log_hr),
                           float((log_hr > 0).mean()))
                )  # fmt: skip
    return out


def _interval_exp(log_hr: np.ndarray) -> Interval:
    lo, hi = np.quantile(log_hr, (LO, HI))
    return Interval(float(np.exp(log_hr).mean()), float(math.exp(lo)), float(math.exp(hi)))


def contrast_defaults(fc, covariate: str) -> tuple[float | str, float | str, str]:  # type: ignore[no-untyped-def]
    """(from, to, rule) of a covariate's default contrast: ``DEFAULTS`` when listed;
    indicators 0 -> 1; otherwise the 25th -> 75th percentile over the units at risk at
    ``as_of`` (the training mean -/+ one sd when those coincide)."""
    if covariate in DEFAULTS:
        return DEFAULTS[covariate]
    _, unit, _, _ = describe(covariate)
    if "indicator" in unit:
        return 0.0, 1.0, "0 -> 1 (indicator)"
    vals = fc.population_values()[covariate].dropna()
    lo, hi = np.quantile(vals, (0.25, 0.75)) if len(vals) else (np.nan, np.nan)
    if not np.isfinite(lo) or hi <= lo:
        s = fc.scaling[covariate]
        return s.mean - s.sd, s.mean + s.sd, "training mean - 1 sd -> + 1 sd"
    return float(lo), float(hi), f"25th -> 75th percentile of the units at risk at {fc.as_of}"


@dataclass(frozen=True, slots=True)
class Contrast:
    """Average predictive comparison of one covariate (see the module docstring)."""

    covariate: str
    horizon: int
    as_of: int
    n_units: int
    value_from: float | str
    value_to: float | str
    rule: str
    p_persist_from: Interval
    p_persist_to: Interval
    difference: Interval  # to - from


def _parse(value: float | str | None, name: str) -> float | str | None:
    if value is None or value == OBSERVED:
        return value
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be a number or {OBSERVED!r}, got {value!r}", field=name
        ) from None
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite", field=name)
    return x


def contrast(  # type: ignore[no-untyped-def]
    fc,
    covariate: str,
    horizon: int,
    value_from: float | str | None = None,
    value_to: float | str | None = None,
) -> Contrast:
    """The average predictive comparison of ``covariate`` between two values."""
    if covariate not in fc.scenario_covariates:
        raise InputError(
            f"covariate {covariate!r} is not used by model {fc.model!r}",
            field="covariate",
            allowed=list(fc.scenario_covariates),
        )
    d_from, d_to, rule = contrast_defaults(fc, covariate)
    a, b = _parse(value_from, "from"), _parse(value_to, "to")
    if a is not None or b is not None:
        rule = "as requested"
    a = d_from if a is None else a
    b = d_to if b is None else b
    s = fc.scaling[covariate]
    lo, hi = allowed_range(s)
    for name, v in (("from", a), ("to", b)):
        if v != OBSERVED and not lo <= float(v) <= hi:
            raise InputError(
                f"{name}={v:.4g} for {covariate} is outside the range the model can speak to "
                f"[{lo:.4g}, {hi:.4g}] (training range widened by 25 % each side)",
                field=name,
                allowed={"min": lo, "max": hi},
            )
    base = fc.population_values()
    surv = {}
    for v in (a, b):
        values = base.copy()
        if v != OBSERVED:
            values[covariate] = float(v)
        surv[v] = fc.mean_survival(values, horizon)
    return Contrast(
        covariate, int(horizon), fc.as_of, len(base), a, b, rule,
        _iv(surv[a]), _iv(surv[b]), _iv(surv[b] - surv[a]),
    )  # fmt: skip
