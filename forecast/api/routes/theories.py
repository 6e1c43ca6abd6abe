"""The debate's questions: coefficients (effects), average predictive comparisons
(contrasts), the theory comparison and member-exit forecasts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from forecast.api.deps import Service
from forecast.api.forecasts import MEMBER_MODEL, member_forecasts
from forecast.api.render import interval
from forecast.api.routing import StrictQueryRoute
from forecast.api.schemas import MAX_HORIZON

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["theories"])

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
    summary = state.catalog.summary(atopid)  # 404 when unknown
    return member_forecasts(state.holder.get(model), summary, state.catalog.member_names, horizon)
