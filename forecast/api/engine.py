"""Thin adapter from the API to the store and the forecast core.

Every call the service makes into ``forecast.store`` and ``forecast.predict`` goes
through here, so the routes never depend on their internals. Imports are local so that
importing the API stays cheap; none of them pulls in PyMC, PyTensor or ArviZ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from forecast.errors import StoreError
from forecast.panel.columns import COVARIATES
from forecast.predict.types import Forecast, Scenario


def open_registry(models_dir: Path) -> Any:
    """The posterior store at ``models_dir`` (StoreError when it does not exist)."""
    if not models_dir.is_dir():
        raise StoreError(
            f"model store {models_dir} does not exist: set ALLIANCE_FORECAST_MODELS_DIR "
            "or fit and promote a model with `alliance-forecast fit`"
        )
    from forecast.store import Registry

    return Registry(models_dir)


def live_version(registry: Any, name: str) -> str | None:
    """Version the live pointer of ``name`` names (None when there is none)."""
    return registry.live_version(name)


def model_names(registry: Any) -> list[str]:
    """Names of the models in the store."""
    return list(registry.models())


def list_versions(registry: Any, name: str) -> list[Any]:
    """Stored versions of ``name`` (as the registry lists them)."""
    return list(registry.list(name))


def load_artifact(registry: Any, name: str, version: str | None) -> Any:
    """Validated artifact of ``name`` at ``version`` (live when None)."""
    return registry.load(name, version)


def manifest_of(artifact: Any) -> Mapping[str, Any]:
    """The artifact's manifest as a plain dict."""
    manifest = artifact.manifest
    return manifest if isinstance(manifest, Mapping) else manifest.model_dump(mode="json")


def version_of(artifact: Any) -> str:
    """Stored version name of the artifact (its folder name)."""
    return str(artifact.version)


def covariates_of(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    """Covariates a scenario may change: those the model was fitted on."""
    names = manifest.get("covariates")
    if isinstance(names, Mapping):
        return tuple(names)
    return tuple(names) if names else COVARIATES


def load_panel(data_dir: Path) -> Any:
    """The shipped alliance-year panel."""
    from forecast.panel import load_panel as _load

    return _load(data_dir)


def load_catalog_frames(data_dir: Path) -> tuple[Any, Any]:
    """(alliances, members) tables from the shipped data."""
    from forecast.panel import load_alliance_members, load_alliances

    return load_alliances(data_dir), load_alliance_members(data_dir)


def build_forecaster(artifact: Any, panel: Any) -> Any:
    """Forecaster over ``artifact``'s draws for the alliances in ``panel``."""
    from forecast.predict import Forecaster

    return Forecaster(artifact, panel)


def as_of(forecaster: Any) -> int:
    """Last data year the forecaster starts from."""
    return int(forecaster.as_of)


def baseline_forecasts(
    forecaster: Any, atopids: Iterable[int], max_horizon: int
) -> Iterator[Forecast]:
    """Baseline forecasts of ``atopids`` for every horizon 1..max_horizon (vectorised)."""
    yield from forecaster.forecast_all(atopids=list(atopids), horizons=range(1, max_horizon + 1))


def forecast(forecaster: Any, atopid: int, horizon: int, scenario: Scenario | None) -> Forecast:
    """One forecast (baseline when ``scenario`` is None)."""
    return forecaster.forecast(atopid, horizon, scenario=scenario)


def scenario_difference(
    forecaster: Any, atopid: int, horizon: int, scenario: Scenario
) -> tuple[Forecast, Forecast, Forecast]:
    """(baseline, scenario, scenario − baseline) with per-draw intervals."""
    return forecaster.compare(atopid, horizon, scenario)
