"""The track record and the forecast ledger: ``GET /v1/track-record``, ``GET /v1/ledger``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query

from forecast.api.deps import Ledger, ledger_prepared
from forecast.api.routing import StrictQueryRoute
from forecast.config import Settings
from forecast.errors import ForecastError
from forecast.serving.ledger import LedgerSlot, prepare

log = logging.getLogger("forecast.api.ledger")


async def _prepare(settings: Settings, slot: LedgerSlot) -> None:
    """Prepare the ledger in a child process; a failure is logged and answered 503."""
    try:
        slot.service = service = await prepare(settings)
    except (ForecastError, OSError) as exc:  # OSError: the child could not be started
        slot.error = str(exc)
        log.error("forecast ledger unavailable: %s", exc)
        return
    log.info("ledger ready", extra={"fields": service.seeded})


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the ledger in the background; the forecasts are served meanwhile."""
    slot = app.state.ledger = LedgerSlot()
    task = slot.task = asyncio.create_task(_prepare(app.state.settings, slot))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if slot.service is not None:
            slot.service.close()


router = APIRouter(
    prefix="/v1",
    route_class=StrictQueryRoute,
    tags=["track record"],
    lifespan=lifespan,
    dependencies=[Depends(ledger_prepared)],
)
Kind = Annotated[Literal["live", "backtest"] | None, Query(description="live or backtest.")]
ModelName = Annotated[str | None, Query(max_length=100, description="Model name.")]
_503 = {503: {"description": "The ledger could not be opened (reason given)."}}


@router.get("/track-record", responses={422: {"description": "Invalid filter."}, **_503})
def get_track_record(ledger: Ledger, kind: Kind = None, model: ModelName = None) -> dict:
    """Scored forecasts from the ledger: ``n_scored``, ``brier``, ``log_loss``, Brier skill
    against climatology, interval coverage and ``reliability`` bins, broken down by
    horizon, era (of ``as_of``), alliance type and kind, and over time (by ``as_of``).
    Definitions are in the response's ``definitions``."""
    return ledger.track_record(kind, model)


@router.get("/ledger", responses={422: {"description": "Invalid filter."}, **_503})
def get_ledger(
    ledger: Ledger,
    kind: Kind = None,
    model: ModelName = None,
    version: Annotated[str | None, Query(max_length=100)] = None,
    atopid: Annotated[int | None, Query(ge=1, le=99_999)] = None,
    horizon: Annotated[int | None, Query(ge=1, le=30)] = None,
    as_of: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    scored: Annotated[bool | None, Query(description="Only scored (or open) forecasts.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    """Every forecast recorded (append-only), newest first, with its latest score if its
    window has closed; filter by kind, model, version, alliance, horizon, as_of, scored."""
    from forecast.ledger.report import ledger_page

    filters = {
        "kind": kind,
        "model": model,
        "version": version,
        "atopid": atopid,
        "horizon": horizon,
        "as_of": as_of,
        "scored": scored,
    }
    return ledger_page(ledger.engine, filters=filters, page=page, page_size=page_size)


__all__ = ["router"]
