"""POST /v1/forecasts: batches, scenarios (model-based what-ifs) and their errors."""

from __future__ import annotations

import pytest

from tests.api.conftest import NATO, US_JAPAN, WARSAW_PACT, error_of


def _covariate(client) -> str:
    """A covariate the served model was fitted on (from its manifest)."""
    name = client.app.state.settings.model
    return client.app.state.svc.holder.get(name).covariates[0]


def test_batch_baselines_match_single_forecasts(client):
    r = client.post("/v1/forecasts", json={"atopids": [NATO, US_JAPAN, WARSAW_PACT], "horizon": 5})
    assert r.status_code == 200
    body = r.json()
    assert [f["atopid"] for f in body["forecasts"]] == [NATO, US_JAPAN]
    assert body["errors"][0]["atopid"] == WARSAW_PACT
    assert body["errors"][0]["code"] == "not_in_force"
    single = client.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 5}).json()
    assert body["forecasts"][0] == single  # both served from the same precomputed bytes
    assert body["scenario"] is None and body["label"] is None


def test_scenario_returns_baseline_scenario_and_difference(client):
    cov = _covariate(client)
    scenario = {
        "name": "threat +1 sd",
        "overrides": [{"covariate": cov, "op": "add", "value": 1, "unit": "sd"}],
    }
    r = client.post("/v1/forecasts", json={"atopids": [NATO], "horizon": 10, "scenario": scenario})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "what-if" in body["label"]
    res = body["results"][0]
    assert res["baseline"]["kind"] == "baseline"
    assert res["scenario"]["kind"] == "scenario" and "what-if" in res["scenario"]["note"]
    diff = res["difference"]
    assert diff["kind"] == "difference"
    assert diff["p_persist"]["mean"] == pytest.approx(
        res["scenario"]["p_persist"]["mean"] - res["baseline"]["p_persist"]["mean"], abs=1e-5
    )
    assert diff["p_persist"]["lo"] <= diff["p_persist"]["mean"] <= diff["p_persist"]["hi"]


def test_unknown_covariate_is_422_listing_allowed(client):
    scenario = {"name": "x", "overrides": [{"covariate": "moon_phase", "op": "set", "value": 1}]}
    r = client.post("/v1/forecasts", json={"atopids": [NATO], "scenario": scenario})
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "scenario.overrides.0.covariate"
    assert _covariate(client) in err["allowed"]


def test_unknown_or_foreign_member_in_scenario_is_422(client):
    cov = _covariate(client)
    for member, needle in (("Atlantis", "unknown member"), ("JPN", "not a member")):
        scenario = {
            "name": "regime change",
            "overrides": [{"covariate": cov, "op": "set", "value": 1, "member": member}],
        }
        r = client.post("/v1/forecasts", json={"atopids": [NATO], "scenario": scenario})
        assert r.status_code == 422, member
        err = error_of(r)
        assert err["field"] == "scenario.overrides.0.member"
        assert needle in err["message"]


def test_oversize_batch_is_413(client):
    limit = client.app.state.settings.max_batch
    r = client.post("/v1/forecasts", json={"atopids": list(range(1000, 1000 + limit + 1))})
    assert r.status_code == 413
    assert error_of(r)["allowed"] == {"max_items": limit}


def test_oversize_body_is_413(client):
    limit = client.app.state.settings.max_body_bytes
    r = client.post(
        "/v1/forecasts",
        content=b"[" + b" " * limit + b"]",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413


def test_unknown_atopids_are_404_naming_them(client):
    r = client.post("/v1/forecasts", json={"atopids": [NATO, 1001, 1002]})
    assert r.status_code == 404
    assert "1001, 1002" in error_of(r)["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"atopids": [NATO], "horizon": 31}, "horizon"),
        ({"atopids": []}, "atopids"),
        ({"atopids": ["NATO"]}, "atopids.0"),
        ({"atopids": [NATO], "colour": "red"}, "colour"),
        (
            {
                "atopids": [NATO],
                "scenario": {
                    "name": "x",
                    "overrides": [{"covariate": "a", "op": "multiply", "value": 2}],
                },
            },
            "scenario.overrides.0.op",
        ),
    ],
)
def test_malformed_bodies_are_422_naming_the_field(client, body, field):
    r = client.post("/v1/forecasts", json=body)
    assert r.status_code == 422
    assert error_of(r)["field"] == field


def test_non_json_body_is_422(client):
    r = client.post(
        "/v1/forecasts", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    "scenario",
    [
        {"preset": "threat_up"},
        {"preset": "leader_spending_cut", "amount": 0.3},
        {"preset": "members_at_gdp_share", "amount": 2.0},
        {"preset": "regime_change", "member": "France"},
    ],
)
def test_named_presets(client, scenario):
    r = client.post("/v1/forecasts", json={"atopids": [NATO], "horizon": 5, "scenario": scenario})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:  # the served model may not use the preset's covariates
        assert error_of(r)["field"] == "scenario.preset"
        return
    res = r.json()["results"][0]
    assert res["scenario"]["kind"] == "scenario"
    assert "what-if" in r.json()["label"]


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        ({"preset": "regime_change"}, "scenario.member"),
        ({"preset": "regime_change", "member": "Japan"}, "scenario.member"),
        ({"preset": "leader_spending_cut", "amount": 1.5}, "scenario.amount"),
        (
            {"preset": "threat_up", "overrides": [{"covariate": "x", "op": "set", "value": 1}]},
            "scenario",
        ),
        ({"name": "empty"}, "scenario"),
        ({"preset": "coup"}, "scenario.preset"),
    ],
)
def test_bad_presets_are_422(client, scenario, field):
    r = client.post("/v1/forecasts", json={"atopids": [NATO], "scenario": scenario})
    assert r.status_code == 422, r.text
    assert error_of(r)["field"] == field
