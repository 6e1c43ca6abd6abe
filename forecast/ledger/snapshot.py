"""Snapshot the live forecasts of a stored model version into the ledger."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from forecast.ledger.record import snapshot_live
from forecast.ledger.seed import alliance_types


def snapshot_store(
    engine: Engine,
    models_dir: Path,
    data_dir: Path,
    model: str,
    version: str | None = None,
    panel: pd.DataFrame | None = None,
) -> int:
    """Record the forecasts of ``model`` at ``version`` (live when None) for every alliance
    in force; returns how many were added (0 when this version was already recorded)."""
    from forecast.predict import Forecaster
    from forecast.store import Registry

    if panel is None:
        from forecast.model.members import load_model_panel

        panel = load_model_panel(data_dir)
    artifact = Registry(models_dir).load(model, version)
    manifest = artifact.manifest
    manifest = manifest if isinstance(manifest, dict) else manifest.model_dump(mode="json")
    return snapshot_live(
        engine,
        Forecaster(artifact, panel),
        model=model,
        version=str(artifact.version),
        data_sha256=manifest.get("data_manifest_sha256"),
        alliance_types=alliance_types(data_dir),
        source=f"models/{model}/{artifact.version}",
    )


def after_promotion(
    url: str, models_dir: Path, model: str, version: str, panel: pd.DataFrame
) -> int:
    """The refit job's hook: record the newly promoted version's live forecasts."""
    from forecast.config import get_settings
    from forecast.ledger.db import open_ledger

    engine = open_ledger(url)
    try:
        return snapshot_store(engine, models_dir, get_settings().data_dir, model, version, panel)
    finally:
        engine.dispose()


def ensure_live_snapshot(engine: Engine, models_dir: Path, data_dir: Path, model: str) -> int:
    """Record the live version's forecasts unless that version is already in the ledger
    (so the version served before the ledger existed is recorded at first start)."""
    from sqlalchemy import select

    from forecast.ledger.tables import Entry
    from forecast.store import Registry

    version = Registry(models_dir).live_version(model)
    if version is None:
        return 0
    with engine.connect() as conn:
        known = conn.scalar(
            select(Entry.id).where(
                Entry.kind == "live", Entry.model == model, Entry.version == version
            )
        )
    return 0 if known is not None else snapshot_store(engine, models_dir, data_dir, model, version)
