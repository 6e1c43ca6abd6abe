"""Issue 10 over a real server: theory comparison, effects, contrasts, the stacked model
and member-exit forecasts, on small real fits of the variants (``theory_store``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from forecast.config import REPO_ROOT
from tests.api import server_tools
from tests.api.theory_store import NATO, VARIANTS, build_theory_store

pytestmark = [pytest.mark.slow, pytest.mark.integration]
TURKEY = 640


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = REPO_ROOT / "data"
    if not (data / "member_year.parquet").is_file():
        pytest.skip("data/ has no built panel: run `alliance-forecast data build`")
    root = build_theory_store(tmp_path_factory.mktemp("theories"), data)
    proc, url = server_tools.start(Path(root))
    try:
        server_tools.wait_ready(proc, url, timeout=180)
        yield url
    finally:
        server_tools.stop(proc)


def get(base: str, path: str) -> httpx.Response:
    return httpx.get(base + path, timeout=120)


def test_every_variant_and_the_member_model_are_live(base: str) -> None:
    live = {m["name"] for m in get(base, "/v1/models").json() if m["live_version"]}
    assert live >= {*VARIANTS, "member_exit"}


def test_theories_compare_by_loo_with_stacking_weights_and_a_verdict(base: str) -> None:
    body = get(base, "/v1/theories").json()
    comp = body["comparison"]
    assert {c["model"] for c in comp} == set(VARIANTS)
    assert sum(c["stacking_weight"] for c in comp) == pytest.approx(1.0, abs=1e-6)
    assert comp[0]["d_elpd"] == 0.0 and all(c["d_elpd"] <= 0 for c in comp)
    for c in comp:
        assert c["se"] > 0 and "backtest" in c
        k = c["pareto_k"]
        assert k["n_good"] + k["n_bad"] + k["n_very_bad"] > 0
    assert comp[0]["model"] in body["verdict"] and "Stacking puts" in body["verdict"]


def test_effects_give_hazard_ratios_per_stated_unit(base: str) -> None:
    effects = get(base, "/v1/effects?model=full").json()["effects"]
    hub = [e for e in effects if e["covariate"] == "hub_spoke"]
    assert {e["cause"] for e in hub} == {"abrogation", "replacement", "natural", "exogenous"}
    assert all(e["step"] == 1.0 and e["unit"] == "indicator (0/1)" for e in hub)
    for e in effects:
        hr = e["hazard_ratio"]
        assert 0 < hr["lo"] <= hr["hi"], e
    inter = [e for e in effects if e["covariate"] == "lost_common_rival:milinst"]
    assert inter and inter[0]["family"] == "threat"  # the institutionalist hypothesis
    assert any(e["era"] for e in effects)  # era-varying slopes are reported per era


def test_contrast_is_an_average_predictive_comparison_with_stated_defaults(base: str) -> None:
    c = get(base, "/v1/contrasts/hub_spoke?horizon=10").json()
    assert (c["from"], c["to"], c["rule"]) == (0.0, 1.0, "0 -> 1 (indicator)")
    d, a, b = c["difference"], c["p_persist_from"], c["p_persist_to"]
    assert d["lo"] <= d["mean"] <= d["hi"]
    assert d["mean"] == pytest.approx(b["mean"] - a["mean"], abs=1e-5)
    two = get(base, "/v1/contrasts/share_at_2pct?horizon=5").json()
    assert two["from"] == "observed" and two["to"] == 1.0
    same = get(base, "/v1/contrasts/milinst?horizon=10&from=1&to=1").json()
    assert same["difference"] == {"mean": 0.0, "lo": 0.0, "hi": 0.0}


def test_contrast_refuses_unknown_covariates_and_values_out_of_range(base: str) -> None:
    r = get(base, "/v1/contrasts/not_a_covariate?horizon=10")
    assert r.status_code == 422 and "hub_spoke" in r.json()["error"]["allowed"]
    r = get(base, "/v1/contrasts/milinst?horizon=10&from=0&to=9")
    assert r.status_code == 422 and r.json()["error"]["field"] == "to"
    r = get(base, "/v1/contrasts/milinst?horizon=10&from=high")
    assert r.status_code == 422 and "observed" in r.json()["error"]["message"]


def test_stacked_model_serves_the_mixture(base: str) -> None:
    stacked = get(base, f"/v1/alliances/{NATO}/forecast?horizon=10&model=stacked").json()
    weights = stacked["model"]["stacking_weights"]
    assert set(weights) <= set(VARIANTS) and sum(weights.values()) == pytest.approx(1.0)
    parts = {
        m: get(base, f"/v1/alliances/{NATO}/forecast?horizon=10&model={m}").json()["p_persist"]
        for m in weights
    }
    p = stacked["p_persist"]
    assert p["lo"] <= p["mean"] <= p["hi"]
    # the mixture's mean is the weighted mean of the variants' means (up to JSON rounding)
    assert p["mean"] == pytest.approx(
        sum(w * parts[m]["mean"] for m, w in weights.items()), abs=1e-5
    )
    assert min(x["lo"] for x in parts.values()) - 1e-6 <= p["lo"]
    assert p["hi"] <= max(x["hi"] for x in parts.values()) + 1e-6


def test_member_forecasts_of_nato(base: str) -> None:
    r = get(base, f"/v1/alliances/{NATO}/members/forecast?horizon=10")
    assert r.status_code == 200, r.text
    members = r.json()["members"]
    assert len(members) >= 28
    turkey = [m for m in members if m["ccode"] == TURKEY]
    assert turkey and turkey[0]["name"] == "Turkey"
    for m in members:
        p = m["p_exit"]
        assert 0 <= p["lo"] <= p["mean"] <= p["hi"] <= 1
        assert set(m["causes"]) == {"withdrawal", "independence_lost"}
        assert m["drivers"]
    ranked = [m["p_exit"]["mean"] for m in members]
    assert ranked == sorted(ranked, reverse=True)


def test_member_route_refuses_alliance_models_and_unknown_alliances(base: str) -> None:
    r = get(base, f"/v1/alliances/{NATO}/members/forecast?model=full")
    assert r.status_code == 422 and "member_exit" in r.json()["error"]["message"]
    assert get(base, "/v1/alliances/99999/members/forecast").status_code == 404


@pytest.mark.parametrize(
    "scenario",
    [
        {"preset": "leader_spending_cut"},
        {"preset": "members_at_gdp_share"},
        {"preset": "regime_change", "member": "Turkey"},
        {"preset": "rival_rise"},
        {"preset": "threat_gone"},
    ],
)
def test_the_debate_presets_answer_for_nato(base: str, scenario: dict) -> None:
    r = httpx.post(
        base + "/v1/forecasts",
        json={"atopids": [NATO], "horizon": 10, "model": "full", "scenario": scenario},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    diff = r.json()["results"][0]["difference"]["p_persist"]
    assert diff["lo"] <= diff["mean"] <= diff["hi"]
