"""Everything the service loads at start, built in the app's lifespan (never at import)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from forecast.api import engine
from forecast.api.budget import ScenarioBudget
from forecast.api.catalog import Catalog, build_catalog
from forecast.api.datacheck import DataInfo, verify_data
from forecast.api.memory import release_heap
from forecast.api.observability import Metrics
from forecast.api.serving import (
    Clock,
    ModelHolder,
    ServedModel,
    load_served_model,
    load_stacked,
    precompute_baselines,
)
from forecast.api.workers import WorkerGroup
from forecast.config import Settings

log = logging.getLogger("forecast.api")


@dataclass(frozen=True)
class ServiceState:
    """Loaded once per process: settings, catalog, panel, store, served models."""

    settings: Settings
    catalog: Catalog
    panel: Any
    data: DataInfo
    registry: Any
    holder: ModelHolder
    democracies: dict[int, bool]
    metrics: Metrics
    clock: Clock
    startup_s: float
    scenario_budget: ScenarioBudget
    workers: WorkerGroup | None = None  # siblings under `serve --workers N`


def load_state(settings: Settings, clock: Clock, metrics: Metrics) -> ServiceState:
    """Load data, catalog and the live version of every stored model (fail fast)."""
    t0 = time.perf_counter()
    data = verify_data(settings.data_dir)
    registry = engine.open_registry(settings.models_dir)
    # the data tables and the default posterior load in parallel (Arrow and Zarr
    # decoding release the GIL); each raises its own clear error
    with ThreadPoolExecutor(max_workers=4) as pool:
        f_artifact = pool.submit(engine.load_artifact, registry, settings.model, None)
        f_frames = pool.submit(engine.load_catalog_frames, settings.data_dir)
        f_panel = pool.submit(engine.load_panel, settings.data_dir)
        f_democracies = pool.submit(engine.democracies, settings.data_dir)
        catalog = build_catalog(*f_frames.result())
        panel = f_panel.result()
        democracies = f_democracies.result()
        preloaded = {settings.model: f_artifact.result()}

    panels = engine.model_panels(panel, settings.data_dir)

    def loader(name: str, version: str | None) -> ServedModel:
        artifact = preloaded.pop(name, None) if version is None else None
        return load_served_model(registry, name, version, panels, clock, data, artifact)

    holder = ModelHolder(
        registry, settings.model, loader, metrics, lambda s: precompute_baselines(s, catalog)
    )
    others = [n for n in engine.model_names(registry) if engine.live_version(registry, n)]
    holder.load_initial(others)
    stacked = load_stacked(holder, settings.models_dir, clock, data)
    if stacked is not None:
        holder.add(stacked)
    elapsed = time.perf_counter() - t0
    served = holder.get()
    log.info(
        "ready",
        extra={
            "fields": {
                "model": served.name,
                "version": served.version,
                "load_s": round(elapsed, 3),
            }
        },
    )
    release_heap()  # the loaders' temporaries (Arrow buffers, validation copies)
    return ServiceState(
        settings,
        catalog,
        panel,
        data,
        registry,
        holder,
        democracies,
        metrics,
        clock,
        elapsed,
        ScenarioBudget(settings.scenario_concurrency),
    )


def svc(request: Request) -> ServiceState:
    """The loaded service state (503 before the lifespan finished)."""
    return request.app.state.svc
