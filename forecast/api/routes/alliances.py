"""Alliances: list and filter, detail, forecast and its SVG chart."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from forecast.api import svg
from forecast.api.deps import Service
from forecast.api.forecasts import forecast_bytes
from forecast.api.routing import StrictQueryRoute
from forecast.api.schemas import (
    MAX_HORIZON,
    AllianceDetail,
    AlliancePage,
    ForecastOut,
    ObligationType,
)
from forecast.serving.catalog import public

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["alliances"])

AtopId = Annotated[int, Path(ge=1, le=99_999, description="ATOP alliance id, e.g. 3180 (NATO).")]
Horizon = Annotated[int, Query(ge=1, le=MAX_HORIZON, description="Years ahead of as_of (1..30).")]
ModelName = Annotated[
    str | None, Query(max_length=100, description="Model name; the default model when absent.")
]

_ERRORS = {
    404: {"description": "Unknown atopid."},
    409: {"description": "The alliance is not in force (ended): no forecast."},
    422: {"description": "Invalid parameter, naming the field and the allowed values."},
}


@router.get("/alliances", response_model=AlliancePage)
def list_alliances(
    state: Service,
    in_force: Annotated[
        bool | None, Query(description="Only alliances in force (or ended).")
    ] = None,
    member: Annotated[
        str | None, Query(max_length=100, description="COW code, ISO3 or name of a member.")
    ] = None,
    obligation_type: Annotated[ObligationType | None, Query()] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Text in the label/members.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    """Alliances, filtered and paginated, with readable labels."""
    ccode = state.catalog.resolve_member(member) if member is not None else None
    found = state.catalog.filter(
        in_force=in_force, member=ccode, obligation_type=obligation_type, text=q
    )
    start = (page - 1) * page_size
    return {
        "total": len(found),
        "page": page,
        "page_size": page_size,
        "items": [public(s) for s in found[start : start + page_size]],
    }


@router.get("/alliances/{atopid}", response_model=AllianceDetail, responses={404: _ERRORS[404]})
def get_alliance(state: Service, atopid: AtopId) -> dict:
    """One alliance: members over time, obligations, dates, status."""
    return state.catalog.detail(atopid)


@router.get(
    "/alliances/{atopid}/forecast",
    response_class=Response,
    responses={200: {"model": ForecastOut, "content": {"application/json": {}}}, **_ERRORS},
)
async def get_forecast(
    state: Service, atopid: AtopId, horizon: Horizon = 10, model: ModelName = None
) -> Response:
    """Probability the alliance persists ``horizon`` years after as_of, with causes,
    the yearly survival curve, drivers and provenance."""
    body = forecast_bytes(state.catalog, state.holder.get(model), atopid, horizon)
    return Response(body, media_type="application/json")


@router.get(
    "/alliances/{atopid}/forecast.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **_ERRORS},
)
def get_forecast_svg(
    state: Service, atopid: AtopId, horizon: Horizon = MAX_HORIZON, model: ModelName = None
) -> Response:
    """The survival curve with its 90% band, as SVG."""
    body = forecast_bytes(state.catalog, state.holder.get(model), atopid, horizon)
    return Response(svg.survival_chart(json.loads(body)), media_type="image/svg+xml")


__all__ = ["router"]
