"""Append forecasts to the ledger: backtest contract CSVs and snapshots of live forecasts.

A forecast is recorded at most once (its natural key, :func:`tables.entry_key`); recording
the same file or snapshot again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from forecast.errors import InputError
from forecast.evaluation.backtest import CONTRACT_COLUMNS
from forecast.hashing import file_sha256
from forecast.ledger.tables import CAUSE_COLUMNS, KINDS, Entry, Import, entry_key

#: Horizons recorded when live forecasts are snapshotted.
SNAPSHOT_HORIZONS = (1, 5, 10)


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issued a set of forecasts, and when."""

    kind: str
    model: str
    version: str
    data_sha256: str | None
    issued_at: datetime
    source: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"ledger kind must be one of {', '.join(KINDS)}; got {self.kind!r}")


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def record(
    engine: Engine,
    frame: pd.DataFrame,
    issuer: Issuer,
    *,
    alliance_types: Mapping[int, str | None] | None = None,
    import_sha256: str | None = None,
) -> int:
    """Append the rows of ``frame`` (``atopid, as_of, horizon, p_end, p_end_lo, p_end_hi``,
    ``p_<cause>``, optional ``member``) not yet recorded; returns how many were added.

    With ``import_sha256`` the file is also recorded in ``imports``, in the same transaction.
    """
    types = alliance_types or {}
    rows = []
    for r in frame.to_dict("records"):
        member = None if pd.isna(r.get("member", None)) else int(r["member"])
        atopid, as_of, h = int(r["atopid"]), int(r["as_of"]), int(r["horizon"])
        rows.append(
            {
                "key": entry_key(
                    issuer.kind, issuer.model, issuer.version, as_of, atopid, member, h
                ),
                "issued_at": issuer.issued_at,
                "kind": issuer.kind,
                "model": issuer.model,
                "version": issuer.version,
                "data_sha256": issuer.data_sha256,
                "as_of": as_of,
                "atopid": atopid,
                "member": member,
                "horizon": h,
                "alliance_type": types.get(atopid),
                "p_end": float(r["p_end"]),
                "p_end_lo": _num(r.get("p_end_lo")),
                "p_end_hi": _num(r.get("p_end_hi")),
                **{c: _num(r.get(c)) for c in CAUSE_COLUMNS},
                "source": issuer.source,
            }
        )
    with engine.begin() as conn:
        prefix = f"{issuer.kind}|{issuer.model}|{issuer.version}|"
        known = set(conn.scalars(select(Entry.key).where(Entry.key.startswith(prefix))))
        new = [r for r in rows if r["key"] not in known]
        for start in range(0, len(new), 2000):
            conn.execute(insert(Entry), new[start : start + 2000])
        if import_sha256 is not None:
            conn.execute(
                insert(Import),
                [
                    {
                        "sha256": import_sha256,
                        "path": issuer.source,
                        "rows": len(new),
                        "imported_at": datetime.now(UTC),
                    }
                ],
            )
    return len(new)


def imported(engine: Engine, sha256: str) -> bool:
    """Whether a file with this content was already recorded."""
    with engine.connect() as conn:
        return conn.scalar(select(Import.id).where(Import.sha256 == sha256)) is not None


def read_backtest_csv(path: Path) -> pd.DataFrame:
    """A backtest contract CSV as ledger rows (``origin`` becomes ``as_of``); clear errors."""
    if not path.is_file():
        raise InputError(
            f"{path} does not exist: give a CSV written by `alliance-forecast backtest`"
        )
    frame = pd.read_csv(path)
    if tuple(frame.columns) != CONTRACT_COLUMNS:
        raise InputError(
            f"{path} is not a backtest contract CSV: columns {list(frame.columns)}, expected "
            f"{list(CONTRACT_COLUMNS)}"
        )
    p = frame[["p_end", "p_end_lo", "p_end_hi"]].to_numpy(dtype=float)
    if np.isnan(p[:, 0]).any() or (p < 0).any() or (p > 1).any():
        raise InputError(f"{path}: p_end, p_end_lo and p_end_hi must lie in [0, 1]")
    return frame.rename(columns={"origin": "as_of"})


def import_backtest_csv(
    engine: Engine,
    path: Path,
    *,
    model: str,
    version: str,
    data_sha256: str | None,
    issued_at: datetime,
    alliance_types: Mapping[int, str | None],
    source: str | None = None,
) -> int:
    """Record a backtest contract CSV once (by content hash); rows added (0 if known)."""
    sha = file_sha256(path)
    if imported(engine, sha):
        return 0
    frame = read_backtest_csv(path)
    issuer = Issuer("backtest", model, version, data_sha256, issued_at, source or path.name)
    return record(engine, frame, issuer, alliance_types=alliance_types, import_sha256=sha)


def snapshot_frame(table: Any, horizons: Sequence[int] = SNAPSHOT_HORIZONS) -> pd.DataFrame:
    """Ledger rows of a forecaster's baseline table (``ForecastTable``) at ``horizons``."""
    frames = []
    causes = list(table.cause_names)
    for h in horizons:
        j = h - 1
        mean, lo, hi = (table.p_persist[k, :, j] for k in range(3))
        data = {
            "atopid": table.atopids,
            "as_of": int(table.as_of),
            "horizon": h,
            "p_end": 1.0 - mean,
            "p_end_lo": 1.0 - hi,
            "p_end_hi": 1.0 - lo,
        }
        for k, c in enumerate(causes):
            data[f"p_{c}"] = table.causes[0, :, j, k]
        frames.append(pd.DataFrame(data))
    return pd.concat(frames, ignore_index=True)


def snapshot_live(
    engine: Engine,
    forecaster: Any,
    *,
    model: str,
    version: str,
    data_sha256: str | None,
    alliance_types: Mapping[int, str | None],
    issued_at: datetime | None = None,
    horizons: Sequence[int] = SNAPSHOT_HORIZONS,
    source: str = "snapshot",
) -> int:
    """Record the live forecasts of every alliance in force (once per model version)."""
    table = forecaster.table(max(horizons))
    issuer = Issuer("live", model, version, data_sha256, issued_at or datetime.now(UTC), source)
    return record(engine, snapshot_frame(table, horizons), issuer, alliance_types=alliance_types)
