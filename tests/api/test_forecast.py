"""Single-alliance forecasts: numbers, provenance, errors and the SVG chart."""

from __future__ import annotations

import itertools

import pytest

from forecast.panel.columns import CAUSES
from forecast.panel.edge import data_edge
from tests.api.conftest import FIXED_CLOCK, NATO, WARSAW_PACT, assert_json_close, error_of


def test_forecast_shape_and_provenance(client):
    r = client.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 10})
    assert r.status_code == 200
    f = r.json()
    assert f["kind"] == "baseline" and f["atopid"] == NATO and f["horizon"] == 10
    edge = data_edge()  # forecasts are issued as of the panel's data edge
    assert f["as_of"] == edge and f["target_year"] == edge + 10
    p = f["p_persist"]
    assert 0 <= p["lo"] <= p["mean"] <= p["hi"] <= 1
    assert f["p_end"]["mean"] == pytest.approx(1 - p["mean"], abs=1e-5)
    assert set(f["causes"]) == set(CAUSES)
    assert sum(c["mean"] for c in f["causes"].values()) == pytest.approx(
        f["p_end"]["mean"], abs=1e-4
    )
    curve = [s["mean"] for s in f["survival"]]
    assert len(curve) == 10 and all(a >= b for a, b in itertools.pairwise(curve))
    assert [s["year"] for s in f["survival"]] == list(range(edge + 1, edge + 11))
    assert curve[-1] == pytest.approx(p["mean"], abs=1e-6)
    assert f["drivers"] and all("contribution" in d for d in f["drivers"])
    m = f["model"]
    assert m["name"] == client.app.state.settings.model
    assert m["version"] and m["data_manifest_sha256"]
    assert m["computed_at"] == FIXED_CLOCK.isoformat().replace("+00:00", "Z")


def test_longer_horizons_persist_less(client):
    p = [
        client.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": h}).json()["p_persist"][
            "mean"
        ]
        for h in (1, 10, 30)
    ]
    assert p[0] >= p[1] >= p[2]


@pytest.mark.parametrize("horizon", ["0", "31", "-1", "ten", "2.5"])
def test_invalid_horizon_is_422_naming_the_range(client, horizon):
    r = client.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": horizon})
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "horizon"
    if horizon in ("0", "31", "-1"):
        assert err["allowed"] == {"min": 1, "max": 30}


def test_ended_alliance_is_409_with_end_year_and_cause(client):
    r = client.get(f"/v1/alliances/{WARSAW_PACT}/forecast")
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "not_in_force"
    assert err["endyr"] == 1991 and err["end_cause"] == "abrogation"
    assert "1991" in err["message"]


def test_unknown_alliance_forecast_is_404(client):
    r = client.get("/v1/alliances/9999/forecast")
    assert r.status_code == 404
    assert "9999" in error_of(r)["message"]


def test_unknown_model_is_422_listing_served_models(client):
    r = client.get(f"/v1/alliances/{NATO}/forecast", params={"model": "astrology"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "model"
    assert client.app.state.settings.model in err["allowed"]


def test_unknown_forecast_parameter_is_rejected(client):
    r = client.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 5, "horizn": 6})
    assert r.status_code == 422
    assert error_of(r)["field"] == "horizn"


def test_svg_chart(client):
    r = client.get(f"/v1/alliances/{NATO}/forecast.svg", params={"horizon": 20})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and "<polygon" in r.text and "NATO" in r.text
    assert client.get(f"/v1/alliances/{WARSAW_PACT}/forecast.svg").status_code == 409


def test_precomputed_baselines_equal_on_demand_forecasts(client):
    import json

    from forecast.api import engine, render

    served = client.app.state.svc.holder.get()
    labels = client.app.state.svc.catalog.summaries
    keys = sorted(served.baseline)[::211]
    assert len(served.baseline) >= 300 * 30 and keys
    for atopid, horizon in keys:
        f = engine.forecast(served.forecaster, atopid, horizon, None)
        fresh = render.forecast(
            f, label=labels[atopid]["label"], provenance=dict(served.provenance)
        )
        assert_json_close(json.loads(served.baseline[(atopid, horizon)]), fresh)


@pytest.mark.parametrize(
    "query",
    ["", "?horizon=7", "?horizon=07", f"?horizon=7&model={'{model}'}", "?model={model}"],
)
def test_fast_lane_and_router_give_the_same_answer(client, query):
    model = client.app.state.settings.model
    horizon = 7 if "7" in query else 10
    routed = client.get(f"/v1/alliances/{NATO}/forecast?horizon={horizon}&model={model}")
    fast = client.get(f"/v1/alliances/{NATO}/forecast{query.format(model=model)}")
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/v1/alliances/{NATO}/forecast?horizon=31", 422),
        (f"/v1/alliances/{NATO}/forecast?horizon=99", 422),
        (f"/v1/alliances/0{NATO}/forecast", 200),
        ("/v1/alliances/99999/forecast", 404),
        ("/v1/alliances/١٢٣/forecast", 422),
        (f"/v1/alliances/{WARSAW_PACT}/forecast?horizon=3", 409),
    ],
)
def test_fast_lane_falls_through_to_validation(client, path, status):
    assert client.get(path).status_code == status
