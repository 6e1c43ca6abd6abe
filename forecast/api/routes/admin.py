"""Admin actions (bearer token from settings): reload the live model version."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request

from forecast.api.problems import ApiError
from forecast.api.routing import StrictQueryRoute
from forecast.api.state import svc

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["admin"])


def _check_token(request: Request, authorization: str | None) -> None:
    token = request.app.state.settings.admin_token
    if token is None:
        raise ApiError(
            503,
            "admin_disabled",
            "admin endpoints are disabled: set ALLIANCE_FORECAST_ADMIN_TOKEN on the server",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.encode(), token.get_secret_value().encode()
    ):
        raise ApiError(
            401,
            "unauthorized",
            "missing or wrong bearer token: send 'Authorization: Bearer <token>'",
            field="Authorization",
        )


@router.post(
    "/admin/reload",
    responses={
        401: {},
        409: {"description": "The live version is invalid; old one kept."},
        503: {},
    },
)
def reload_model(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    model: Annotated[str | None, Query(max_length=100)] = None,
    force: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Swap to the live version now (the pointer is also polled in the background)."""
    _check_token(request, authorization)
    state = svc(request)
    if model is not None:
        state.holder.get(model)  # 422 for a model that is not served
    return state.holder.reload(model, force=force)
