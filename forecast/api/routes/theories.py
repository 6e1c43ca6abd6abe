"""The debate's questions: coefficients (effects), average predictive comparisons
(contrasts), the theory comparison and member-exit forecasts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from forecast.api.deps import Service
from forecast.api.render import interval
from forecast.api.routing import StrictQueryRoute
from forecast.api.schemas import MAX_HORIZON
from forecast.errors import InputError, NotForecastableError
from forecast.serving.catalog import not_in_force

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["theories"])

MEMBER_MODEL = "member_exit"
ModelName = Annotated[
    str | None, Query(max_length=100, description="Model name; the default model when absent.")
]
Horizon = Annotated[int, Query(ge=1, le=MAX_HORIZON, description="Years ahead of as_of (1..30).")]
Value = Annotated[
    str | None,
    Query(max_length=40, description="A value in natural units, or 'observed' (each unit's own)."),
]


@router.get("/effects")
def get_effects(state: Service, model: ModelName = None) -> dict[str, Any]:
    """Per covariate x cause (x era where the slope varies by era): the odds ratio of the
    cause's yearly hazard per stated step of the covariate (≈ hazard ratio at these
    rates), with its 90 % interval, family and unit."""
    from forecast.predict.effects import effects

    served = state.holder.get(model)
    rows = []
    for e in effects(served.forecaster):
        row = asdict(e)
        row["hazard_ratio"] = interval(e.hazard_ratio)
        rows.append(row)
    return {
        "model": dict(served.provenance),
        "as_of": served.as_of,
        "interval": 0.9,
        "scale": "odds ratio of the cause's yearly hazard per `step` of the covariate "
        "(natural units); > 1 raises the risk of that way of ending",
        "effects": rows,
    }


@router.get("/contrasts/{covariate}")
def get_contrast(
    state: Service,
    covariate: Annotated[str, Path(max_length=100, description="A covariate the model uses.")],
    horizon: Horizon = 10,
    value_from: Annotated[Value, Query(alias="from")] = None,
    value_to: Annotated[Value, Query(alias="to")] = None,
    model: ModelName = None,
) -> dict[str, Any]:
    """Average predictive comparison over the alliances in force at as_of: P(persist
    ``horizon`` years) with the covariate at ``from`` and at ``to`` for every alliance,
    and the ``difference`` (to − from) with its 90 % interval. Defaults per covariate:
    indicators 0 → 1, otherwise the 25th → 75th percentile at as_of (``rule`` says which)."""
    import numpy as np

    from forecast.predict.effects import contrast

    served = state.holder.get(model)
    with np.errstate(all="ignore"):
        c = contrast(served.forecaster, covariate, horizon, value_from, value_to)
    return {
        "model": dict(served.provenance),
        "covariate": c.covariate,
        "as_of": c.as_of,
        "horizon": c.horizon,
        "target_year": c.as_of + c.horizon,
        "n_alliances": c.n_units,
        "from": c.value_from,
        "to": c.value_to,
        "rule": c.rule,
        "interval": 0.9,
        "p_persist_from": interval(c.p_persist_from),
        "p_persist_to": interval(c.p_persist_to),
        "difference": interval(c.difference),
    }


@router.get("/theories")
def get_theories(state: Service) -> dict[str, Any]:
    """The theory variants compared: PSIS-LOO (elpd, se, d_elpd, Pareto k), stacking
    weights and backtest scores on common folds, with a verdict generated from them."""
    from forecast.model.theories import read_comparison

    return read_comparison(state.settings.models_dir)


@router.get("/alliances/{atopid}/members/forecast")
def get_member_forecasts(
    state: Service,
    atopid: Annotated[int, Path(ge=1, le=99_999, description="ATOP alliance id (3180: NATO).")],
    horizon: Horizon = 10,
    model: Annotated[
        str, Query(max_length=100, description="A member-level model.")
    ] = MEMBER_MODEL,
) -> dict[str, Any]:
    """P(each current member leaves within ``horizon`` years while the alliance
    continues), by cause (withdrawal, loss of independence), with drivers."""
    import numpy as np

    from forecast.api.render import driver
    from forecast.predict.forecaster import NotInForceError

    summary = state.catalog.summary(atopid)  # 404 when unknown
    if not summary["in_force"]:
        raise not_in_force(summary)
    served = state.holder.get(model)
    if getattr(served.forecaster, "unit", "alliance") != "member":
        raise InputError(
            f"model {model!r} is not a member-level model; use model={MEMBER_MODEL}",
            field="model",
        )
    try:
        with np.errstate(all="ignore"):
            found = served.forecaster.members(atopid, horizon)
    except NotInForceError as exc:
        raise NotForecastableError(str(exc), field="atopid") from exc
    names = state.catalog.member_names
    members = [
        {
            "ccode": m.ccode,
            "name": names.get(m.ccode, str(m.ccode)),
            "p_exit": interval(m.p_exit),
            "causes": {c: interval(iv) for c, iv in m.causes.items()},
            "drivers": [driver(d) for d in m.drivers],
            "drivers_total": interval(m.drivers_total),
            "drivers_reference": interval(m.drivers_reference),
        }
        for m in sorted(found, key=lambda m: -m.p_exit.mean)
    ]
    return {
        "atopid": atopid,
        "label": summary["label"],
        "as_of": served.as_of,
        "horizon": horizon,
        "target_year": served.as_of + horizon,
        "interval": 0.9,
        "meaning": "probability the member leaves while the alliance continues",
        "drivers_reference_is": served.forecaster.reference,
        "drivers_scale": "log-odds of exiting (any cause) in the first forecast year",
        "members": members,
        "model": dict(served.provenance),
    }
