"""Admin actions (bearer token from settings): reload the live model version."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from forecast.api.deps import Service
from forecast.api.routing import StrictQueryRoute
from forecast.config import Settings
from forecast.errors import AdminDisabledError, UnauthorizedError

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["admin"])


def _check_token(settings: Settings, authorization: str | None) -> None:
    token = settings.admin_token
    secret = token.get_secret_value().encode() if token is not None else b""
    if not secret:
        raise AdminDisabledError(
            "admin endpoints are disabled: set a non-empty ALLIANCE_FORECAST_ADMIN_TOKEN "
            "on the server"
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), secret):
        raise UnauthorizedError(
            "missing or wrong bearer token: send 'Authorization: Bearer <token>'",
            field="Authorization",
        )


@router.post(
    "/admin/reload",
    responses={
        401: {"description": "Missing or wrong bearer token."},
        409: {"description": "The live version is invalid; old one kept."},
        429: {"description": "A reload is already running; retry in a few seconds."},
        503: {"description": "Admin disabled (no token), or the store is unreadable."},
    },
)
def reload_model(
    state: Service,
    authorization: Annotated[str | None, Header()] = None,
    model: Annotated[str | None, Query(max_length=100)] = None,
    force: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Swap to the live version now, in every worker (the pointer is also polled)."""
    _check_token(state.settings, authorization)
    if model is not None:
        state.holder.get(model)  # 422 for a model that is not served
    result = state.holder.reload(model, force=force)
    if state.workers is not None:
        result["workers"] = state.workers.broadcast(result["model"], result["version"], force)
    return result
