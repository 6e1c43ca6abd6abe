"""Admin reload: bearer token required; a reload with no new version changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from forecast.api import create_app
from tests.api.conftest import ADMIN_TOKEN, error_of, make_settings


def test_reload_needs_the_bearer_token(client):
    assert client.post("/v1/admin/reload").status_code == 401
    r = client.post("/v1/admin/reload", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert error_of(r)["field"] == "Authorization"


def test_reload_with_token_and_unchanged_pointer(client):
    r = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert r.status_code == 200
    body = r.json()
    assert body["changed"] is False
    assert body["version"] == client.get("/ready").json()["version"]


def test_admin_disabled_without_a_configured_token(store_copy):
    app = create_app(make_settings(store_copy, admin_token=None))
    with TestClient(app) as c:
        r = c.post("/v1/admin/reload", headers={"Authorization": "Bearer anything"})
        assert r.status_code == 503
        assert "ALLIANCE_FORECAST_ADMIN_TOKEN" in error_of(r)["message"]


def test_an_empty_token_disables_admin(store_copy):
    """Review A-6: ``ALLIANCE_FORECAST_ADMIN_TOKEN=`` once let ``Bearer`` with no token in."""
    for empty in ("", "   "):
        settings = make_settings(store_copy, admin_token=empty)
        assert settings.admin_token is None
        with TestClient(create_app(settings)) as c:
            for header in ("Bearer", "Bearer ", "bearer "):
                r = c.post("/v1/admin/reload", headers={"Authorization": header})
                assert r.status_code == 503, (empty, header)
                assert error_of(r)["code"] == "admin_disabled"


@pytest.mark.slow
def test_a_forced_reload_cannot_be_stacked(client):
    """Review A-7: six forced reloads in a row once ran six loads and precomputes at once."""
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    holder = client.app.state.svc.holder
    assert holder.wait_warm()
    first = client.post("/v1/admin/reload", params={"force": True}, headers=auth)
    assert first.status_code == 200 and first.json()["changed"] is True
    assert holder.busy  # its baselines are being precomputed (seconds)
    second = client.post("/v1/admin/reload", params={"force": True}, headers=auth)
    assert second.status_code == 429
    assert error_of(second)["code"] == "busy"
    assert holder.wait_warm()
    assert client.post("/v1/admin/reload", params={"force": True}, headers=auth).status_code == 200
    assert holder.wait_warm()
