"""Everything the service loads at start, built in the app's lifespan (never at import)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecast.config import Settings
from forecast.serving import core
from forecast.serving.budget import ScenarioBudget
from forecast.serving.catalog import Catalog, build_catalog
from forecast.serving.datacheck import DataInfo, verify_data
from forecast.serving.holder import (
    Baselines,
    Clock,
    ModelHolder,
    ServedModel,
    load_served_model,
    load_stacked,
)
from forecast.serving.memory import release_heap
from forecast.serving.telemetry import Metrics
from forecast.serving.workers import WorkerGroup

if TYPE_CHECKING:
    import pandas as pd

    from forecast.store import Registry

log = logging.getLogger("forecast.serving")

#: Builds the pre-serialised baseline bodies of a served model (the HTTP layer's
#: ``forecast.api.forecasts.precompute_baselines``: it owns the JSON shape).
Precompute = Callable[[ServedModel, Catalog], Baselines]


@dataclass(frozen=True)
class ServiceState:
    """Loaded once per process: settings, catalog, panel, store, served models."""

    settings: Settings
    catalog: Catalog
    panel: pd.DataFrame  # the alliance-year panel with member lists
    data: DataInfo
    registry: Registry
    holder: ModelHolder
    democracies: dict[int, bool]
    metrics: Metrics
    clock: Clock
    startup_s: float
    scenario_budget: ScenarioBudget
    workers: WorkerGroup | None = None  # siblings under `serve --workers N`


def load_state(
    settings: Settings, clock: Clock, metrics: Metrics, precompute: Precompute | None = None
) -> ServiceState:
    """Load data, catalog and the live version of every stored model (fail fast); the
    default model's baselines are then built by ``precompute`` in the background."""
    t0 = time.perf_counter()
    data = verify_data(settings.data_dir)
    registry = core.open_registry(settings.models_dir)
    # the data tables and the default posterior load in parallel (Arrow and Zarr
    # decoding release the GIL); each raises its own clear error
    with ThreadPoolExecutor(max_workers=4) as pool:
        f_artifact = pool.submit(core.load_artifact, registry, settings.model, None)
        f_frames = pool.submit(core.load_catalog_frames, settings.data_dir)
        f_panel = pool.submit(core.load_panel, settings.data_dir)
        f_democracies = pool.submit(core.democracies, settings.data_dir)
        catalog = build_catalog(*f_frames.result())
        panel = f_panel.result()
        democracies = f_democracies.result()
        preloaded = {settings.model: f_artifact.result()}

    panels = core.model_panels(panel, settings.data_dir)

    def loader(name: str, version: str | None) -> ServedModel:
        artifact = preloaded.pop(name, None) if version is None else None
        return load_served_model(registry, name, version, panels, clock, data, artifact)

    warm = None if precompute is None else lambda s: precompute(s, catalog)
    holder = ModelHolder(registry, settings.model, loader, metrics, warm)
    others = [n for n in core.model_names(registry) if core.live_version(registry, n)]
    holder.load_initial(others)
    holder.derive("stacked", lambda h: load_stacked(h, settings.models_dir, clock, data))
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
