"""What data the service serves: ``data/manifest.json`` checked against the tables on disk.

Pure ``hashlib``/``json`` (no numpy or pandas), so ``serve`` can run it before uvicorn
starts (one line and exit 2 on failure) and the lifespan again when it loads the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from forecast.errors import StoreError
from forecast.hashing import file_sha256

MANIFEST = "manifest.json"
SERVED_TABLES = ("alliances", "alliance_members", "alliance_year", "state_year")


@dataclass(frozen=True, slots=True)
class DataInfo:
    """The data build the service loaded: its manifest hash and last year."""

    sha256: str
    last_year: int


def verify_data(data_dir: Path) -> DataInfo:
    """Check every served table against the data manifest (StoreError naming what differs)."""
    fix = "rebuild it with `alliance-forecast data build` or set ALLIANCE_FORECAST_DATA_DIR"
    if not data_dir.is_dir():
        raise StoreError(f"data folder {data_dir} does not exist: {fix}")
    path = data_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(f"{path} is missing: {fix}") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path} is not readable JSON ({exc}): {fix}") from None
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    sha = manifest.get("sha256") if isinstance(manifest, dict) else None
    if not isinstance(outputs, dict) or not isinstance(sha, str):
        raise StoreError(f"{path} lacks 'outputs' or 'sha256': {fix}")
    missing = [t for t in SERVED_TABLES if not isinstance(outputs.get(t), dict)]
    if missing:
        raise StoreError(f"{path} does not list table(s) {', '.join(missing)}: {fix}")
    last_year = 0
    for table, entry in outputs.items():  # every table the build wrote, served or not
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise StoreError(f"{path}: table {table!r} has no sha256: {fix}")
        file = data_dir / str(entry.get("file") or f"{table}.parquet")
        if not file.is_file():
            raise StoreError(f"{file} is missing: {fix}")
        if file_sha256(file) != entry["sha256"]:
            raise StoreError(
                f"{file} does not match its sha256 in {path} (truncated or modified): {fix}"
            )
        for col in (entry.get("coverage") or {}).values():
            if isinstance(col, dict) and isinstance(col.get("last_year"), int):
                last_year = max(last_year, col["last_year"])
    edge = manifest.get("data_edge")
    if isinstance(edge, dict) and isinstance(edge.get("end_year"), int):
        last_year = edge["end_year"]  # the build's own statement of its last year
    if last_year == 0:
        from forecast.config import DATA_END_YEAR

        last_year = DATA_END_YEAR
    return DataInfo(sha256=sha, last_year=last_year)
