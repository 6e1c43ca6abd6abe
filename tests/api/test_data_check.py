"""The server knows what it serves (review #1 S-data-hash, D-start): the data tables are
checked against data/manifest.json, the model against that data at load and at each swap,
and every forecast reports the data actually used."""

from __future__ import annotations

import gc
import json
import weakref

import pytest
from fastapi.testclient import TestClient

from forecast.api import create_app
from forecast.errors import StoreError
from forecast.serving.datacheck import verify_data
from forecast.store.registry import Registry
from tests.api.conftest import ADMIN_TOKEN, NATO, make_settings
from tests.api.store_tools import clone_live_version, copy_store

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _edit_manifest(models, model: str, version: str, **changes: object) -> None:
    path = models / model / version / "manifest.json"
    man = json.loads(path.read_text())
    man.update(changes)
    path.write_text(json.dumps(man))


def test_a_model_fitted_on_other_data_is_served_and_labelled(store_copy, tmp_path):
    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root)
    data_sha = verify_data(root / "data").sha256
    # a live version fitted on exactly this data (the shipped one may predate a data build)
    v1 = clone_live_version(root / "models", settings.model, "same-data-v1")
    _edit_manifest(root / "models", settings.model, v1, data_manifest_sha256=data_sha)
    Registry(root / "models").promote(settings.model, v1)
    with TestClient(create_app(settings)) as c:
        assert c.app.state.svc.holder.wait_warm()
        prov = c.get(f"/v1/alliances/{NATO}/forecast").json()["model"]
        assert prov["data_matches_model"] is True
        assert prov["data_manifest_sha256"] == prov["model_data_manifest_sha256"] == data_sha
        v2 = clone_live_version(root / "models", settings.model, "other-data-v2")
        _edit_manifest(root / "models", settings.model, v2, data_manifest_sha256="f" * 64)
        Registry(root / "models").promote(settings.model, v2)
        assert c.post("/v1/admin/reload", headers=AUTH).json()["version"] == v2
        for body in (
            c.get(f"/v1/alliances/{NATO}/forecast", params={"horizon": 3}).json(),  # on demand
            c.post("/v1/forecasts", json={"atopids": [NATO]}).json()["forecasts"][0],
        ):
            assert body["model"]["version"] == v2
            assert body["model"]["data_matches_model"] is False
            assert body["model"]["data_manifest_sha256"] == data_sha  # the data actually used
            assert body["model"]["model_data_manifest_sha256"] == "f" * 64


def test_a_model_trained_past_the_data_is_refused_and_the_old_one_kept(store_copy, tmp_path):
    root = copy_store(store_copy, tmp_path / "store")
    settings = make_settings(root)
    with TestClient(create_app(settings)) as c:
        assert c.app.state.svc.holder.wait_warm()
        old = c.get("/ready").json()["version"]
        v2 = clone_live_version(root / "models", settings.model, "future-v2")
        _edit_manifest(root / "models", settings.model, v2, train_until=2030)
        Registry(root / "models").promote(settings.model, v2)
        r = c.post("/v1/admin/reload", headers=AUTH)
        assert r.status_code == 409
        assert "2030" in r.json()["error"]["message"]
        assert c.get("/ready").json()["version"] == old


@pytest.mark.parametrize("damage", ["truncate_table", "garbage_manifest", "no_manifest"])
def test_data_that_does_not_match_its_manifest_is_refused(store_copy, tmp_path, damage):
    root = copy_store(store_copy, tmp_path / "store")
    data = root / "data"
    if damage == "truncate_table":
        table = data / "alliances.parquet"
        table.write_bytes(table.read_bytes()[:100])
    elif damage == "garbage_manifest":
        (data / "manifest.json").write_text("{garbage")
    else:
        (data / "manifest.json").unlink()
    with pytest.raises(StoreError, match=r"manifest\.json|sha256"):
        verify_data(data)
    if damage == "truncate_table":  # the lifespan refuses too (serve's preflight: test_limits)
        with pytest.raises(StoreError), TestClient(create_app(make_settings(root))):
            pass


@pytest.mark.slow
def test_the_old_model_is_released_after_repeated_swaps(store_copy, tmp_path):
    """Memory across swaps (review L5): each superseded version is freed, none accumulates."""
    root = copy_store(store_copy, tmp_path / "store")
    with TestClient(create_app(make_settings(root))) as c:
        holder = c.app.state.svc.holder
        assert holder.wait_warm()
        refs = []
        for _ in range(3):
            refs.append(weakref.ref(holder.get().forecaster))
            r = c.post("/v1/admin/reload", params={"force": True}, headers=AUTH)
            assert r.status_code == 200
            assert holder.wait_warm()
        gc.collect()
        assert [ref() is None for ref in refs] == [True, True, True]
        assert holder.get().forecaster is not None
