"""One error tree (code review finding 5): every ForecastError maps to its HTTP status, code
and CLI exit code through one table, and the API answers from it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from forecast import errors
from forecast.config import REPO_ROOT
from forecast.errors import ERROR_TABLE, ForecastError


def _classes() -> list[type[ForecastError]]:
    return [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, ForecastError) and c.__module__ == errors.__name__
    ]


def test_every_error_class_has_its_row_and_the_docstring_draws_it():
    for cls in _classes():
        assert cls in ERROR_TABLE, cls
        status, code, exit_code = ERROR_TABLE[cls]
        line = next(x for x in errors.__doc__.splitlines() if f" {cls.__name__} " in x)
        assert f"{status} {code}" in " ".join(line.split()), line
        assert f"exit {exit_code}" in line, line


def test_an_error_reads_status_code_and_exit_code_from_the_table():
    exc = errors.NotInForceError("ended", field="atopid")
    assert (exc.http_status, exc.code, exc.exit_code) == (409, "not_in_force", 2)
    assert errors.ReloadFailedError("x").http_status == 409  # nearest row wins
    assert errors.StoreError("x").http_status == 503


def test_no_api_code_turns_key_errors_into_409s():
    """The blanket ``except (ForecastError, KeyError)`` -> 409 is gone for good."""
    offenders = []
    for path in (REPO_ROOT / "forecast" / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if "KeyError" in names and "ForecastError" in names:
                    offenders.append(f"{Path(path).name}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/alliances/99999", 404, "not_found"),
        ("/v1/alliances/3285/forecast", 409, "not_in_force"),
        ("/v1/alliances?colour=red", 422, "unknown_parameter"),
    ],
)
def test_the_api_answers_domain_errors_from_the_table(client, path, status, code):
    r = client.get(path)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_error_messages_echo_at_most_a_few_hundred_bytes(client):
    r = client.get("/v1/alliances", params={f"p{i}": "x" * 50 for i in range(500)})
    assert r.status_code == 422
    assert len(r.json()["error"]["message"]) <= 300
    r = client.post("/v1/forecasts", json={"atopids": [3180], "model": "m" * 200_000})
    assert r.status_code == 422
    assert len(r.content) < 5_000


def test_malformed_json_names_the_body_not_a_character_offset(client):
    r = client.post(
        "/v1/forecasts",
        content=b'{"atopids": [3180],,}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["field"] == "body" and "not valid JSON" in err["message"]


def test_a_body_that_is_not_utf8_gets_the_documented_422(client):
    r = client.post(
        "/v1/forecasts",
        content=b'{"atopids": [3180], "model": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "body"
    responses = client.get("/openapi.json").json()["paths"]["/v1/forecasts"]["post"]["responses"]
    assert "422" in responses


def test_an_unexpected_error_is_a_500_with_the_request_id(settings):
    from fastapi.testclient import TestClient

    from forecast.api import create_app

    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom", headers={"X-Request-ID": "trace-me-42"})
    assert r.status_code == 500
    assert r.headers["x-request-id"] == "trace-me-42"
    assert "trace-me-42" in r.json()["error"]["message"]
    assert "a bug" not in r.text
