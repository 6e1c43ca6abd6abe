"""Served forecasts: drivers that add up exactly, scenarios that act on values only."""

from __future__ import annotations

from tests.api.conftest import NATO, error_of


def _scenario(client, covariate: str, op: str, value: float, unit: str = "natural"):
    return client.post("/v1/forecasts", json={
        "atopids": [NATO], "horizon": 10,
        "scenario": {"name": "t", "overrides": [
            {"covariate": covariate, "op": op, "value": value, "unit": unit}]},
    })  # fmt: skip


def test_drivers_sum_to_total_minus_reference(client):
    f = client.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 10}).json()
    total, ref = f["drivers_total"], f["drivers_reference"]
    gap = sum(d["contribution"]["mean"] for d in f["drivers"]) - (total["mean"] - ref["mean"])
    assert abs(gap) < 1e-8
    assert "average" in f["drivers_reference_is"]
    assert f["as_of"] >= 2024 and len(f["data_through"]) >= 4
    for d in f["drivers"]:
        assert set(d["per_cause"]) == set(f["causes"])
        assert any(v is not None for v in d["covariates"].values())


def test_a_zero_change_is_exactly_zero_for_every_scenario_covariate(client):
    default = client.app.state.settings.model
    covs = [c for c in client.get(f"/v1/models/{default}").json()["covariates"] if c["scenario"]]
    assert covs
    for c in covs:
        r = _scenario(client, c["name"], "add", 0.0)
        assert r.status_code == 200, r.text
        diff = r.json()["results"][0]["difference"]
        assert diff["p_persist"] == {"mean": 0.0, "lo": 0.0, "hi": 0.0}, c["name"]


def test_out_of_range_scenario_is_422_naming_the_allowed_range(client):
    default = client.app.state.settings.model
    covs = [c for c in client.get(f"/v1/models/{default}").json()["covariates"] if c["scenario"]]
    c = covs[0]
    lo, hi = c["allowed_range"]
    r = _scenario(client, c["name"], "set", hi + 10 * (hi - lo) + 1)
    assert r.status_code == 422
    err = error_of(r)
    assert c["name"] in err["message"] and "allowed range" in err["message"]
    assert err["allowed"] == {"min": lo, "max": hi}
