"""HTTP errors of the API: one JSON shape for every 4xx/5xx answer.

Every error body is ``{"error": {"status", "code", "message", "field", "allowed"}}`` so
clients can show ``message`` and act on ``field``/``allowed`` without parsing text. The
status and code come from :data:`forecast.errors.ERROR_TABLE` (one handler for the whole
``ForecastError`` tree); messages are cut to :data:`MAX_MESSAGE` characters so an error
never echoes more than a few hundred bytes of the request back.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from forecast.errors import ForecastError, InputError

log = logging.getLogger("forecast.api")

MAX_MESSAGE = 300  # characters of an error message (echoed input included)
MAX_DETAILS = 10  # validation errors listed per response


def _cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def envelope(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    allowed: Any = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON error body (message and field cut to a few hundred characters)."""
    err: dict[str, Any] = {
        "status": status,
        "code": code,
        "message": _cut(message),
        "field": None if field is None else _cut(field, 100),
        "allowed": allowed,
    }
    err.update(extra or {})
    return {"error": err}


def error_body(exc: ForecastError) -> dict[str, Any]:
    """JSON body of a ``ForecastError``, status and code from the error table."""
    return envelope(
        exc.http_status,
        exc.code,
        exc.message,
        field=exc.field,
        allowed=exc.allowed,
        extra=exc.extra,
    )


def error_response(exc: ForecastError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The HTTP answer for a ``ForecastError``."""
    return JSONResponse(error_body(exc), status_code=exc.http_status, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _allowed(err: dict[str, Any]) -> Any:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return ctx["expected"]
    lo = ctx.get("ge", ctx.get("gt"))
    hi = ctx.get("le", ctx.get("lt"))
    if lo is not None or hi is not None:
        return {"min": lo, "max": hi}
    if "max_length" in ctx:
        return {"max_length": ctx["max_length"]}
    return None


def _declared_range(request: Request | None, loc: Any) -> dict[str, Any] | None:
    """Both bounds of a path/query parameter as the route declares them."""
    route = request.scope.get("route") if request is not None else None
    dependant = getattr(route, "dependant", None)
    if dependant is None or len(loc) != 2 or loc[0] not in ("query", "path"):
        return None
    params = dependant.query_params if loc[0] == "query" else dependant.path_params
    for p in params:
        if p.alias == loc[1]:
            bounds: dict[str, Any] = {}
            for m in p.field_info.metadata:
                for attr, key in (("ge", "min"), ("gt", "min"), ("le", "max"), ("lt", "max")):
                    if getattr(m, attr, None) is not None:
                        bounds[key] = getattr(m, attr)
            return bounds or None
    return None


def _entry(e: dict[str, Any]) -> tuple[str, str]:
    """(field, message) of one pydantic/FastAPI validation error."""
    if e.get("type") == "json_invalid":  # loc is ("body", <character offset>)
        loc = list(e.get("loc", ()))
        where = f" at character {loc[1]}" if len(loc) > 1 else ""
        err = (e.get("ctx") or {}).get("error", "invalid JSON")
        return "body", f"request body is not valid JSON{where} ({err}); send a JSON object"
    return _field_name(e.get("loc", ())), str(e.get("msg"))


def validation_error(exc: RequestValidationError, request: Request | None = None) -> InputError:
    """Turn FastAPI's validation error into a 422 naming the first bad field."""
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
    field, message = _entry(first)
    declared = _declared_range(request, tuple(first.get("loc", ())))
    details = []
    for e in errors[:MAX_DETAILS]:
        f, m = _entry(e)
        details.append({"field": _cut(f, 100), "message": _cut(m), "allowed": _allowed(e)})
    return InputError(
        message if field == "body" else f"{field}: {message}",
        field=field,
        allowed=declared or _allowed(first),
        extra={"details": details},
    )


def install_handlers(app: FastAPI) -> None:
    """Register the handlers that give every 4xx the shape above (5xx: the middleware)."""

    @app.exception_handler(ForecastError)
    async def _forecast_error(request: Request, exc: ForecastError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(validation_error(exc, request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not decode the body (e.g. not UTF-8)
            return error_response(
                InputError(
                    "request body could not be parsed: send a JSON object encoded as UTF-8",
                    field="body",
                )
            )
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path!r}: see /docs for the endpoints"
        body = envelope(exc.status_code, code, message)
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
