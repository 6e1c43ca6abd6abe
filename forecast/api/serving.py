"""The in-memory model the API serves, and its atomic hot swap.

A :class:`ServedModel` is immutable: the forecaster built from one stored version plus
every baseline forecast (alliances in force x horizons 1..30) pre-serialised to JSON
bytes. :class:`ModelHolder` keeps one reference per model name and replaces it with a
single assignment when a new version is promoted, so a request sees either the old or
the new model, never a mixture, and never waits for a load.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from forecast.api import engine, render
from forecast.api.catalog import Catalog
from forecast.api.observability import Metrics
from forecast.api.problems import ApiError, invalid
from forecast.api.schemas import MAX_HORIZON
from forecast.errors import ForecastError

log = logging.getLogger("forecast.api.serving")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Default clock of the service."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ServedModel:
    """One loaded model version: forecaster, provenance and pre-serialised baselines."""

    name: str
    version: str
    manifest: Mapping[str, Any]
    forecaster: Any
    as_of: int
    provenance: Mapping[str, Any]
    covariates: tuple[str, ...]
    baseline: Mapping[tuple[int, int], bytes] = field(repr=False)
    loaded_at: float = 0.0

    @property
    def data_sha256(self) -> str | None:
        return self.provenance.get("data_manifest_sha256")


def load_served_model(
    registry: Any,
    name: str,
    version: str | None,
    panel: Any,
    clock: Clock,
    artifact: Any = None,
) -> ServedModel:
    """Load ``name`` at ``version`` (live when None): validated artifact + forecaster.

    Baselines are filled in afterwards by :func:`precompute_baselines` (in the background),
    so the service is ready as soon as it can answer every request correctly.
    """
    if artifact is None:
        artifact = engine.load_artifact(registry, name, version)
    manifest = engine.manifest_of(artifact)
    forecaster = engine.build_forecaster(artifact, panel)
    computed_at = clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    provenance = {
        "name": name,
        "version": engine.version_of(artifact),
        "data_manifest_sha256": manifest.get("data_manifest_sha256"),
        "train_until": manifest.get("train_until"),
        "computed_at": computed_at,
    }
    return ServedModel(
        name=provenance["name"],
        version=provenance["version"],
        manifest=manifest,
        forecaster=forecaster,
        as_of=engine.as_of(forecaster),
        provenance=provenance,
        covariates=engine.covariates_of(forecaster),
        baseline={},
        loaded_at=time.time(),
    )


def precompute_baselines(served: ServedModel, catalog: Catalog) -> dict[tuple[int, int], bytes]:
    """JSON bytes of every baseline forecast: alliances in force x horizons 1..30."""
    table = engine.baseline_table(served.forecaster, MAX_HORIZON)
    in_force = {a for a, s in catalog.summaries.items() if s["in_force"]}
    labels = {a: catalog.summaries[a]["label"] for a in in_force}
    drivers = engine.baseline_drivers(served.forecaster, table, in_force)
    return render.baseline_bodies(table, labels, drivers, dict(served.provenance))


class ModelHolder:
    """Holds the served version of each model; swaps a whole ServedModel at once."""

    def __init__(
        self,
        registry: Any,
        default: str,
        loader: Callable[[str, str | None], ServedModel],
        metrics: Metrics,
        precompute: Callable[[ServedModel], dict[tuple[int, int], bytes]] | None = None,
    ) -> None:
        self.registry = registry
        self.default = default
        self._loader = loader
        self._metrics = metrics
        self._precompute = precompute
        self._models: dict[str, ServedModel] = {}
        self._lock = threading.Lock()  # one reload at a time
        self._swap = threading.Lock()  # check-and-assign of a reference

    # ---- reads (hot path: one dict lookup) ----------------------------------------
    def get(self, name: str | None = None) -> ServedModel:
        """Served version of ``name`` (default model when None); 422 for unknown names."""
        try:
            return self._models[name or self.default]
        except KeyError:
            raise invalid(
                "model", f"no served model {name!r}", allowed=sorted(self._models)
            ) from None

    @property
    def ready(self) -> bool:
        return self.default in self._models

    def names(self) -> list[str]:
        return sorted(self._models)

    # ---- writes -------------------------------------------------------------------
    def load_initial(self, names: list[str]) -> None:
        """Load the live version of every model (raises StoreError for the default)."""
        for name in dict.fromkeys([self.default, *names]):
            try:
                self._install(self._loader(name, None))
            except ForecastError:
                if name == self.default:
                    raise
                log.exception("model %s could not be loaded; not served", name)

    def reload(self, name: str | None = None, force: bool = False) -> dict[str, Any]:
        """Swap to the live version of ``name`` if it changed; the old one serves until then."""
        name = name or self.default
        with self._lock:
            old = self._models.get(name)
            live = engine.live_version(self.registry, name)
            if old is not None and live == old.version and not force:
                return {"model": name, "version": old.version, "changed": False}
            try:
                new = self._loader(name, live)
            except ForecastError as exc:
                self._metrics.reloads.labels("failed").inc()
                served = old.version if old else None
                raise ApiError(
                    409,
                    "reload_failed",
                    f"model {name} version {live} could not be loaded ({exc}); "
                    f"still serving version {served}",
                    field="model",
                ) from exc
            self._install(new)
            self._metrics.reloads.labels("swapped").inc()
            log.info(
                "model swapped",
                extra={"fields": {"model": name, "from": old and old.version, "to": new.version}},
            )
            return {
                "model": name,
                "version": new.version,
                "changed": True,
                "previous": old.version if old else None,
            }

    def _install(self, served: ServedModel) -> None:
        with self._swap:
            self._models[served.name] = served  # one reference assignment: the atomic swap
        if served.name == self.default:
            self._metrics.set_model(
                served.name, served.version, served.data_sha256, served.loaded_at
            )
            if self._precompute is not None:
                threading.Thread(
                    target=self._warm, args=(served,), name="precompute", daemon=True
                ).start()

    def _warm(self, served: ServedModel) -> None:
        """Fill in the baselines of ``served`` and swap in the warmed copy (if still live)."""
        t0 = time.perf_counter()
        try:
            bodies = self._precompute(served)  # type: ignore[misc]
        except Exception:
            log.exception("precomputing baselines of %s %s failed", served.name, served.version)
            return
        warmed = replace(served, baseline=bodies)
        with self._swap:
            if self._models.get(served.name) is not served:
                return  # a newer version was installed meanwhile
            self._models[served.name] = warmed
        _settle_memory()
        log.info(
            "baselines precomputed",
            extra={
                "fields": {
                    "model": served.name,
                    "version": served.version,
                    "forecasts": len(bodies),
                    "seconds": round(time.perf_counter() - t0, 3),
                }
            },
        )

    def wait_warm(self, timeout: float = 120.0) -> bool:
        """Block until the default model's baselines are precomputed (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            served = self._models.get(self.default)
            if served is not None and served.baseline:
                return True
            time.sleep(0.02)
        return False

    async def watch(self, every_s: float) -> None:
        """Poll the live pointer of every served model and swap when it moves."""
        while True:
            await asyncio.sleep(every_s)
            for name in self.names():
                try:
                    live = await asyncio.to_thread(engine.live_version, self.registry, name)
                    if live is not None and live != self._models[name].version:
                        await asyncio.to_thread(self.reload, name)
                except ApiError as exc:
                    log.error("reload failed: %s", exc.message)
                except Exception:
                    log.exception("pointer watch failed for model %s", name)


def _settle_memory() -> None:
    """After a warm-up: freeze long-lived objects out of GC scans, return freed heap."""
    import gc

    gc.collect()
    gc.freeze()
    release_heap()


def release_heap() -> None:
    """Hand freed heap back to the OS (Arrow's pool and glibc's arenas)."""
    import contextlib
    import ctypes
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
