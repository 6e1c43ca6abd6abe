"""Promoting a new version swaps the served model without a restart or a failed request."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from forecast.api import create_app
from forecast.store.registry import Registry
from tests.api.conftest import ADMIN_TOKEN, NATO, make_settings
from tests.api.store_tools import clone_live_version, copy_store, corrupt_posterior

#: every test here promotes and swaps real model versions under a running app
pytestmark = pytest.mark.slow


def test_promote_while_clients_loop_gives_zero_errors(store_copy, tmp_path):
    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root, reload_poll_s=0.05)
    model = settings.model
    with TestClient(create_app(settings)) as c:
        old = c.get("/ready").json()["version"]
        new = clone_live_version(root / "models", model, "hotswap-v2")
        seen: list[str] = []
        failures: list[str] = []
        stop = threading.Event()

        def client_loop() -> None:
            while not stop.is_set():
                for path in (f"/v1/alliances/{NATO}/forecast?horizon=7", "/ready"):
                    r = c.get(path)
                    if r.status_code != 200:
                        failures.append(f"{path}: {r.status_code} {r.text[:200]}")
                        continue
                    body = r.json()
                    seen.append(
                        body["model"]["version"]
                        if "model" in body and isinstance(body["model"], dict)
                        else body["version"]
                    )

        worker = threading.Thread(target=client_loop)
        worker.start()
        try:
            time.sleep(0.3)
            Registry(root / "models").promote(model, new)
            deadline = time.monotonic() + 60
            while (not seen or seen[-1] != new) and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.3)
        finally:
            stop.set()
            worker.join(30)
        assert failures == []
        assert seen[0] == old and seen[-1] == new
        first_new = seen.index(new)
        assert set(seen[first_new:]) == {new}, "an old version was served after the swap"
        r = c.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 7})
        assert r.json()["model"]["version"] == new
        assert f'version="{new}"' in c.get("/metrics").text


def test_admin_reload_swaps_to_the_promoted_version(store_copy, tmp_path):
    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root)  # no polling: only the admin call swaps
    with TestClient(create_app(settings)) as c:
        assert c.app.state.svc.holder.wait_warm()  # a reload during warm-up is a 429
        old = c.get("/ready").json()["version"]
        new = clone_live_version(root / "models", settings.model, "admin-v2")
        Registry(root / "models").promote(settings.model, new)
        assert c.get("/ready").json()["version"] == old
        r = c.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 200
        assert r.json() == {
            "model": settings.model,
            "version": new,
            "changed": True,
            "previous": old,
        }
        assert c.get("/ready").json()["version"] == new


def test_a_corrupt_new_version_is_refused_and_the_old_one_kept(store_copy, tmp_path):
    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root)
    with TestClient(create_app(settings)) as c:
        assert c.app.state.svc.holder.wait_warm()
        old = c.get("/ready").json()["version"]
        new = clone_live_version(root / "models", settings.model, "corrupt-v2")
        Registry(root / "models").promote(settings.model, new)
        corrupt_posterior(root / "models" / settings.model / new)
        r = c.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 409
        assert old in r.json()["error"]["message"]
        assert c.get("/ready").json()["version"] == old
        assert c.get(f"/v1/alliances/{NATO}/forecast").status_code == 200


def test_a_second_stored_model_is_served_on_request(store_copy, tmp_path):
    import shutil

    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root)
    shutil.copytree(root / "models" / settings.model, root / "models" / "second")
    with TestClient(create_app(settings)) as c:
        r = c.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 4, "model": "second"})
        assert r.status_code == 200
        assert r.json()["model"]["name"] == "second"
        default = c.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 4}).json()
        assert default["model"]["name"] == settings.model
        assert r.json()["p_persist"] == default["p_persist"]  # same posterior, same numbers
        names = {m["name"] for m in c.get("/v1/models").json()}
        assert {settings.model, "second"} <= names  # beside the shipped theory variants
