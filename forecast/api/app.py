"""FastAPI app factory: ``create_app(settings=None, clock=None)``.

The posterior, panel and catalog are loaded in the lifespan, not at import. The app
serves precomputed baseline forecasts, so the per-request work is a dict lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from forecast import __version__
from forecast.api.forecasts import precompute_baselines
from forecast.api.observability import BodyLimitMiddleware, ObservabilityMiddleware
from forecast.api.problems import install_handlers
from forecast.api.routes import (
    admin,
    alliances,
    batch,
    docs,
    health,
    models,
    pages,
    theories,
    track_record,
)
from forecast.config import Settings, get_settings
from forecast.errors import ForecastError
from forecast.serving.fastlane import FastLane
from forecast.serving.holder import Baselines, Clock, utc_now
from forecast.serving.service import load_state
from forecast.serving.telemetry import Metrics, configure_logging
from forecast.serving.workers import from_environment

log = logging.getLogger("forecast.api")

DESCRIPTION = """Calibrated Bayesian forecasts of military-alliance persistence
(ATOP v5.1 and recorded ends to 2024).

Every probability comes with a 90% credible interval, its provenance (model name and
version, data manifest hash, `as_of`) and its drivers. Missing values are `null`, never 0.
Scenario forecasts are model-based what-ifs, not predictions that the change will happen.
"""


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the API; ``clock`` stamps ``computed_at`` (injected in tests)."""
    settings = settings or get_settings()
    clock = clock or utc_now
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        try:
            state = await asyncio.to_thread(
                load_state, settings, clock, metrics, precompute_baselines
            )
        except ForecastError as exc:
            log.error("startup failed: %s", exc)
            raise
        workers = from_environment()
        app.state.svc = state = dataclasses.replace(state, workers=workers)
        tasks = []
        if settings.reload_poll_s > 0:
            tasks.append(asyncio.create_task(state.holder.watch(settings.reload_poll_s)))
        if workers is not None:
            tasks.append(asyncio.create_task(workers.follow(state.holder)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if workers is not None:
                workers.close()

    app = FastAPI(
        title="alliance-forecast",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # self-hosted by routes.docs (no CDN)
        redoc_url=None,
        redirect_slashes=False,  # no 307 that reflects the Host header
    )
    app.state.metrics = metrics
    app.state.settings = settings
    install_handlers(app)

    def default_baselines() -> Baselines | None:
        state = getattr(app.state, "svc", None)  # None until the lifespan loaded it
        return None if state is None else state.holder.get().baseline

    app.add_middleware(FastLane, baselines=default_baselines)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        timeout_s=settings.body_timeout_s,
    )
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    app.include_router(health.router)
    for module in (alliances, batch, models, theories, admin, track_record, pages, docs):
        app.include_router(module.router)
    return app
