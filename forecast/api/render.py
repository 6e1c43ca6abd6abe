"""Forecast value types -> JSON-ready dicts (the shapes in ``forecast.api.schemas``)."""

from __future__ import annotations

import math
from typing import Any

from forecast.predict.types import Driver, Forecast, Interval

ROUND = 6
WHAT_IF_NOTE = (
    "Model-based what-if: the fitted model's answer to changed covariates, holding the "
    "change over the whole horizon; not a prediction that the change will happen."
)


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), ROUND)


def interval(iv: Interval) -> dict[str, float | None]:
    """``{mean, lo, hi}`` rounded to 6 decimals (NaN -> null)."""
    return {"mean": _num(iv.mean), "lo": _num(iv.lo), "hi": _num(iv.hi)}


def driver(d: Driver) -> dict[str, Any]:
    """One driver group: contribution interval and the covariate values behind it."""
    return {
        "group": d.group,
        "contribution": interval(d.contribution),
        "covariates": {k: _num(v) for k, v in d.covariates.items()},
    }


def forecast(
    f: Forecast,
    *,
    label: str,
    provenance: dict[str, Any],
    kind: str = "baseline",
    include_survival: bool = True,
    note: str | None = None,
) -> dict[str, Any]:
    """JSON body of one forecast, with its provenance."""
    return {
        "kind": kind,
        "atopid": f.atopid,
        "label": label,
        "as_of": f.as_of,
        "horizon": f.horizon,
        "target_year": f.as_of + f.horizon,
        "interval": 0.9,
        "p_persist": interval(f.p_persist),
        "p_end": interval(f.p_end),
        "causes": {c: interval(iv) for c, iv in f.causes.items()},
        "survival": [
            {"year": f.as_of + h, "h": h, **interval(iv)}
            for h, iv in enumerate(f.survival, start=1)
        ]
        if include_survival
        else [],
        "drivers": [driver(d) for d in f.drivers],
        "model": provenance,
        "note": note,
    }
