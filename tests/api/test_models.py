"""Model listing and detail: versions, live pointer, diagnostics, LOO."""

from __future__ import annotations

from tests.api.conftest import error_of


def test_models_list_names_live_and_served_versions(client):
    r = client.get("/v1/models")
    assert r.status_code == 200
    models = {m["name"]: m for m in r.json()}
    default = client.app.state.settings.model
    m = models[default]
    assert m["live_version"] == m["served_version"]
    assert any(v["live"] and v["version"] == m["live_version"] for v in m["versions"])


def test_model_detail_has_manifest_with_diagnostics(client):
    default = client.app.state.settings.model
    body = client.get(f"/v1/models/{default}").json()
    manifest = body["manifest"]
    assert manifest["version"] == body["live_version"]
    assert "diagnostics" in manifest and "train_until" in manifest
    rows = {r["model"]: r for r in body["loo_comparison"]}
    assert default in rows and rows[default]["version"] == body["live_version"]


def test_unknown_model_is_404(client):
    r = client.get("/v1/models/astrology")
    assert r.status_code == 404
    assert "astrology" in error_of(r)["message"]


def test_model_detail_lists_covariates_and_estimated_variance_components(client):
    default = client.app.state.settings.model
    body = client.get(f"/v1/models/{default}").json()
    covs = body["covariates"]
    assert covs and all(
        {"name", "family", "unit", "description", "scenario", "data_through"} <= set(c)
        for c in covs
    )
    assert any("% of GDP" in c["unit"] for c in covs)
    for c in covs:
        if c["scenario"]:
            lo, hi = c["allowed_range"]
            assert lo < hi
    sds = {v["name"]: v for v in body["variance_components"]}
    assert {"state_sd", "obligation_type_sd"} <= set(sds)
    assert all(v["note"] and v["q05"] <= v["mean"] <= v["q95"] for v in sds.values())
    assert "_fixed" not in str(body["manifest"]["spec"])
