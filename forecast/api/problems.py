"""HTTP errors of the API: one JSON shape for every 4xx/5xx answer.

Every error body is ``{"error": {"status", "code", "message", "field", "allowed"}}`` so
clients can show ``message`` and act on ``field``/``allowed`` without parsing text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("forecast.api")


class ApiError(Exception):
    """An error answered to the client: status, machine code, human message, field, allowed."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        allowed: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.allowed = allowed
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """JSON body of the error response."""
        err: dict[str, Any] = {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "allowed": self.allowed,
        }
        err.update(self.extra)
        return {"error": err}


def not_found(what: str, value: object, hint: str) -> ApiError:
    """404 naming the unknown identifier and where to find valid ones."""
    return ApiError(404, "not_found", f"unknown {what} {value!r}: {hint}", field=what)


def invalid(field: str, message: str, allowed: Any = None) -> ApiError:
    """422 naming the field and, where they are finite, the allowed values."""
    return ApiError(422, "invalid", f"{field}: {message}", field=field, allowed=allowed)


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


def validation_error(exc: RequestValidationError, request: Request | None = None) -> ApiError:
    """Turn FastAPI's validation error into a 422 naming the first bad field."""
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
    field = _field_name(first.get("loc", ()))
    declared = _declared_range(request, tuple(first.get("loc", ())))
    details = [
        {"field": _field_name(e.get("loc", ())), "message": e.get("msg"), "allowed": _allowed(e)}
        for e in errors
    ]
    err = ApiError(
        422,
        "invalid",
        f"{field}: {first.get('msg')}",
        field=field,
        allowed=declared or _allowed(first),
        extra={"details": details},
    )
    return err


def install_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the shape above (and never a bare 500)."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = validation_error(exc, request)
        return JSONResponse(err.body(), status_code=err.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path!r}: see /docs for the endpoints"
        body = ApiError(exc.status_code, code, message).body()
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        body = ApiError(500, "internal", "internal error; the request id is in the logs").body()
        return JSONResponse(body, status_code=500)
