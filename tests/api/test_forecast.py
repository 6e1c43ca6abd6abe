"""Single-alliance forecasts: numbers, provenance, errors and the SVG chart."""

from __future__ import annotations

import itertools
import json

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

    from forecast.api import render
    from forecast.serving import core

    served = client.app.state.svc.holder.get()
    labels = client.app.state.svc.catalog.summaries
    keys = sorted(served.baseline)[::211]
    assert len(served.baseline) >= 300 * 30 and keys
    for atopid, horizon in keys:
        f = core.forecast(served.forecaster, atopid, horizon, None)
        fresh = render.forecast(
            f, label=labels[atopid]["label"], provenance=dict(served.provenance)
        )
        assert_json_close(json.loads(served.baseline[(atopid, horizon)]), fresh)


def test_precomputed_bytes_are_the_per_request_body_of_the_same_numbers(client):
    """Both paths write a body through ``render.forecast_body``: the precomputed bytes of
    an alliance parse to exactly the per-request body of the same table numbers."""
    from forecast.api import render
    from forecast.api.forecasts import baseline_drivers
    from forecast.api.schemas import MAX_HORIZON
    from forecast.predict.types import Forecast, Interval
    from forecast.serving import core

    state = client.app.state.svc
    served = state.holder.get()
    fc = served.forecaster
    table = core.baseline_table(fc, MAX_HORIZON)
    i = table.atopids.tolist().index(NATO)
    label = state.catalog.summaries[NATO]["label"]
    drivers = baseline_drivers(fc, table, {NATO})
    bodies = render.baseline_bodies(table, {NATO: label}, drivers, served.provenance)
    assert sorted(bodies) == [(NATO, h) for h in range(1, MAX_HORIZON + 1)]
    persist = [Interval(*table.p_persist[:, i, j].tolist()) for j in range(MAX_HORIZON)]
    for h in (1, 10, MAX_HORIZON):
        p = persist[h - 1]
        f = Forecast(
            atopid=NATO, as_of=table.as_of, horizon=h, p_persist=p,
            p_end=Interval(1.0 - p.mean, 1.0 - p.hi, 1.0 - p.lo),
            causes={
                c: Interval(*table.causes[:, i, h - 1, k].tolist())
                for k, c in enumerate(table.cause_names)
            },
            survival=tuple(persist[:h]), drivers=fc.drivers_of_table(table, NATO),
            drivers_total=Interval(*table.drivers_total[:, i].tolist()),
            drivers_reference=Interval(*table.drivers_reference[:, i].tolist()),
            reference=fc.reference, data_through=dict(fc.data_through),
        )  # fmt: skip
        per_request = render.forecast(f, label=label, provenance=dict(served.provenance))
        assert json.loads(bodies[(NATO, h)]) == per_request
        assert bodies[(NATO, h)] == render.to_json(per_request)


def test_every_forecast_body_validates_against_the_schema(client):
    """The bodies the API sends (precomputed, per request, scenario, difference) are
    ``ForecastOut``: the OpenAPI schema names exactly their fields."""
    from forecast.api import render
    from forecast.api.schemas import ForecastOut
    from forecast.serving import core

    fields = set(ForecastOut.model_fields)
    served = client.app.state.svc.holder.get()
    label = client.app.state.svc.catalog.summaries[NATO]["label"]
    f = core.forecast(served.forecaster, NATO, 7, None)
    bodies = [
        served.baseline[(NATO, 1)],
        served.baseline[(NATO, 30)],
        render.to_json(render.forecast(f, label=label, provenance=dict(served.provenance))),
    ]
    r = client.post(
        "/v1/forecasts",
        json={"atopids": [NATO], "horizon": 5, "scenario": {"preset": "leader_spending_cut"}},
    )
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    bodies += [render.to_json(result[k]) for k in ("baseline", "scenario", "difference")]
    for body in bodies:
        out = ForecastOut.model_validate_json(body)
        assert set(out.model_dump()) == fields == set(json.loads(body))
        assert out.atopid == NATO and out.model.version == served.version


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
