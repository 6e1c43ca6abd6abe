"""Open the ledger database from its URL and bring its schema to the latest migration."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from forecast.errors import InputError, StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_ID = 0x1EDCE5  # pg_advisory_lock key of the ledger's migrations and seeding


def open_ledger(url: str, *, migrate: bool = True) -> Engine:
    """Engine of the ledger at ``url`` (SQLite file or PostgreSQL), migrated to head."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(
            f"ledger URL {url!r} is not a database URL: use sqlite:///path/ledger.sqlite or "
            "postgresql+psycopg://user@host/db (ALLIANCE_FORECAST_LEDGER_URL)"
        ) from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"ledger URL {url!r}: only sqlite and postgresql are supported "
            "(ALLIANCE_FORECAST_LEDGER_URL)"
        )
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    if migrate:
        upgrade(engine)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.close()


def upgrade(engine: Engine) -> None:
    """Run the Alembic migrations shipped in this package up to head (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with writer_lock(engine), engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the forecast ledger at {engine.url.render_as_string()}: "
            f"{exc.orig}; check ALLIANCE_FORECAST_LEDGER_URL"
        ) from exc


@contextlib.contextmanager
def writer_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations and seeding between processes (uvicorn workers) on one ledger."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_LOCK_ID})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_PG_LOCK_ID})")
        return
    from filelock import FileLock

    tag = hashlib.sha256(engine.url.render_as_string().encode()).hexdigest()[:16]
    with FileLock(Path(tempfile.gettempdir()) / f"alliance-forecast-ledger-{tag}.lock"):
        yield
