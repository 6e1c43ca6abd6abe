"""Build every derived table from the raw sources and write them with a manifest.

``build(raw_dir, out_dir)`` reads and validates all raw datasets, assembles the
state-year table, the alliance-year panel, the member-year panel and the two API
tables, validates them, writes Parquet files and ``manifest.json`` (sha256 of every raw
input and output, row counts, year coverage per column, code version, build time).
The output is deterministic: the same raw files and code give identical frames.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pandera.errors as pa_errors

from forecast import __version__
from forecast.errors import DataValidationError, InputError
from forecast.panel.alliance_year import build_alliance_year, structure
from forecast.panel.covariates import GROUP_BUILDERS, read_extra
from forecast.panel.member_year import build_member_year
from forecast.panel.roster import alliance_ends, alliance_years
from forecast.panel.schema import TABLES
from forecast.panel.sources_bundle import CORE_READERS, RawBundle
from forecast.panel.state_year import build_state_year
from forecast.panel.tables import alliance_members_table, alliances_table
from forecast.sources.crosswalk import countries

PACKAGE_ROOT = Path(__file__).resolve().parent.parent

#: Progress callback: (step description, steps done, steps total).
Progress = Callable[[str, int, int], None]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_hash() -> str:
    """sha256 over the source files and data files that define the build."""
    h = hashlib.sha256()
    for sub in ("sources", "panel"):
        for p in sorted((PACKAGE_ROOT / sub).rglob("*")):
            if p.suffix in {".py", ".csv"} and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(PACKAGE_ROOT)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def coverage(df: pd.DataFrame, year_col: str = "year") -> dict[str, dict[str, object]]:
    """Per column: first and last year with a value and the non-missing share."""
    out: dict[str, dict[str, object]] = {}
    for col in df.columns:
        ok = df[col].notna()
        years = df.loc[ok, year_col] if year_col in df.columns else pd.Series(dtype=int)
        out[col] = {
            "first_year": int(years.min()) if len(years) else None,
            "last_year": int(years.max()) if len(years) else None,
            "non_missing": round(float(ok.mean()), 4) if len(df) else 0.0,
        }
    return out


def read_raw(raw_dir: Path, progress: Progress | None = None) -> RawBundle:
    """Read and validate every raw dataset into a bundle."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(
            f"raw data folder {raw_dir} not found; "
            "pass --raw DIR (the folder holding atop/, cow/, ...)"
        )
    readers = list(CORE_READERS)
    total = len(readers) + 1
    frames: dict[str, pd.DataFrame] = {}
    for i, (name, reader) in enumerate(readers):
        if progress:
            progress(f"reading {name}", i, total)
        frames[name] = reader(raw_dir)
    if progress:
        progress("reading covariate sources", len(readers), total)
    bundle = RawBundle(**frames, extra={})
    bundle.extra.update(read_extra(raw_dir, bundle))
    return bundle


def build_tables(raw: RawBundle, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """All derived tables from a raw bundle, validated against their schemas."""
    steps = ["state_year", "alliance_year", "member_year", "alliances", "alliance_members"]

    def tick(i: int) -> None:
        if progress:
            progress(f"building {steps[i]}", i, len(steps))

    tick(0)
    state_year = build_state_year(raw)
    raw.extra["state_year"] = state_year
    tick(1)
    panel = build_alliance_year(raw, GROUP_BUILDERS)
    ends = alliance_ends(raw.atop_members, raw.atop_alliances)
    _, roster, _ = structure(alliance_years(ends), raw)
    tick(2)
    member_year = build_member_year(panel, roster, raw.atop_members, ends, state_year)
    tick(3)
    cty = countries()
    alliances = alliances_table(panel, raw.atop_members, ends, cty)
    tick(4)
    members = alliance_members_table(raw.atop_members, ends, cty)
    tables = {
        "state_year": state_year,
        "alliance_year": panel,
        "member_year": member_year,
        "alliances": alliances,
        "alliance_members": members,
    }
    for name, df in tables.items():
        try:
            TABLES[name][1].validate(df, lazy=True)
        except pa_errors.SchemaErrors as exc:
            head = exc.failure_cases.head(5)[["column", "check", "failure_case"]]
            raise DataValidationError(
                f"built table '{name}' fails its schema: {head.to_dict('records')}"
            ) from exc
    return tables


def raw_files(raw_dir: Path) -> list[Path]:
    """Every raw CSV under ``raw_dir`` (sorted)."""
    return sorted(p for p in Path(raw_dir).rglob("*.csv") if p.is_file())


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path, raw_dir: Path) -> dict:
    """Write Parquet files atomically and the manifest; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, dict[str, object]] = {}
    for name, df in tables.items():
        filename = TABLES[name][0]
        target = out_dir / filename
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".parquet.tmp")
        os.close(fd)
        df.to_parquet(tmp, index=False, compression="zstd")
        os.replace(tmp, target)
        year_col = "year" if "year" in df.columns else "begyr"
        outputs[name] = {
            "file": filename,
            "rows": len(df),
            "columns": list(df.columns),
            "sha256": _sha256(target),
            "coverage": coverage(df, year_col) if year_col in df.columns else {},
        }
    combined = hashlib.sha256("".join(o["sha256"] for o in outputs.values()).encode())
    manifest = {
        "code_version": __version__,
        "code_sha256": code_hash(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "raw_inputs": {str(p.relative_to(raw_dir)): _sha256(p) for p in raw_files(raw_dir)},
        "outputs": outputs,
        "sha256": combined.hexdigest(),
    }
    tmp_manifest = out_dir / "manifest.json.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    os.replace(tmp_manifest, out_dir / "manifest.json")
    return manifest


def build(raw_dir: Path, out_dir: Path, progress: Progress | None = None) -> dict:
    """Full build: read raw, assemble, validate, write. Returns the manifest."""
    raw = read_raw(Path(raw_dir), progress)
    tables = build_tables(raw, progress)
    return write_tables(tables, Path(out_dir), Path(raw_dir))
