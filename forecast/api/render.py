"""Forecast value types -> JSON-ready dicts (the shapes in ``forecast.api.schemas``).

:func:`forecast_body` is the one writer of a forecast body; the per-request answers
(:func:`forecast`) and the precomputed baselines (:func:`baseline_bodies`) both go through it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from forecast.predict.types import Driver, Forecast, Interval

if TYPE_CHECKING:
    from forecast.predict.forecaster import ForecastTable

ROUND = 6
#: credible mass of every ``lo``/``hi`` the API sends
INTERVAL = 0.9
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


Kind = Literal["baseline", "scenario", "difference"]


def survival_points(as_of: int, survival: Sequence[Interval]) -> list[dict[str, Any]]:
    """``survival`` as the body's points: ``{year, h, mean, lo, hi}`` for h = 1, 2, ..."""
    return [{"year": as_of + h, "h": h, **interval(iv)} for h, iv in enumerate(survival, start=1)]


def forecast_body(
    *,
    kind: Kind,
    atopid: int,
    label: str,
    as_of: int,
    horizon: int,
    p_persist: Interval,
    p_end: Interval,
    causes: Mapping[str, Interval],
    survival: list[dict[str, Any]],
    drivers: Mapping[str, Any],
    provenance: Mapping[str, Any],
    note: str | None,
) -> dict[str, Any]:
    """The JSON body of one forecast: the one place its shape (``schemas.ForecastOut``)
    is written, for the per-request answers and the precomputed baselines alike.

    ``survival`` comes from :func:`survival_points` and ``drivers`` from
    :func:`drivers_block`, so that the precompute renders them once per alliance.
    """
    return {
        "kind": kind,
        "atopid": atopid,
        "label": label,
        "as_of": as_of,
        "horizon": horizon,
        "target_year": as_of + horizon,
        "interval": INTERVAL,
        "p_persist": interval(p_persist),
        "p_end": interval(p_end),
        "causes": {c: interval(iv) for c, iv in causes.items()},
        "survival": survival,
        **drivers,
        "model": provenance,
        "note": note,
    }


def forecast(
    f: Forecast,
    *,
    label: str,
    provenance: Mapping[str, Any],
    kind: Kind = "baseline",
    include_survival: bool = True,
    note: str | None = None,
) -> dict[str, Any]:
    """JSON body of one forecast, with its provenance (see :func:`forecast_body`)."""
    return forecast_body(
        kind=kind,
        atopid=f.atopid,
        label=label,
        as_of=f.as_of,
        horizon=f.horizon,
        p_persist=f.p_persist,
        p_end=f.p_end,
        causes=f.causes,
        survival=survival_points(f.as_of, f.survival) if include_survival else [],
        drivers=drivers_block(f),
        provenance=provenance,
        note=note,
    )


def to_json(body: Mapping[str, Any]) -> bytes:
    """A body as compact JSON bytes (what the API sends)."""
    return json.dumps(body, separators=(",", ":")).encode()


def baseline_bodies(
    table: ForecastTable,
    labels: Mapping[int, str],
    drivers: Mapping[int, Mapping[str, Any]],
    provenance: Mapping[str, Any],
) -> dict[tuple[int, int], bytes]:
    """JSON bytes of every (alliance, horizon) baseline in a forecast table, each built
    by :func:`forecast_body`; ``drivers`` holds each alliance's :func:`drivers_block`."""
    out: dict[tuple[int, int], bytes] = {}
    as_of = int(table.as_of)
    prov = dict(provenance)
    for i, atopid in enumerate(table.atopids.tolist()):
        if atopid not in labels:
            continue
        mean, lo, hi = table.p_persist[:, i, :].tolist()
        causes = table.causes[:, i].tolist()  # (3, H, K)
        persist = [Interval(m, a, b) for m, a, b in zip(mean, lo, hi, strict=True)]
        points = survival_points(as_of, persist)
        for j, p in enumerate(persist):
            body = forecast_body(
                kind="baseline",
                atopid=atopid,
                label=labels[atopid],
                as_of=as_of,
                horizon=j + 1,
                p_persist=p,
                p_end=Interval(1.0 - p.mean, 1.0 - p.hi, 1.0 - p.lo),
                causes={
                    c: Interval(causes[0][j][k], causes[1][j][k], causes[2][j][k])
                    for k, c in enumerate(table.cause_names)
                },
                survival=points[: j + 1],
                drivers=drivers[atopid],
                provenance=prov,
                note=None,
            )
            out[(atopid, j + 1)] = to_json(body)
    return out
