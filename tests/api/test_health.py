"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from tests.api.conftest import NATO


def test_health_answers_without_a_model(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["x-request-id"]


def test_request_id_is_echoed(client):
    r = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"


def test_ready_names_the_served_model(client):
    r = client.get("/ready")
    assert r.status_code == 200
    body = r.json()
    assert body["ready"] is True
    assert body["model"] == client.app.state.settings.model
    assert body["version"]


def test_metrics_count_requests_and_name_the_model_version(client):
    client.get(f"/v1/alliances/{NATO}/forecast?horizon=5")
    text = client.get("/metrics").text
    assert "alliance_forecast_http_requests_total{" in text
    assert 'route="/v1/alliances/{atopid}/forecast"' in text
    assert "alliance_forecast_http_request_duration_seconds_bucket" in text
    version = client.get("/ready").json()["version"]
    assert f'version="{version}"' in text


def test_unknown_route_is_a_json_404(client):
    r = client.get("/v2/nothing")
    assert r.status_code == 404
    assert "/v2/nothing" in r.json()["error"]["message"]


def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/health",
        "/ready",
        "/metrics",
        "/v1/alliances",
        "/v1/alliances/{atopid}",
        "/v1/alliances/{atopid}/forecast",
        "/v1/alliances/{atopid}/forecast.svg",
        "/v1/forecasts",
        "/v1/models",
        "/v1/models/{name}",
        "/v1/admin/reload",
    ):
        assert p in paths, p
    assert client.get("/docs").status_code == 200
