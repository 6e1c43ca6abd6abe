"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from forecast.api.deps import AppMetrics, LedgerPreparation, MaybeService
from forecast.api.routing import StrictQueryRoute

router = APIRouter(route_class=StrictQueryRoute, tags=["service"])

_OK = b'{"status":"ok"}'


@router.get("/health", responses={200: {"content": {"application/json": {}}}})
async def health() -> Response:
    """Liveness: the process answers (no model needed)."""
    return Response(_OK, media_type="application/json")


@router.get("/ready", responses={503: {"description": "No valid model loaded yet."}})
async def ready(state: MaybeService, ledger: LedgerPreparation) -> JSONResponse:
    """Readiness: 200 only when a valid model version is loaded and served.

    ``ledger`` says whether the track record is answered yet: ``preparing`` (its child
    process runs), ``ready`` or ``unavailable`` (the ledger routes say why)."""
    if state is None or not state.holder.ready:
        return JSONResponse({"status": "loading", "ready": False}, status_code=503)
    served = state.holder.get()
    return JSONResponse(
        {
            "status": "ready",
            "ready": True,
            "model": served.name,
            "version": served.version,
            "startup_s": round(state.startup_s, 3),
            "precomputed_forecasts": len(served.baseline),
            "ledger": ledger.status,
        }
    )


# HEAD answers like GET without a body (monitors and load balancers probe with HEAD)
router.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/ready", ready, methods=["HEAD"], include_in_schema=False)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(metrics: AppMetrics) -> Response:
    """Prometheus metrics: requests, latencies, served model version."""
    body = metrics.exposition()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
