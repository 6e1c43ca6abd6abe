"""First-start seeding: record the committed backtest forecasts, then score the ledger.

The repository ships the rolling-origin backtest forecasts as contract CSVs in
``data/track-record/backtest/`` with a ``manifest.json`` (model, fit settings, data hash,
the command that made them). :func:`ensure_seeded` records each file once (by content
hash) and runs the scoring job when the ledger has forecasts not yet scored on the current
data, so a fresh clone serves a track record without re-fitting anything. Running it
again is cheap and adds nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from forecast.errors import InputError
from forecast.ledger.db import writer_lock
from forecast.ledger.record import import_backtest_csv
from forecast.ledger.resolve import score_ledger
from forecast.panel.load import data_manifest_sha256


def alliance_types(data_dir: Path) -> dict[int, str | None]:
    """Obligation type per alliance, from the data stage's alliance table."""
    a = pd.read_parquet(data_dir / "alliances.parquet", columns=["atopid", "obligation_type"])
    return {
        int(i): (None if pd.isna(t) else str(t))
        for i, t in zip(a["atopid"], a["obligation_type"], strict=True)
    }


def read_manifest(seed_dir: Path) -> dict[str, Any]:
    """The seed manifest: who made the committed backtest files, and how."""
    path = seed_dir / "manifest.json"
    if not path.is_file():
        raise InputError(
            f"{path} is missing: the committed backtest forecasts need their manifest "
            "(model, version, data_sha256, created_at)"
        )
    return json.loads(path.read_text())


def ensure_seeded(
    engine: Engine, seed_dir: Path, data_dir: Path, panel: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Record the committed backtest CSVs not yet in the ledger, then score what is new."""
    files = sorted((seed_dir / "backtest").glob("*.csv"))
    out: dict[str, Any] = {"files": len(files), "recorded": 0, "scored": 0}
    with writer_lock(engine):
        if files:
            meta = read_manifest(seed_dir)
            types = alliance_types(data_dir)
            issued = datetime.fromisoformat(meta["created_at"]).astimezone(UTC)
            for path in files:
                out["recorded"] += import_backtest_csv(
                    engine,
                    path,
                    model=meta["model"],
                    version=meta["version"],
                    data_sha256=meta.get("data_sha256"),
                    issued_at=issued,
                    alliance_types=types,
                    source=f"{seed_dir.name}/backtest/{path.name}",
                )
        if panel is None:
            from forecast.model.members import load_model_panel

            panel = load_model_panel(data_dir)
        run = score_ledger(engine, panel, data_sha256=data_manifest_sha256(data_dir))
    out["scored"] = run.scored
    out["open"] = run.open
    return out
