"""``/docs``: Swagger UI from assets shipped in a Python package (works offline, no CDN)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

#: Swagger UI 5 (OpenAPI 3.1) as the ``fastapi-swagger`` package ships it.
ASSETS = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
_cache: dict[str, bytes] = {}


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Interactive API documentation (Swagger UI), self-hosted."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
    )


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    """One Swagger UI asset from the package (404 for anything else)."""
    if name not in ASSETS:
        return Response(f"no docs asset {name!r}", status_code=404, media_type="text/plain")
    if name not in _cache:
        _cache[name] = resources.files("fastapi_swagger.resources").joinpath(name).read_bytes()
    return Response(
        _cache[name], media_type=ASSETS[name], headers={"cache-control": "public, max-age=86400"}
    )


__all__ = ["router"]
