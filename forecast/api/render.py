"""Forecast value types -> JSON-ready dicts (the shapes in ``forecast.api.schemas``)."""

from __future__ import annotations

import math
from typing import Any

from forecast.predict.types import Driver, Forecast, Interval

ROUND = 6
#: drivers are rounded finer, so that their sum still equals total - reference to 1e-8
DRIVER_ROUND = 10
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


def _fine(iv: Interval | None) -> dict[str, float | None] | None:
    """``{mean, lo, hi}`` rounded to ``DRIVER_ROUND`` decimals (None stays None)."""
    if iv is None:
        return None
    r = lambda x: None if x != x else round(float(x), DRIVER_ROUND)  # noqa: E731
    return {"mean": r(iv.mean), "lo": r(iv.lo), "hi": r(iv.hi)}


def driver(d: Driver) -> dict[str, Any]:
    """One driver group: exact contribution, per-cause contributions, the covariate
    values behind it and the oldest source year of those values."""
    return {
        "group": d.group,
        "contribution": _fine(d.contribution),
        "per_cause": {c: _fine(iv) for c, iv in d.per_cause.items()},
        "covariates": {k: _num(v) for k, v in d.covariates.items()},
        "data_through": d.data_through,
    }


def drivers_block(f: Forecast) -> dict[str, Any]:
    """``drivers``, ``drivers_total``, ``drivers_reference``, ``reference``, ``data_through``."""
    return {
        "drivers": [driver(d) for d in f.drivers],
        "drivers_total": _fine(f.drivers_total),
        "drivers_reference": _fine(f.drivers_reference),
        "drivers_reference_is": f.reference or None,
        "drivers_scale": "log-odds of ending (any cause) in the first forecast year",
        "data_through": dict(f.data_through),
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
        **drivers_block(f),
        "model": provenance,
        "note": note,
    }


def _fnum(x: float) -> str:
    """A float as ``json.dumps(round(x, 6))`` writes it (NaN -> null)."""
    return "null" if x != x else repr(round(x, ROUND))


def _fiv(mean: float, lo: float, hi: float) -> str:
    return f'{{"mean":{_fnum(mean)},"lo":{_fnum(lo)},"hi":{_fnum(hi)}}}'


def baseline_bodies(
    table: Any,
    labels: dict[int, str],
    drivers: dict[int, dict[str, Any]],
    provenance: dict[str, Any],
) -> dict[tuple[int, int], bytes]:
    """JSON bodies of every (alliance, horizon) baseline in a forecast table.

    Assembled from per-alliance fragments (the survival points and drivers are written
    once per alliance, not once per horizon); ``drivers`` holds each alliance's
    :func:`drivers_block`. The result parses to exactly what :func:`forecast` gives for
    the same numbers.
    """
    import json

    prov = json.dumps(provenance, separators=(",", ":"))
    out: dict[tuple[int, int], bytes] = {}
    as_of = int(table.as_of)
    n_h = table.p_persist.shape[-1]
    for i, atopid in enumerate(table.atopids.tolist()):
        if atopid not in labels:
            continue
        mean, lo, hi = table.p_persist[:, i, :].tolist()
        causes = table.causes[:, i].tolist()  # (3, H, K)
        points = [
            f'{{"year":{as_of + j + 1},"h":{j + 1},"mean":{_fnum(mean[j])},'
            f'"lo":{_fnum(lo[j])},"hi":{_fnum(hi[j])}}}'
            for j in range(n_h)
        ]
        label = json.dumps(labels[atopid])
        drv = json.dumps(drivers[atopid], separators=(",", ":"))[1:-1]
        for h in range(1, n_h + 1):
            j = h - 1
            cause_parts = ",".join(
                f'"{c}":{_fiv(causes[0][j][k], causes[1][j][k], causes[2][j][k])}'
                for k, c in enumerate(table.cause_names)
            )
            body = (
                f'{{"kind":"baseline","atopid":{atopid},"label":{label},"as_of":{as_of},'
                f'"horizon":{h},"target_year":{as_of + h},"interval":0.9,'
                f'"p_persist":{_fiv(mean[j], lo[j], hi[j])},'
                f'"p_end":{_fiv(1.0 - mean[j], 1.0 - hi[j], 1.0 - lo[j])},'
                f'"causes":{{{cause_parts}}},"survival":[{",".join(points[:h])}],'
                f'{drv},"model":{prov},"note":null}}'
            )
            out[(atopid, h)] = body.encode()
    return out
