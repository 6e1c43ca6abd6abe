"""The CPU budget of scenario batches (review H-30..H-33): a concurrency slot per worker
(429), a cap on alliances x horizon (413), a response size cap (413), overflow -> 422."""

from __future__ import annotations

import threading

from tests.api.conftest import NATO, US_JAPAN, error_of

SCENARIO = {"preset": "threat_up", "amount": 1.0}


def _in_force(client, n: int) -> list[int]:
    page = client.get("/v1/alliances", params={"in_force": True, "page_size": n}).json()
    return [a["atopid"] for a in page["items"]]


def test_a_scenario_batch_over_alliances_x_horizon_is_413(client):
    limit = client.app.state.settings.max_scenario_cells
    ids = _in_force(client, 200)
    assert len(ids) * 30 > limit
    r = client.post("/v1/forecasts", json={"atopids": ids, "horizon": 30, "scenario": SCENARIO})
    assert r.status_code == 413
    err = error_of(r)
    assert err["code"] == "too_large" and err["allowed"] == {"max_alliances_x_horizon": limit}
    ok = client.post(
        "/v1/forecasts", json={"atopids": [NATO, US_JAPAN], "horizon": 30, "scenario": SCENARIO}
    )
    assert ok.status_code == 200


def test_a_scenario_batch_waits_for_no_slot_it_gets_429(client):
    budget = client.app.state.svc.scenario_budget
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with budget.slot():
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert holding.wait(10)
        r = client.post("/v1/forecasts", json={"atopids": [NATO], "scenario": SCENARIO})
        assert r.status_code == 429
        assert error_of(r)["code"] == "busy"
        # baselines do not need a slot: only scenario batches are budgeted
        assert client.post("/v1/forecasts", json={"atopids": [NATO]}).status_code == 200
    finally:
        release.set()
        t.join()
    r = client.post("/v1/forecasts", json={"atopids": [NATO], "scenario": SCENARIO})
    assert r.status_code == 200


def test_an_answer_over_the_response_cap_is_413(client):
    settings = client.app.state.settings
    old = settings.max_response_bytes
    object.__setattr__(settings, "max_response_bytes", 10_000)
    try:
        r = client.post("/v1/forecasts", json={"atopids": _in_force(client, 50), "horizon": 30})
    finally:
        object.__setattr__(settings, "max_response_bytes", old)
    assert r.status_code == 413
    assert error_of(r)["allowed"] == {"max_response_bytes": 10_000}


def test_overflowing_numbers_are_422_not_null_probabilities(client):
    covariate = client.app.state.svc.holder.get().covariates[0]
    for value in (1e308, 1e13, 1e5):
        override = {"covariate": covariate, "op": "add", "value": value}
        r = client.post(
            "/v1/forecasts", json={"atopids": [NATO], "scenario": {"overrides": [override]}}
        )
        assert r.status_code == 422, r.text
