"""What a route may ask for, as typed FastAPI dependencies.

Routes declare ``state: Service``, ``settings: AppSettings``, ``ledger: Ledger`` ... and
never read ``request.app.state`` themselves. The app factory puts the objects there:
the settings and metrics when the app is built, the loaded :class:`ServiceState` and the
:class:`LedgerSlot` in the lifespan. The providers are ``async`` so that FastAPI calls
them inline, not through its thread pool (the forecast route is the hot path).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from forecast.config import Settings
from forecast.serving.ledger import LedgerService, LedgerSlot
from forecast.serving.service import ServiceState
from forecast.serving.telemetry import Metrics


async def service_state(request: Request) -> ServiceState:
    """The state the lifespan loaded (data, catalog, served models)."""
    return request.app.state.svc


async def loaded_state(request: Request) -> ServiceState | None:
    """The loaded state, or None while the lifespan still loads it (``/ready``)."""
    return getattr(request.app.state, "svc", None)


async def app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


async def app_metrics(request: Request) -> Metrics:
    """The app's Prometheus collectors."""
    return request.app.state.metrics


async def page_cache(request: Request) -> dict[tuple, list[dict[str, Any]]]:
    """The front page's rows per (model, version, horizon), kept by the app."""
    cache = getattr(request.app.state, "index_rows", None)
    if cache is None:
        cache = request.app.state.index_rows = {}
    return cache


async def ledger_slot(request: Request) -> LedgerSlot:
    """The start's ledger preparation (set by the track-record router's lifespan; an
    empty slot, "preparing", before it ran)."""
    return getattr(request.app.state, "ledger", None) or LedgerSlot()


async def ledger_prepared(request: Request) -> None:
    """Wait (``ledger_wait_s`` at most) for the start's ledger preparation, so that a
    request right after the start gets the record rather than a 503."""
    slot = await ledger_slot(request)
    await slot.wait((await app_settings(request)).ledger_wait_s)


async def prepared_ledger(request: Request) -> LedgerService:
    """The prepared ledger; 503 naming the reason while it is prepared or when it failed."""
    return (await ledger_slot(request)).get()


Service = Annotated[ServiceState, Depends(service_state)]
MaybeService = Annotated[ServiceState | None, Depends(loaded_state)]
AppSettings = Annotated[Settings, Depends(app_settings)]
AppMetrics = Annotated[Metrics, Depends(app_metrics)]
PageCache = Annotated[dict[tuple, list[dict[str, Any]]], Depends(page_cache)]
LedgerPreparation = Annotated[LedgerSlot, Depends(ledger_slot)]
Ledger = Annotated[LedgerService, Depends(prepared_ledger)]
