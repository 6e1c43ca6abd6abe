"""Helpers that make new versions in a temporary store copy (never in the repo's models/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from forecast.store.registry import Registry


def copy_store(src_root: Path, dst_root: Path) -> Path:
    """A private copy of a store root (data/ and models/) the test may mutate."""
    shutil.copytree(src_root / "data", dst_root / "data")
    shutil.copytree(src_root / "models", dst_root / "models")
    return dst_root


def clone_live_version(models_dir: Path, model: str, new_version: str) -> str:
    """Store the live version of ``model`` again under ``new_version`` (same posterior)."""
    registry = Registry(models_dir)
    live = registry.live_version(model)
    assert live is not None
    src, dst = models_dir / model / live, models_dir / model / new_version
    shutil.copytree(src, dst)
    manifest = json.loads((dst / "manifest.json").read_text())
    manifest["version"] = new_version
    (dst / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return new_version


def corrupt_posterior(version_dir: Path) -> Path:
    """Flip the tail of the largest posterior file (NetCDF file or Zarr chunk)."""
    files = [p for p in version_dir.rglob("*") if p.is_file() and p.name != "manifest.json"]
    target = max(files, key=lambda p: p.stat().st_size)
    data = target.read_bytes()
    target.write_bytes(data[:-8] + bytes(b ^ 0xFF for b in data[-8:]))
    return target
