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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import BusyError, ForecastError, InputError, ReloadFailedError, StoreError
from forecast.serving import core
from forecast.serving.datacheck import DataInfo
from forecast.serving.memory import release_heap
from forecast.serving.telemetry import Metrics

if TYPE_CHECKING:
    from forecast.model.members import ModelPanels
    from forecast.predict import Forecaster
    from forecast.predict.stacked import StackedForecaster
    from forecast.store import Registry
    from forecast.store.registry import Artifact

log = logging.getLogger("forecast.serving.holder")

Clock = Callable[[], datetime]
#: Pre-serialised JSON bodies of the baseline forecasts, by (atopid, horizon).
Baselines = Mapping[tuple[int, int], bytes]


def utc_now() -> datetime:
    """Default clock of the service."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ServedModel:
    """One loaded model version: forecaster, provenance and pre-serialised baselines."""

    name: str
    version: str
    manifest: Mapping[str, Any]
    forecaster: Forecaster | StackedForecaster
    as_of: int
    provenance: Mapping[str, Any]
    covariates: tuple[str, ...]
    baseline: Baselines = field(repr=False)
    loaded_at: float = 0.0

    @property
    def data_sha256(self) -> str | None:
        return self.provenance.get("data_manifest_sha256")


def load_served_model(
    registry: Registry,
    name: str,
    version: str | None,
    panel: ModelPanels,
    clock: Clock,
    data: DataInfo,
    artifact: Artifact | None = None,
) -> ServedModel:
    """Load ``name`` at ``version`` (live when None): validated artifact + forecaster.

    The model is checked against the data actually loaded (``data``): a model trained on
    years the panel lacks is refused (StoreError); a model fitted on another build of the
    data is served, and every forecast says so (``data_matches_model: false``).
    Baselines are filled in afterwards by the holder's ``precompute`` (in the background),
    so the service is ready as soon as it can answer every request correctly.
    """
    if artifact is None:
        artifact = core.load_artifact(registry, name, version)
    manifest = core.manifest_of(artifact)
    model_sha = manifest.get("data_manifest_sha256")
    train_until = manifest.get("train_until")
    if isinstance(train_until, int) and train_until > data.last_year:
        raise StoreError(
            f"{name}/{core.version_of(artifact)} was trained until {train_until} but the "
            f"data in use ends in {data.last_year}: serve it with the data it was fitted on "
            "or refit it on this data",
            field="model",
        )
    try:
        forecaster = core.build_forecaster(artifact, panel)
    except (InputError, KeyError, ValueError) as exc:
        raise StoreError(f"{name}: cannot build a forecaster ({exc})", field="model") from exc
    computed_at = clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    matches = model_sha == data.sha256
    provenance = {
        "name": name,
        "version": core.version_of(artifact),
        "data_manifest_sha256": data.sha256,
        "model_data_manifest_sha256": model_sha,
        "data_matches_model": matches,
        "train_until": train_until,
        "computed_at": computed_at,
    }
    if not matches:
        log.warning(
            "model fitted on other data",
            extra={
                "fields": {
                    "model": name,
                    "version": provenance["version"],
                    "model_data_sha256": model_sha,
                    "data_sha256": data.sha256,
                }
            },
        )
    return ServedModel(
        name=provenance["name"],
        version=provenance["version"],
        manifest=manifest,
        forecaster=forecaster,
        as_of=core.as_of(forecaster),
        provenance=provenance,
        covariates=core.covariates_of(forecaster),
        baseline={},
        loaded_at=time.time(),
    )


def load_stacked(
    holder: ModelHolder, models_dir: Path, clock: Clock, data: DataInfo
) -> ServedModel | None:
    """Model ``stacked``: the mixture of the served variants with the stacking weights of
    the stored theory comparison (None, logged, when there is no comparison or it names
    versions other than those served: rerun ``benchmarks/theories.py``)."""
    from forecast.model.theories import read_comparison
    from forecast.predict.stacked import StackedForecaster

    try:
        rows = read_comparison(models_dir)["comparison"]
    except StoreError as exc:
        log.info("no stacked model: %s", exc.message)
        return None
    stale = [r["model"] for r in rows if holder.served_version(r["model"]) != r["version"]]
    if stale or not rows:
        log.warning("no stacked model: the comparison's versions of %s are not served", stale)
        return None
    forecaster = StackedForecaster(
        {r["model"]: holder.get(r["model"]).forecaster for r in rows},
        {r["model"]: r["stacking_weight"] for r in rows},
    )
    provenance = {
        "name": "stacked",
        "version": forecaster.version,
        "data_manifest_sha256": data.sha256,
        "model_data_manifest_sha256": holder.get(rows[0]["model"]).data_sha256,
        "data_matches_model": holder.get(rows[0]["model"]).data_sha256 == data.sha256,
        "train_until": forecaster.as_of,
        "stacking_weights": forecaster.weights,
        "computed_at": clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    return ServedModel(
        name="stacked",
        version=forecaster.version,
        manifest={"model": "stacked", "comparison": rows},
        forecaster=forecaster,
        as_of=forecaster.as_of,
        provenance=provenance,
        covariates=(),
        baseline={},
        loaded_at=time.time(),
    )


class ModelHolder:
    """Holds the served version of each model; swaps a whole ServedModel at once.

    One reload runs at a time, and a reload of the default model counts as running until
    its baselines are precomputed: a second (forced) reload meanwhile is refused with
    ``BusyError`` instead of stacking loads and precomputes in memory.
    """

    def __init__(
        self,
        registry: Registry,
        default: str,
        loader: Callable[[str, str | None], ServedModel],
        metrics: Metrics,
        precompute: Callable[[ServedModel], Baselines] | None = None,
    ) -> None:
        self.registry = registry
        self.default = default
        self._loader = loader
        self._metrics = metrics
        self._precompute = precompute
        self._models: dict[str, ServedModel] = {}
        self._busy = threading.Lock()  # held from a reload's start until its warm-up ends
        self._swap = threading.Lock()  # check-and-assign of a reference
        #: the watcher logs each distinct failure of each model once
        self._last_errors: dict[str, str] = {}
        #: models built from the served ones (``stacked``): name -> builder (None = not served)
        self._derived: dict[str, Callable[[ModelHolder], ServedModel | None]] = {}

    # ---- reads (hot path: one dict lookup) ----------------------------------------
    def get(self, name: str | None = None) -> ServedModel:
        """Served version of ``name`` (default model when None); 422 for unknown names."""
        try:
            return self._models[name or self.default]
        except KeyError:
            raise InputError(
                f"model: no served model {name!r}", field="model", allowed=sorted(self._models)
            ) from None

    def served_version(self, name: str) -> str | None:
        """Version of ``name`` being served, or None."""
        served = self._models.get(name)
        return served.version if served is not None else None

    @property
    def ready(self) -> bool:
        return self.default in self._models

    @property
    def busy(self) -> bool:
        """True while a reload or its warm-up runs."""
        return self._busy.locked()

    def names(self) -> list[str]:
        return sorted(self._models)

    # ---- writes -------------------------------------------------------------------
    def load_initial(self, names: list[str]) -> None:
        """Load the live version of every model (raises StoreError for the default)."""
        for name in dict.fromkeys([self.default, *names]):
            if name == self.default:
                self._busy.acquire()
                try:
                    warming = self._install(self._loader(name, None))
                except BaseException:
                    self._release()
                    raise
                if not warming:
                    self._release()
                continue
            try:
                self._install(self._loader(name, None))
            except ForecastError:
                log.exception("model %s could not be loaded; not served", name)

    def reload(self, name: str | None = None, force: bool = False) -> dict[str, Any]:
        """Swap to the live version of ``name`` if it changed; the old one serves until then.

        Raises BusyError while another reload (or its warm-up) runs, StoreError when the
        pointer is unreadable and ReloadFailedError when the live version cannot be loaded.
        """
        name = name or self.default
        if not self._busy.acquire(blocking=False):
            raise BusyError(
                "a model reload is already running (its baselines are being precomputed); "
                "retry in a few seconds",
                field="model",
            )
        try:
            old = self._models.get(name)
            live = core.live_version(self.registry, name)
            if live is None or (old is not None and live == old.version and not force):
                self._release()
                return {"model": name, "version": old and old.version, "changed": False}
            try:
                new = self._loader(name, live)
            except ForecastError as exc:
                self._metrics.reloads.labels("failed").inc()
                served = old.version if old else None
                raise ReloadFailedError(
                    f"model {name} version {live} could not be loaded ({exc}); "
                    f"still serving version {served}",
                    field="model",
                ) from exc
            del old  # the previous version is released as soon as the swap drops it
        except BaseException:
            self._release()
            raise
        previous = self.served_version(name)
        if not self._install(new):
            self._release()
        for derived in self._derived:
            self._rebuild(derived)
        self._metrics.reloads.labels("swapped").inc()
        log.info(
            "model swapped",
            extra={"fields": {"model": name, "from": previous, "to": new.version}},
        )
        return {"model": name, "version": new.version, "changed": True, "previous": previous}

    def derive(self, name: str, build: Callable[[ModelHolder], ServedModel | None]) -> None:
        """Serve model ``name`` built from the served ones (``stacked``), and build it again
        after every swap, so that it never holds (or keeps alive) a superseded version; it
        is not served while ``build`` gives None."""
        self._derived[name] = build
        self._rebuild(name)

    def _rebuild(self, name: str) -> None:
        served = self._derived[name](self)
        with self._swap:
            if served is None:
                self._models.pop(name, None)
            else:
                self._models[name] = served

    def _release(self) -> None:
        if self._busy.locked():
            self._busy.release()

    def _install(self, served: ServedModel) -> bool:
        """Swap ``served`` in; True when a warm-up thread started (it releases the busy lock)."""
        with self._swap:
            previous = self._models.get(served.name)
            self._models[served.name] = served  # one reference assignment: the atomic swap
        if served.name != self.default:
            return False
        self._metrics.set_model(
            served.name,
            served.version,
            served.data_sha256,
            served.loaded_at,
        )
        del previous
        if self._precompute is None:
            return False
        threading.Thread(target=self._warm, args=(served,), name="precompute", daemon=True).start()
        return True

    def _warm(self, served: ServedModel) -> None:
        """Fill in the baselines of ``served`` and swap in the warmed copy (if still live)."""
        t0 = time.perf_counter()
        try:
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
            del served
            release_heap()
            log.info(
                "baselines precomputed",
                extra={
                    "fields": {
                        "model": warmed.name,
                        "version": warmed.version,
                        "forecasts": len(bodies),
                        "seconds": round(time.perf_counter() - t0, 3),
                    }
                },
            )
        finally:
            self._release()

    def wait_warm(self, timeout: float = 600.0) -> bool:
        """Block until the default model's baselines are precomputed (tests, benchmarks;
        the warm-up takes about 17 s of CPU, minutes of wall time on a saturated machine)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            served = self._models.get(self.default)
            if served is not None and served.baseline and not self.busy:
                return True
            time.sleep(0.02)
        return False

    def poll_once(self) -> None:
        """Swap every served model whose live pointer moved (errors logged once each)."""
        for name in self.names():
            try:
                live = core.live_version(self.registry, name)
                if live is not None and live != self.served_version(name):
                    self.reload(name)
                self._last_errors.pop(name, None)
            except BusyError:
                continue  # the running reload finishes first; the next poll retries
            except ForecastError as exc:
                if exc.message != self._last_errors.get(name):
                    log.error(
                        "reload failed; still serving the previous version",
                        extra={"fields": {"model": name, "error": exc.message}},
                    )
                self._last_errors[name] = exc.message

    async def watch(self, every_s: float) -> None:
        """Poll the live pointer of every served model and swap when it moves."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await asyncio.to_thread(self.poll_once)
            except Exception:
                log.exception("pointer watch failed")
