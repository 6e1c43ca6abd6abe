"""Checks run by ``alliance-forecast serve`` before starting uvicorn (fail fast, one line).

Everything the lifespan would refuse is checked here first, without numpy, pandas or
xarray (the supervisor of a multi-worker server stays small): the data tables against
their manifest, the live pointer, and the live version's files, checksum, format, spec
and gates. A corrupt store therefore exits 2 with one line, never a uvicorn traceback.
"""

from __future__ import annotations

from forecast.config import Settings
from forecast.serving.datacheck import verify_data
from forecast.store.registry import Registry


def check_store(settings: Settings) -> str:
    """Raise StoreError unless the data and the default model's live version are servable."""
    verify_data(settings.data_dir)
    version, _ = Registry.open(settings.models_dir).verify(settings.model, require_passed=True)
    return version
