"""SQLAlchemy 2 models of the ledger (the Alembic migrations create the same tables).

Nothing is ever updated or deleted: the migrations install triggers that reject UPDATE and
DELETE on every table, so a rescore adds ``scores`` rows under a new ``scoring_runs`` row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from forecast.panel.columns import CAUSES

KINDS = ("live", "backtest")


class Base(DeclarativeBase):
    """Declarative base of the ledger tables."""


class Entry(Base):
    """One forecast issued for the record: an alliance (or member) and horizon."""

    __tablename__ = "forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(240), unique=True)  # natural key, see entry_key
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    model: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100))
    data_sha256: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[int] = mapped_column(Integer)
    atopid: Mapped[int] = mapped_column(Integer, index=True)
    member: Mapped[int | None] = mapped_column(Integer)  # COW code; None: the alliance
    horizon: Mapped[int] = mapped_column(Integer)
    alliance_type: Mapped[str | None] = mapped_column(String(32))
    p_end: Mapped[float] = mapped_column(Float)
    p_end_lo: Mapped[float | None] = mapped_column(Float)
    p_end_hi: Mapped[float | None] = mapped_column(Float)
    p_abrogation: Mapped[float | None] = mapped_column(Float)
    p_replacement: Mapped[float | None] = mapped_column(Float)
    p_natural: Mapped[float | None] = mapped_column(Float)
    p_exogenous: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(240))


class Import(Base):
    """A file of forecasts recorded once (by content hash): makes seeding idempotent."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(400))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScoringRun(Base):
    """One run of the scoring job, against one version of the data."""

    __tablename__ = "scoring_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data_sha256: Mapped[str | None] = mapped_column(String(64))
    data_through: Mapped[int] = mapped_column(Integer)
    n_scored: Mapped[int] = mapped_column(Integer)


class Score(Base):
    """The outcome of one closed forecast window and its scores, under one scoring run."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("run_id", "forecast_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"), index=True)
    forecast_id: Mapped[int] = mapped_column(ForeignKey("forecasts.id"), index=True)
    ended: Mapped[int] = mapped_column(Integer)  # 1: ended in (as_of, as_of + horizon]
    end_year: Mapped[int | None] = mapped_column(Integer)
    cause: Mapped[str | None] = mapped_column(String(32))
    brier: Mapped[float] = mapped_column(Float)
    log_loss: Mapped[float] = mapped_column(Float)


CAUSE_COLUMNS = tuple(f"p_{c}" for c in CAUSES)
assert all(hasattr(Entry, c) for c in CAUSE_COLUMNS), "ledger cause columns must match CAUSES"


def entry_key(
    kind: str, model: str, version: str, as_of: int, atopid: int, member: int | None, horizon: int
) -> str:
    """Natural key of a forecast: the same forecast is recorded at most once."""
    who = f"{atopid}" if member is None else f"{atopid}:{member}"
    return f"{kind}|{model}|{version}|{as_of}|{who}|h{horizon}"
