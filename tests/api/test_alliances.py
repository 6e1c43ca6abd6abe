"""Alliance listing, filters, pagination, labels and detail."""

from __future__ import annotations

import pytest

from tests.api.conftest import NATO, US_JAPAN, WARSAW_PACT, error_of


def test_list_is_paginated_and_labelled(client):
    r = client.get("/v1/alliances", params={"page_size": 10})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] > 700
    assert len(body["items"]) == 10
    assert body["page"] == 1
    second = client.get("/v1/alliances", params={"page_size": 10, "page": 2}).json()
    assert {a["atopid"] for a in second["items"]}.isdisjoint(a["atopid"] for a in body["items"])


def test_in_force_filter(client):
    body = client.get("/v1/alliances", params={"in_force": "true", "page_size": 200}).json()
    assert 300 < body["total"] < 400  # ATOP v5.1 + recorded events: 376 in effect at the 2024 edge
    assert all(a["in_force"] and a["endyr"] is None for a in body["items"])


@pytest.mark.parametrize(
    "member", ["2", "USA", "United States of America", "united states of america"]
)
def test_member_filter_accepts_code_iso3_or_name(client, member):
    body = client.get("/v1/alliances", params={"member": member, "page_size": 200}).json()
    ids = {a["atopid"] for a in body["items"]}
    assert NATO in ids and US_JAPAN in ids


def test_unknown_member_is_422_naming_the_field(client):
    r = client.get("/v1/alliances", params={"member": "Atlantis"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "member"
    assert "Atlantis" in err["message"]
    assert "ISO3" in err["message"]


def test_obligation_type_filter_and_its_allowed_values(client):
    body = client.get("/v1/alliances", params={"obligation_type": "defense"}).json()
    assert body["total"] > 0
    assert all(a["obligation_type"] == "defense" for a in body["items"])
    r = client.get("/v1/alliances", params={"obligation_type": "friendship"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "obligation_type"
    assert "defense" in str(err["allowed"])


def test_text_search_finds_curated_names(client):
    for text, atopid in (
        ("NATO", NATO),
        ("Warsaw", WARSAW_PACT),
        ("ANZUS", 3215),
        ("Rio Treaty", 3075),
        ("Japan", US_JAPAN),
    ):
        ids = [a["atopid"] for a in client.get("/v1/alliances", params={"q": text}).json()["items"]]
        assert atopid in ids, text


def test_unknown_query_parameter_is_rejected(client):
    r = client.get("/v1/alliances", params={"inforce": "true"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "inforce"
    assert "in_force" in err["allowed"]


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 500}, {"in_force": "maybe"}])
def test_bad_filter_values_are_422(client, params):
    r = client.get("/v1/alliances", params=params)
    assert r.status_code == 422
    assert error_of(r)["field"] == next(iter(params))


def test_detail_of_nato(client):
    r = client.get(f"/v1/alliances/{NATO}")
    assert r.status_code == 200
    a = r.json()
    assert "NATO" in a["label"]
    assert a["begyr"] == 1949 and a["in_force"] and a["endyr"] is None
    assert a["obligations"]["defense"] is True
    names = {m["stateabb"] for m in a["members"]}
    assert {"USA", "UKG", "FRN"} <= names
    assert any(m["stateabb"] == "GFR" and m["exited"] == 1990 for m in a["member_history"])


def test_detail_of_an_ended_alliance(client):
    a = client.get(f"/v1/alliances/{WARSAW_PACT}").json()
    assert a["in_force"] is False
    assert a["endyr"] == 1991
    assert a["end_cause"] == "abrogation"


def test_unknown_alliance_is_404_naming_it(client):
    r = client.get("/v1/alliances/1001")
    assert r.status_code == 404
    err = error_of(r)
    assert "1001" in err["message"]
    assert err["field"] == "atopid"
