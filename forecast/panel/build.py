"""Build every derived table from the raw sources and write them with a manifest.

The build is a sequence of explicit steps over typed tables:

1. ``read_sources``: every raw input, validated and checked against the published files'
   declared minimums (``forecast.panel.inputs``), plus the recorded events;
2. the data edge: the panel's end year (``forecast.panel.edge``);
3. ``apply_events`` on top of ATOP, then ``build_roster`` (membership, ends: once);
4. ``build_state_year`` (state-year indicators) and the CINC weights;
5. ``build_alliance_year`` (structure, design, outcomes, one builder per covariate family
   of the registry), ``build_member_year`` and the two API tables;
6. validation of every table, then ``write_tables``: all files go to a temporary folder
   beside the output, then move into place one by one, ``manifest.json`` last. Nothing is
   written before every step has succeeded, so a failed build leaves the previous panel.

The output is deterministic: the same raw files, events file and code give identical
tables (``built_at`` aside).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pandera.errors as pa_errors

from forecast import __version__
from forecast.errors import DataValidationError
from forecast.hashing import file_sha256
from forecast.panel import registry
from forecast.panel.alliance_year import build_alliance_year
from forecast.panel.edge import EDGE_INPUTS, source_last_year
from forecast.panel.events import apply_events
from forecast.panel.inputs import Progress, Sources, raw_files, read_sources
from forecast.panel.member_year import build_member_year
from forecast.panel.power import cinc_weights
from forecast.panel.roster import build_roster
from forecast.panel.schema import TABLES
from forecast.panel.state_year import build_state_year
from forecast.panel.tables import alliance_members_table, alliances_table
from forecast.sources.atop import ATOP_LAST_YEAR
from forecast.sources.crosswalk import countries
from forecast.sources.events import DEFAULT_FILE as DEFAULT_EVENTS
from forecast.sources.events import SCHEMA_VERSION

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
FILE_MODE = 0o644  # readable by the service user


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


def end_year_of(src: Sources) -> int:
    """The panel's end year: the earliest last year among :data:`EDGE_INPUTS`."""
    return min(source_last_year(n, getattr(src, n)) for n in EDGE_INPUTS)


def data_through(src: Sources, panel: pd.DataFrame) -> dict[str, dict[str, int | None]]:
    """Last year with data per source, per covariate and per family.

    A covariate's year is the last ``year − lag`` where the panel has a value, capped by
    the latest last year of its inputs (a rivalry held past 2020 is still 2020 data); a
    family's is the latest among its non-deprecated covariates.
    """
    sources = {f.name: source_last_year(f.name, getattr(src, f.name)) for f in fields(src)}
    covs: dict[str, int | None] = {}
    for c in registry.COVARIATES:
        have = panel.loc[panel[c.name].notna(), "year"]
        years = [sources[i] for i in c.inputs if sources.get(i) is not None]
        if have.empty:
            covs[c.name] = None
            continue
        last = int(have.max()) - c.lag
        covs[c.name] = min(last, max(years)) if years else last
    fams: dict[str, int | None] = {}
    for fam in registry.FAMILIES:
        vals = [
            covs[c.name]
            for c in registry.COVARIATES
            if c.family == fam and not c.deprecated and covs[c.name] is not None
        ]
        fams[fam] = max(vals) if vals else None
    return {"families": fams, "covariates": covs, "sources": sources}


def build_tables(src: Sources, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """All derived tables from the validated sources, validated against their schemas."""
    steps = ["roster", "state_year", "alliance_year", "member_year", "api tables"]

    def tick(i: int) -> None:
        if progress:
            progress(f"building {steps[i]}", i, len(steps))

    end_year = end_year_of(src)
    tick(0)
    members, alliances = apply_events(src.atop_members, src.atop_alliances, src.events, end_year)
    roster = build_roster(members, alliances, end_year)
    tick(1)
    state_year = build_state_year(src, end_year)
    weights = cinc_weights(src.nmc, end_year)
    tick(2)
    panel = build_alliance_year(roster, state_year, weights, src)
    tick(3)
    member_year = build_member_year(panel, roster, state_year)
    tick(4)
    cty = countries()
    tables = {
        "state_year": state_year,
        "alliance_year": panel,
        "member_year": member_year,
        "alliances": alliances_table(panel, roster, alliances, cty),
        "alliance_members": alliance_members_table(roster, cty),
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


def manifest_of(
    tables: dict[str, pd.DataFrame],
    src: Sources,
    raw_dir: Path,
    events_file: Path,
    outputs: dict[str, dict[str, object]],
) -> dict:
    """The manifest: inputs' hashes, outputs, data edge, per-family ``data_through``."""
    panel = tables["alliance_year"]
    ev = src.events
    end_year = int(panel["year"].max())
    applied = ev[ev["date"].dt.year <= end_year]
    combined = hashlib.sha256("".join(str(o["sha256"]) for o in outputs.values()).encode())
    return {
        "code_version": __version__,
        "code_sha256": code_hash(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "raw_inputs": {f: file_sha256(Path(raw_dir) / f) for f in raw_files()},
        "events": {
            "file": "events/events.csv",
            "sha256": file_sha256(events_file),
            "schema_version": SCHEMA_VERSION,
            "rows": len(ev),
            "applied": len(applied),
            "after_edge": len(ev) - len(applied),
            "applied_by_kind": {k: int(v) for k, v in applied["kind"].value_counts().items()},
        },
        "data_edge": {
            "end_year": end_year,
            "atop_last_year": ATOP_LAST_YEAR,
            "rule": "the earliest last year of " + ", ".join(EDGE_INPUTS),
        },
        "data_through": data_through(src, panel),
        "outputs": outputs,
        "sha256": combined.hexdigest(),
    }


def write_tables(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    src: Sources,
    raw_dir: Path,
    events_file: Path,
) -> dict:
    """Write every table to a temporary folder beside ``out_dir``, then move them into
    place and the manifest last. Returns the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out_dir, prefix=".build-"))
    try:
        outputs: dict[str, dict[str, object]] = {}
        for name, df in tables.items():
            filename = TABLES[name][0]
            path = stage / filename
            df.to_parquet(path, index=False, compression="zstd")
            year_col = "year" if "year" in df.columns else "begyr"
            outputs[name] = {
                "file": filename,
                "rows": len(df),
                "columns": list(df.columns),
                "sha256": file_sha256(path),
                "coverage": coverage(df, year_col) if year_col in df.columns else {},
            }
        manifest = manifest_of(tables, src, raw_dir, events_file, outputs)
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        for p in stage.iterdir():
            p.chmod(FILE_MODE)
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
        for name in tables:
            filename = TABLES[name][0]
            os.replace(stage / filename, out_dir / filename)
        os.replace(stage / "manifest.json", out_dir / "manifest.json")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return manifest


def build(
    raw_dir: Path,
    out_dir: Path,
    progress: Progress | None = None,
    events_file: Path | None = None,
) -> dict:
    """Full build: read raw and events, assemble, validate, write. Returns the manifest."""
    events_file = Path(events_file) if events_file is not None else DEFAULT_EVENTS
    src = read_sources(Path(raw_dir), events_file, progress)
    tables = build_tables(src, progress)
    return write_tables(tables, Path(out_dir), src, Path(raw_dir), events_file)
