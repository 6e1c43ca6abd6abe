"""Posterior store: round trip, atomic saves, pointer, promotion rules, validation."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import forecast.store.registry as registry_mod
from forecast.errors import GateFailedError, StoreError
from forecast.model.fit import FitResult
from forecast.store import Registry
from tests.model.small_fit import small_fit


def _with_gates(fit: FitResult, passed: bool, failed: list[str]) -> FitResult:
    """The same posterior with its recorded gate verdict replaced (the store only reads it)."""
    diag = fit.manifest.diagnostics.model_copy(update={"passed": passed, "failed_gates": failed})
    return replace(fit, manifest=fit.manifest.model_copy(update={"diagnostics": diag}))


def _passing(fit: FitResult) -> FitResult:
    return _with_gates(fit, True, [])


def _failing(fit: FitResult) -> FitResult:
    return _with_gates(fit, False, ["max R-hat 1.2 > 1.01"])


@pytest.fixture()
def reg(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models")


def test_round_trip_keeps_posterior_and_manifest(reg: Registry) -> None:
    _, fit = small_fit()
    version = reg.save(_passing(fit))
    art = reg.load("full", version)
    assert art.version == version and art.model == "full"
    for name, var in fit.posterior.data_vars.items():
        assert art.posterior[name].dtype == np.float32
        np.testing.assert_array_equal(art.posterior[name].to_numpy(), var.to_numpy())
    man = art.manifest
    for key in ("model", "version", "spec_hash", "created_at", "train_until",
                "data_manifest_sha256", "covariates", "sampler", "diagnostics", "loo",
                "libraries", "files"):  # fmt: skip
        assert key in man
    assert man["sampler"]["seed"] == fit.manifest.sampler.seed
    np.testing.assert_allclose(reg.load_elpd("full", version), fit.elpd_i)
    size = sum(p.stat().st_size for p in (reg.root / "full" / version).rglob("*") if p.is_file())
    assert size < 3_000_000


def test_pointer_promote_rollback_and_failed_fits(reg: Registry) -> None:
    _, fit = small_fit()
    v1 = reg.save(_passing(fit), promote=True)
    assert reg.live_version("full") == v1
    v2 = reg.save(_passing(fit))
    assert reg.live_version("full") == v1  # saving does not promote
    reg.promote("full", v2)
    assert reg.live_version("full") == v2
    bad = reg.save(_failing(fit))
    assert [r["passed"] for r in reg.list("full")] == [True, True, False]
    with pytest.raises(GateFailedError, match="R-hat"):
        reg.promote("full", bad)
    with pytest.raises(GateFailedError):
        reg.save(_failing(fit), promote=True)
    assert reg.live_version("full") == v2
    assert reg.rollback("full") == v1
    assert reg.live_version("full") == v1
    with pytest.raises(StoreError, match="no earlier"):
        reg.rollback("full")
    assert reg.load("full").version == v1
    assert reg.models() == ["full"]


def test_crash_before_rename_leaves_previous_version_live(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, fit = small_fit()
    v1 = reg.save(_passing(fit), promote=True)

    def crash(src: Path, dst: Path) -> None:
        raise KeyboardInterrupt("killed between write and rename")

    monkeypatch.setattr(registry_mod, "_rename", crash)
    with pytest.raises(KeyboardInterrupt):
        reg.save(_passing(fit), promote=True)
    monkeypatch.undo()
    assert reg.live_version("full") == v1
    assert [r["version"] for r in reg.list("full")] == [v1]
    visible = [p.name for p in (reg.root / "full").iterdir() if not p.name.startswith(".")]
    assert sorted(visible) == sorted([v1, "live.json"])
    assert reg.load("full").version == v1


def test_hard_kill_leaves_only_an_invisible_temp_folder(reg: Registry) -> None:
    _, fit = small_fit()
    v1 = reg.save(_passing(fit), promote=True)
    # what a SIGKILL during the write leaves behind: a half-written temp folder
    half = reg.root / "full" / ".tmp-20990101T000000000000Z-deadbeef-999999999"
    shutil.copytree(reg.root / "full" / v1, half)
    (half / "manifest.json").unlink()
    assert [r["version"] for r in reg.list("full")] == [v1]
    assert reg.load("full").version == v1
    reg.prune("full", keep=1)
    assert not half.exists()


def test_load_refuses_tampered_or_mismatched_artifacts(reg: Registry) -> None:
    _, fit = small_fit()
    version = reg.save(_passing(fit))
    folder = reg.root / "full" / version
    man_path = folder / "manifest.json"
    original = man_path.read_text()

    man = json.loads(original)
    man["spec_hash"] = "0" * 16
    man["spec"]["covariates"] = ["bilateral"]
    man_path.write_text(json.dumps(man))
    with pytest.raises(StoreError, match=r"spec hash.*covariates"):
        reg.load("full", version)

    man = json.loads(original)
    man["format"] = 999
    man_path.write_text(json.dumps(man))
    with pytest.raises(StoreError, match="format"):
        reg.load("full", version)

    man_path.write_text(original)
    chunk = next(p for p in (folder / "posterior.zarr").rglob("*") if p.is_file()
                 and "intercept" in str(p) and p.name != "zarr.json")  # fmt: skip
    chunk.write_bytes(chunk.read_bytes() + b"x")
    with pytest.raises(StoreError, match="sha256"):
        reg.load("full", version)
    with pytest.raises(StoreError, match="no version"):
        reg.load("full", "nope")
    with pytest.raises(StoreError, match="no live version"):
        Registry(reg.root).load("realist")


def test_prune_keeps_live_and_rollback_target(reg: Registry) -> None:
    _, fit = small_fit()
    versions = [reg.save(_passing(fit)) for _ in range(4)]
    reg.promote("full", versions[0])
    reg.promote("full", versions[1])
    gone = reg.prune("full", keep=1)
    left = [r["version"] for r in reg.list("full")]
    assert set(left) == {versions[0], versions[1], versions[3]}
    assert set(gone) == {versions[2]}
