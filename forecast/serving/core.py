"""The serving runtime's calls into the store, the panel and the forecast core.

Loading (the store, the panel, the catalog tables, a forecaster) and forecasting (one
forecast, a scenario difference, the baseline table) as the service does them, with the
core's "not at risk" turned into :class:`~forecast.errors.NotForecastableError`. Imports
are local so that importing the app stays cheap; none of them pulls in PyMC, PyTensor
or ArviZ (``tests/api/test_import_purity.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import NotForecastableError
from forecast.predict.types import Forecast, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from forecast.model.members import ModelPanels
    from forecast.predict import Forecaster, ForecastTable
    from forecast.predict.stacked import StackedForecaster
    from forecast.store import Artifact, Registry

    AnyForecaster = Forecaster | StackedForecaster


def open_registry(models_dir: Path) -> Registry:
    """The posterior store at ``models_dir`` (StoreError when it does not exist)."""
    from forecast.store import Registry

    return Registry.open(models_dir)


def live_version(registry: Registry, name: str) -> str | None:
    """Version the live pointer of ``name`` names (None when there is none)."""
    return registry.live_version(name)


def model_names(registry: Registry) -> list[str]:
    """Names of the models in the store."""
    return list(registry.models())


def list_versions(registry: Registry, name: str) -> list[dict[str, Any]]:
    """Stored versions of ``name`` (as the registry lists them)."""
    return list(registry.list(name))


def load_artifact(registry: Registry, name: str, version: str | None) -> Artifact:
    """Validated artifact of ``name`` at ``version`` (live when None); served versions
    must have passed their gates."""
    return registry.load(name, version, require_passed=True)


def manifest_of(artifact: Artifact) -> Mapping[str, Any]:
    """The artifact's manifest as a plain dict."""
    manifest = artifact.manifest
    return manifest if isinstance(manifest, Mapping) else manifest.model_dump(mode="json")


def version_of(artifact: Artifact) -> str:
    """Stored version name of the artifact (its folder name)."""
    return str(artifact.version)


def covariates_of(forecaster: AnyForecaster) -> tuple[str, ...]:
    """Covariates a scenario may change: those the model was fitted on (an interaction
    follows its parts and is not changed directly)."""
    return tuple(forecaster.scenario_covariates)


def load_panel(data_dir: Path) -> pd.DataFrame:
    """The shipped alliance-year panel with the member lists the model needs."""
    from forecast.model.members import load_model_panel

    return load_model_panel(data_dir)


def load_catalog_frames(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(alliances, members) tables from the shipped data."""
    from forecast.panel.load import load_alliance_members, load_alliances

    return load_alliances(data_dir), load_alliance_members(data_dir)


def democracies(data_dir: Path) -> dict[int, bool]:
    """COW code -> democracy at its last observed year (Polity2 >= 6, else V-Dem >= 0.5)."""
    from forecast.panel.load import load_state_year

    sy = load_state_year(data_dir).sort_values("year")
    out: dict[int, bool] = {}
    for ccode, rows in sy.groupby("ccode"):
        polity = rows["polity2"].dropna()
        poly = rows["polyarchy"].dropna()
        if len(polity):
            out[int(ccode)] = bool(polity.iloc[-1] >= 6)
        elif len(poly):
            out[int(ccode)] = bool(poly.iloc[-1] >= 0.5)
    return out


def model_panels(panel: pd.DataFrame, data_dir: Path) -> ModelPanels:
    """The panels of both units (the member panel is read when a member model loads)."""
    from forecast.model.members import ModelPanels

    return ModelPanels(panel, data_dir)


def build_forecaster(artifact: Artifact, panel: pd.DataFrame | ModelPanels) -> Forecaster:
    """Forecaster over ``artifact``'s draws: ``panel`` is the alliance panel or the
    ``ModelPanels`` of both units (a member-level model reads the member panel)."""
    from forecast.predict import Forecaster

    return Forecaster(artifact, panel)


def as_of(forecaster: AnyForecaster) -> int:
    """Last data year the forecaster starts from."""
    return int(forecaster.as_of)


#: Alliances per vectorised block when precomputing baselines: the per-draw hazard arrays
#: of a block are the swap's transient memory (32 alliances: +240 MB; 4: +60 MB), while
#: the precompute time barely changes (benchmarks/serve.py measures both).
BASELINE_CHUNK = 4


def baseline_table(forecaster: Forecaster, max_horizon: int) -> ForecastTable:
    """The forecaster's vectorised baseline table (alliances in force x horizons 1..H)."""
    return forecaster.table(max_horizon, chunk=BASELINE_CHUNK)


def _not_at_risk(atopid: int, exc: Exception) -> NotForecastableError:
    return NotForecastableError(f"alliance {atopid} cannot be forecast: {exc}", field="atopid")


def forecast(
    forecaster: AnyForecaster, atopid: int, horizon: int, scenario: Scenario | None
) -> Forecast:
    """One forecast (baseline when ``scenario`` is None); NotForecastableError when the
    model has no at-risk row for the alliance at as_of."""
    from forecast.predict.forecaster import NotInForceError

    try:
        return forecaster.forecast(atopid, horizon, scenario=scenario)
    except NotInForceError as exc:
        raise _not_at_risk(atopid, exc) from exc


def scenario_difference(
    forecaster: AnyForecaster, atopid: int, horizon: int, scenario: Scenario
) -> tuple[Forecast, Forecast, Forecast]:
    """(baseline, scenario, scenario − baseline); the difference is summarised per draw.

    numpy's overflow warnings are silenced here: a result that is not finite is refused
    by the caller (``forecast.serving.budget.check_finite``) with a 422."""
    import numpy as np

    from forecast.predict.forecaster import NotInForceError

    try:
        with np.errstate(all="ignore"):
            return forecaster.compare_scenario(atopid, horizon, scenario)
    except NotInForceError as exc:
        raise _not_at_risk(atopid, exc) from exc
