"""Golden JSON of one forecast, with the clock and the version injected.

Regenerate after an intentional change (a refit of the shipped model, a new field) with
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/api/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from forecast.api import create_app
from forecast.store.registry import Registry
from tests.api.conftest import FIXED_CLOCK, NATO, assert_json_close, make_settings
from tests.api.store_tools import clone_live_version, copy_store

GOLDEN = Path(__file__).parent / "golden" / "forecast_nato_h10.json"


def test_forecast_matches_golden(store_copy, tmp_path):
    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root)
    version = clone_live_version(root / "models", settings.model, "golden-v1")
    Registry(root / "models").promote(settings.model, version)
    with TestClient(create_app(settings, clock=lambda: FIXED_CLOCK)) as c:
        cold = c.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 10}).json()
        assert c.app.state.svc.holder.wait_warm()
        body = c.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 10}).json()
    assert_json_close(cold, body)  # on demand (before warm-up) == precomputed
    assert body["model"]["version"] == "golden-v1"
    assert body["model"]["computed_at"] == "2026-11-23T12:00:00Z"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    if not GOLDEN.is_file():
        pytest.skip(
            f"{GOLDEN.name} not recorded yet for the shipped model: run with UPDATE_GOLDEN=1"
        )
    assert body == json.loads(GOLDEN.read_text())
