"""The live pointer is validated, failed fits are never served, and store changes take the
refit's lock (reliability review S13-S18, #9, #10). Runs on a copy of the shipped store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from forecast.config import REPO_ROOT
from forecast.errors import LockHeldError, StoreError
from forecast.store import Registry
from forecast.store.registry import LOCK, store_lock


@pytest.fixture()
def models(tmp_path: Path) -> Path:
    src = REPO_ROOT / "models"
    if not (src / "full" / "live.json").is_file():
        pytest.skip("models/ has no live version")
    shutil.copytree(src, tmp_path / "models")
    return tmp_path / "models"


def _live(models: Path) -> str:
    return json.loads((models / "full" / "live.json").read_text())["version"]


def _clone(models: Path, name: str, **manifest_changes: dict) -> str:
    """A copy of the live version named ``name``, each given manifest section updated."""
    src = models / "full" / _live(models)
    shutil.copytree(src, models / "full" / name)
    path = models / "full" / name / "manifest.json"
    man = json.loads(path.read_text())
    man["version"] = name
    for key, changes in manifest_changes.items():
        man[key] = {**man[key], **changes}
    path.write_text(json.dumps(man))
    return name


def _point(models: Path, pointer: object) -> None:
    (models / "full" / "live.json").write_text(json.dumps(pointer))


@pytest.mark.parametrize(
    "pointer",
    [
        [],
        {"version": 123},
        {"version": ["x"]},
        {"version": "../../outside/v1"},
        {"version": "a/b"},
        {"version": ".."},
        {"version": "v1", "history": "nope"},
    ],
)
def test_a_malformed_pointer_is_a_store_error(models: Path, pointer: object) -> None:
    _point(models, pointer)
    with pytest.raises(StoreError, match="pointer"):
        Registry(models).live_version("full")


def test_a_pointer_to_a_real_version_outside_the_store_is_refused(models: Path) -> None:
    live = _live(models)
    outside = models.parent / "outside"
    outside.mkdir()
    shutil.move(models / "full" / live, outside / live)
    _point(models, {"version": f"../../outside/{live}"})
    with pytest.raises(StoreError, match="not a version name"):
        Registry(models).load("full")


def test_a_version_that_failed_its_gates_is_not_served(models: Path) -> None:
    bad = _clone(models, "failed-v2", diagnostics={"passed": False, "failed_gates": ["R-hat"]})
    _point(models, {"version": bad, "history": []})
    reg = Registry(models)
    with pytest.raises(StoreError, match="failed its gates"):
        reg.verify("full")
    with pytest.raises(StoreError, match="failed its gates"):
        reg.load("full")
    assert reg.verify("full", bad)[0] == bad  # an explicit, non-live look is allowed


@pytest.mark.parametrize("text", ["{not json", "", "[]"])
def test_a_garbage_manifest_is_a_store_error(models: Path, text: str) -> None:
    (models / "full" / _live(models) / "manifest.json").write_text(text)
    with pytest.raises(StoreError, match=r"manifest\.json"):
        Registry(models).verify("full")


def _hold_lock_in_another_process(models: Path) -> subprocess.Popen:
    code = (
        "import sys, time\nfrom filelock import FileLock\n"
        f"lock = FileLock({str(models / LOCK)!r}, timeout=0)\nlock.acquire()\n"
        "print('held', flush=True)\ntime.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_promote_rollback_and_prune_refuse_while_a_refit_holds_the_lock(models: Path) -> None:
    reg = Registry(models)
    v2 = _clone(models, "clone-v2")
    proc = _hold_lock_in_another_process(models)
    try:
        with pytest.raises(LockHeldError):
            reg.promote("full", v2)
        with pytest.raises(LockHeldError):
            reg.rollback("full")
        with pytest.raises(LockHeldError):
            reg.prune("full", keep=1)
    finally:
        proc.kill()
        proc.wait()
    reg.promote("full", v2)  # the lock died with its process
    assert reg.live_version("full") == v2


def test_the_lock_is_reentrant_for_the_refit_that_holds_it(models: Path) -> None:
    reg = Registry(models)
    v2 = _clone(models, "clone-v2")
    with store_lock(models):  # what the refit holds while it fits
        reg.promote("full", v2)
    assert reg.live_version("full") == v2


def test_promote_refuses_when_the_live_version_moved_meanwhile(models: Path) -> None:
    reg = Registry(models)
    before = _live(models)
    v2, v3 = _clone(models, "clone-v2"), _clone(models, "clone-v3")
    reg.promote("full", v2)  # an operator acts while a refit prepares v3
    with pytest.raises(LockHeldError, match="moved"):
        reg.promote("full", v3, expect_live=before)
    assert reg.live_version("full") == v2
