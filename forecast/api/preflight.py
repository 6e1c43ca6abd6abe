"""Checks run by ``alliance-forecast serve`` before starting uvicorn (fail fast, one line)."""

from __future__ import annotations

from forecast.api import engine
from forecast.config import Settings
from forecast.errors import StoreError


def check_store(settings: Settings) -> str:
    """Raise StoreError unless the data tables and the default model's live version exist."""
    if not settings.data_dir.is_dir():
        raise StoreError(
            f"data folder {settings.data_dir} does not exist: set ALLIANCE_FORECAST_DATA_DIR "
            "or build it with `alliance-forecast data build`"
        )
    registry = engine.open_registry(settings.models_dir)
    live = engine.live_version(registry, settings.model)
    if live is None:
        raise StoreError(
            f"model {settings.model!r} has no live version in {settings.models_dir}: promote "
            "one with `alliance-forecast models promote` or set ALLIANCE_FORECAST_MODEL"
        )
    registry.manifest(settings.model, live)  # cheap: full validation happens at load
    for table in ("alliances.parquet", "alliance_members.parquet", "alliance_year.parquet"):
        if not (settings.data_dir / table).is_file():
            raise StoreError(
                f"{settings.data_dir / table} is missing: build the data with "
                "`alliance-forecast data build` or set ALLIANCE_FORECAST_DATA_DIR"
            )
    return live
