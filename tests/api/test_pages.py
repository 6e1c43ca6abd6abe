"""The track-record API and the HTML pages, through the app (ASGI test client)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.api.conftest import NATO, US_JAPAN, WARSAW_PACT, error_of

EXTERNAL = re.compile(rb'<(script|link|img)[^>]+(src|href)="(https?:)?//', re.I)
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def html(client, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert not EXTERNAL.search(r.content), f"{path} loads an external resource"
    return r.text


def svgs(page: str) -> list[ET.Element]:
    """Every inline SVG, parsed (so each is well-formed XML)."""
    return [ET.fromstring(s) for s in SVG.findall(page)]


def test_track_record_json(client) -> None:
    tr = client.get("/v1/track-record").json()
    assert tr["n_scored"] >= 300
    for key in ("brier", "log_loss", "brier_skill", "interval_coverage", "reliability"):
        assert tr[key] is not None, key
    assert {r["horizon"] for r in tr["by_horizon"]} >= {1, 5, 10}
    assert sum(r["n_scored"] for r in tr["by_horizon"]) == tr["n_scored"]
    assert sum(r["n_scored"] for r in tr["by_era"]) == tr["n_scored"]
    assert sum(r["n_scored"] for r in tr["by_alliance_type"]) == tr["n_scored"]
    assert sum(b["n"] for b in tr["reliability"]) == tr["n_scored"]
    assert set(tr["definitions"]) >= {"brier", "brier_skill", "interval_coverage"}
    assert client.get("/v1/track-record?kind=live").json()["n_scored"] == 0


def test_ledger_json_paginates_filters_and_rejects_unknown_parameters(client) -> None:
    page = client.get("/v1/ledger?kind=backtest&horizon=5&scored=true&page=2&page_size=7").json()
    assert page["page"] == 2 and len(page["items"]) == 7 and page["total"] > 100
    assert all(i["horizon"] == 5 and i["score"] is not None for i in page["items"])
    one = client.get(f"/v1/ledger?atopid={NATO}&horizon=10").json()
    assert one["items"] and all(i["atopid"] == NATO for i in one["items"])
    live = client.get("/v1/ledger?kind=live&page_size=200").json()  # the served version
    assert live["total"] > 300 * 3 and all(i["score"] is None for i in live["items"])
    assert len({i["as_of"] for i in live["items"]}) == 1
    r = client.get("/v1/ledger?colour=red")
    assert r.status_code == 422 and error_of(r)["field"] == "colour"
    r = client.get("/v1/ledger?page_size=500")
    assert r.status_code == 422 and error_of(r)["field"] == "page_size"
    r = client.get("/v1/track-record?kind=guess")
    assert r.status_code == 422 and error_of(r)["field"] == "kind"


def test_index_lists_alliances_in_force_with_risk(client) -> None:
    page = html(client, "/")
    assert page.count("<tr>") > 300  # one row per alliance in force (+ header)
    assert f'href="/alliances/{NATO}"' in page
    assert f'href="/alliances/{WARSAW_PACT}"' not in page  # ended in 1991


def test_index_search_by_name_or_member_and_filters(client) -> None:
    japan = html(client, "/?q=japan")
    assert f'href="/alliances/{US_JAPAN}"' in japan and f'href="/alliances/{NATO}"' not in japan
    nato = html(client, "/?q=nato")
    assert f'href="/alliances/{NATO}"' in nato
    defense = html(client, "/?type=defense&sort=name&order=asc")
    names = re.findall(r'href="/alliances/\d+">([^<]+)</a>', defense)
    assert names == sorted(names, key=str.lower) and len(names) > 20
    assert "No alliance in force matches" in html(client, "/?q=zzzzzz")
    assert "type must be one of" in html(client, "/?type=pirates", status=422)


def test_alliance_page_charts_fit_a_briefing(client) -> None:
    page = html(client, f"/alliances/{NATO}")
    charts = svgs(page)
    assert len(charts) == 3  # survival fan, causes, drivers
    ns = "{http://www.w3.org/2000/svg}"
    for svg in charts:
        assert svg.find(f"{ns}title").text and svg.find(f"{ns}desc").text
    fan = SVG.findall(page)[0]
    assert "today (2026)" in fan  # the injected clock's year
    assert "axis zoomed" in fan  # NATO sits near 1: the axis does not start at 0
    assert "Probability still in force" in fan and ">Year<" in fan  # axis titles
    assert re.search(r"data through: (\w+ \d{4}(, )?)+", fan)  # per family
    assert re.search(r"\d+\.\d% by 20\d\d", fan)  # value label
    assert "abrogation" in SVG.findall(page)[1]
    assert re.search(r"inputs missing|data through \d{4}|values at \d{4}", page)  # freshness
    # members with their exit risk under the shipped member model, riskiest first
    members = re.search(r'<table id="members">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td>([^<]+)</td>.*?<td class=\"num\">([\d.]+)% \[", members, re.S)
    assert len(rows) >= 28 and "Turkey" in dict(rows)
    risks = [float(r) for _, r in rows]
    assert risks == sorted(risks, reverse=True) and all(0 < r < 100 for r in risks)
    assert "withdrawal" in members
    assert re.search(r"Exit risk: P\(the member leaves by 20\d\d", page)


def test_alliance_page_says_why_a_bilateral_pact_has_no_member_exits(client) -> None:
    page = html(client, f"/alliances/{US_JAPAN}")
    assert "the member model covers alliances with 3 or more members" in page
    members = re.search(r'<table id="members">.*?</table>', page, re.S).group(0)
    assert "Japan" in members and "%" not in members


def test_scenario_form_shows_the_batch_routes_difference(client) -> None:
    page = html(client, f"/alliances/{NATO}?horizon=10&preset=regime_change&member=640")
    assert 'id="scenario-result"' in page
    shown = re.search(r'id="difference">([-+]\d+\.\d+) pp', page)
    assert shown
    api = client.post(
        "/v1/forecasts",
        json={"atopids": [NATO], "horizon": 10,
              "scenario": {"preset": "regime_change", "member": "640"}},
    ).json()  # fmt: skip
    diff = api["results"][0]["difference"]["p_persist"]["mean"]
    assert float(shown.group(1)) == pytest.approx(100 * diff, abs=0.006)
    assert len(svgs(page)) == 3 and "scenario" in SVG.findall(page)[0]
    missing = html(client, f"/alliances/{NATO}?preset=regime_change")
    assert 'id="scenario-error"' in missing and "needs the member" in missing


def test_alliance_page_errors(client) -> None:
    assert "unknown ATOP id" in html(client, "/alliances/99999", status=404)
    assert "unknown ATOP id" in html(client, "/alliances/abc", status=404)
    ended = html(client, f"/alliances/{WARSAW_PACT}")
    assert "ended in 1991" in ended and not svgs(ended)
    assert "horizon must be" in html(client, f"/alliances/{NATO}?horizon=99", status=422)


def test_track_record_page(client) -> None:
    page = html(client, "/track-record")
    charts = svgs(page)
    assert len(charts) == 2  # reliability diagram, scores over time
    assert "Observed frequency of ends" in SVG.findall(page)[0]
    assert "Brier score (lower is better)" in SVG.findall(page)[1]
    for key in ("horizon", "era", "alliance_type"):
        assert f'id="by-{key}"' in page


def test_docs_are_self_hosted(client) -> None:
    page = html(client, "/docs")
    assert "/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/docs/assets/evil.js").status_code == 404
    assert client.get("/redoc").status_code == 404  # it needed a CDN: gone


def test_a_ledger_that_cannot_be_prepared_is_answered_503_and_forecasts_still_served(
    store_copy,
) -> None:
    from fastapi.testclient import TestClient

    from forecast.api import create_app
    from tests.api.conftest import make_settings, wait_ledger

    settings = make_settings(store_copy, ledger_url="mysql://nowhere/x")
    with TestClient(create_app(settings)) as c:
        assert wait_ledger(c) == "unavailable"
        r = c.get("/v1/track-record")
        assert r.status_code == 503
        message = error_of(r)["message"]
        assert "preparing the ledger failed" in message and "mysql" in message
        page = html(c, "/track-record", status=503)
        assert "preparing the ledger failed" in page
        assert c.get(f"/v1/alliances/{NATO}/forecast").status_code == 200
