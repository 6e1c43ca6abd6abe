"""Fixtures for the API tests: a temporary copy of the shipped data/ and models/, the
app built on it with an injected clock, and an ASGI test client."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from forecast.config import REPO_ROOT, Settings

FIXED_CLOCK = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
ADMIN_TOKEN = "test-admin-token"
NATO, WARSAW_PACT, US_JAPAN = 3180, 3285, 3375


def shipped_store_or_skip() -> tuple[Path, Path]:
    """The repo's data/ and models/ folders (``API_TEST_MODELS_DIR`` may point at another
    store while developing); skip when they are not built yet."""
    data = REPO_ROOT / "data"
    models = Path(os.environ.get("API_TEST_MODELS_DIR", REPO_ROOT / "models"))
    if not (data / "alliances.parquet").is_file():
        pytest.skip("data/ has no built panel: run `alliance-forecast data build`")
    if not any(models.glob("*/live.json")):
        pytest.skip("models/ has no live model version: run `alliance-forecast fit --promote`")
    return data, models


@pytest.fixture(scope="session")
def store_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only-by-convention copy of data/ and models/ shared by the session."""
    data, models = shipped_store_or_skip()
    root = tmp_path_factory.mktemp("store")
    shutil.copytree(data, root / "data")
    shutil.copytree(models, root / "models")
    return root


def make_settings(root: Path, **overrides: object) -> Settings:
    """Settings pointing at a store copy, with the test admin token."""
    values: dict[str, object] = {
        "data_dir": root / "data",
        "models_dir": root / "models",
        "admin_token": ADMIN_TOKEN,
        "reload_poll_s": 0,
        "log_level": "warning",
        "ledger_url": f"sqlite:///{root / 'ledger.sqlite'}",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings(store_copy: Path) -> Settings:
    return make_settings(store_copy)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    """One started app (lifespan run) for the read-only tests of the session."""
    from forecast.api import create_app

    with TestClient(create_app(settings, clock=lambda: FIXED_CLOCK)) as c:
        assert c.app.state.svc.holder.wait_warm(), "baselines were not precomputed in time"
        wait_ledger(c)
        yield c


def wait_ledger(client: TestClient, timeout: float = 300) -> str:
    """Wait until the ledger's child process has finished; its status (``ready``...)."""
    deadline = time.monotonic() + timeout
    while (status := client.get("/ready").json()["ledger"]) == "preparing":
        assert time.monotonic() < deadline, "the ledger was not prepared in time"
        time.sleep(0.1)
    return status


def error_of(response) -> dict:
    """The ``error`` object every non-2xx answer carries."""
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def assert_json_close(a: object, b: object, tol: float = 2e-6, path: str = "") -> None:
    """Equal JSON values, numbers within ``tol`` (two numpy paths may differ in the 6th
    decimal after rounding)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            assert_json_close(a[k], b[k], tol, f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_json_close(x, y, tol, f"{path}[{i}]")
    elif isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        assert abs(a - b) <= tol, f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
