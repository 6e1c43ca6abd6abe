"""The forecast bodies the API sends: precomputed baselines, or computed on demand.

The serving runtime keeps each served model's baseline bodies; it builds them with
:func:`precompute_baselines`, which the app factory hands to it, so that the JSON shape
(:mod:`forecast.api.render`) stays in the HTTP layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from forecast.api import render
from forecast.api.schemas import MAX_HORIZON
from forecast.errors import InputError, NotForecastableError
from forecast.predict.types import Forecast, Interval
from forecast.serving import core
from forecast.serving.catalog import Catalog, not_in_force
from forecast.serving.holder import Baselines, ServedModel

#: the member-level model the member routes and the alliance page serve by default
MEMBER_MODEL = "member_exit"

if TYPE_CHECKING:
    from forecast.predict import Forecaster, ForecastTable


def baseline_drivers(
    forecaster: Forecaster, table: ForecastTable, atopids: set[int]
) -> dict[int, dict[str, Any]]:
    """:func:`render.drivers_block` of each alliance in ``atopids`` from a forecast table."""
    out: dict[int, dict[str, Any]] = {}
    for i, atopid in enumerate(table.atopids.tolist()):
        if atopid not in atopids:
            continue
        drivers_only = Forecast(
            atopid=atopid, as_of=table.as_of, horizon=1, p_persist=Interval(0, 0, 0),
            p_end=Interval(0, 0, 0), causes={}, survival=(),
            drivers=forecaster.drivers_of_table(table, atopid),
            drivers_total=Interval(*table.drivers_total[:, i].tolist()),
            drivers_reference=Interval(*table.drivers_reference[:, i].tolist()),
            reference=forecaster.reference, data_through=dict(forecaster.data_through),
        )  # fmt: skip
        out[atopid] = render.drivers_block(drivers_only)
    return out


def precompute_baselines(served: ServedModel, catalog: Catalog) -> Baselines:
    """JSON bytes of every baseline forecast: alliances in force x horizons 1..30."""
    table = core.baseline_table(served.forecaster, MAX_HORIZON)
    in_force = {a for a, s in catalog.summaries.items() if s["in_force"]}
    labels = {a: catalog.summaries[a]["label"] for a in in_force}
    drivers = baseline_drivers(served.forecaster, table, in_force)
    return render.baseline_bodies(table, labels, drivers, served.provenance)


def forecast_bytes(catalog: Catalog, served: ServedModel, atopid: int, horizon: int) -> bytes:
    """The baseline body of (alliance, horizon): precomputed, else computed now (another
    model, before the warm-up); NotFoundError / NotInForceError / NotForecastableError
    when there is no forecast to give."""
    body = served.baseline.get((atopid, horizon))
    if body is not None:
        return body
    summary = catalog.summary(atopid)
    if not summary["in_force"]:
        raise not_in_force(summary)
    f = core.forecast(served.forecaster, atopid, horizon, None)
    return render.to_json(render.forecast(f, label=summary["label"], provenance=served.provenance))


def member_forecasts(
    served: ServedModel, summary: Mapping[str, Any], names: Mapping[int, str], horizon: int
) -> dict[str, Any]:
    """The members' exit forecasts of an alliance (``summary``) under a member-level model:
    P(each current member leaves within ``horizon`` years while the alliance continues), by
    cause, with drivers, riskiest first. InputError for an alliance-level model;
    NotInForceError / NotForecastableError when the alliance has no members at risk."""
    import numpy as np

    from forecast.predict.forecaster import NotInForceError

    if not summary["in_force"]:
        raise not_in_force(summary)
    forecaster = served.forecaster
    if getattr(forecaster, "unit", "alliance") != "member":
        raise InputError(
            f"model {served.name!r} is not a member-level model; use model={MEMBER_MODEL}",
            field="model",
        )
    try:
        with np.errstate(all="ignore"):
            found = forecaster.members(summary["atopid"], horizon)
    except NotInForceError as exc:
        raise NotForecastableError(str(exc), field="atopid") from exc
    members = [
        {
            "ccode": m.ccode,
            "name": names.get(m.ccode, str(m.ccode)),
            "p_exit": render.interval(m.p_exit),
            "causes": {c: render.interval(iv) for c, iv in m.causes.items()},
            "drivers": [render.driver(d) for d in m.drivers],
            "drivers_total": render.interval(m.drivers_total),
            "drivers_reference": render.interval(m.drivers_reference),
        }
        for m in sorted(found, key=lambda m: -m.p_exit.mean)
    ]
    return {
        "atopid": summary["atopid"],
        "label": summary["label"],
        "as_of": served.as_of,
        "horizon": horizon,
        "target_year": served.as_of + horizon,
        "interval": render.INTERVAL,
        "meaning": "probability the member leaves while the alliance continues",
        "drivers_reference_is": forecaster.reference,
        "drivers_scale": "log-odds of exiting (any cause) in the first forecast year",
        "members": members,
        "model": dict(served.provenance),
    }
