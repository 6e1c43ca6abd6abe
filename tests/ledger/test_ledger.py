"""The ledger on SQLite and on a real PostgreSQL server: migrations, append-only records,
the scoring job on the shipped panel, rescoring, the track record and the ledger pages."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from forecast.errors import InputError
from forecast.ledger.db import open_ledger
from forecast.ledger.record import Issuer, record
from forecast.ledger.report import ledger_page, track_record
from forecast.ledger.resolve import score_ledger
from forecast.panel.load import load_panel

NATO, WARSAW_PACT = 3180, 3285  # in force through 2016; ended 1991 (abrogation)
ISSUED = datetime(2026, 12, 1, tzinfo=UTC)
LAST = int(load_panel()["year"].max())  # the data's last year


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


def rows(*items: tuple[int, int, int, float]) -> pd.DataFrame:
    """Ledger rows (atopid, as_of, horizon, p_end) with intervals and causes."""
    out = []
    for atopid, as_of, h, p in items:
        out.append({"atopid": atopid, "as_of": as_of, "horizon": h, "p_end": p,
                    "p_end_lo": p / 2, "p_end_hi": min(1.0, p * 2), "p_abrogation": p / 2,
                    "p_replacement": p / 4, "p_natural": p / 8, "p_exogenous": p / 8})  # fmt: skip
    return pd.DataFrame(out)


def issuer(kind: str = "backtest", version: str = "v1") -> Issuer:
    return Issuer(kind, "full", version, "datahash", ISSUED, "test")


def test_migrations_create_the_tables_and_are_idempotent(ledger_url: str) -> None:
    engine = open_ledger(ledger_url)
    open_ledger(ledger_url)  # a second start migrates nothing
    names = set(sa.inspect(engine).get_table_names())
    assert {"forecasts", "imports", "scoring_runs", "scores", "alembic_version"} <= names
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0001"


def test_recording_is_append_only_and_idempotent(ledger_url: str) -> None:
    engine = open_ledger(ledger_url)
    frame = rows((NATO, 2000, 5, 0.1), (WARSAW_PACT, 1985, 10, 0.3))
    assert record(engine, frame, issuer()) == 2
    assert record(engine, frame, issuer()) == 0  # the same forecasts again: nothing added
    assert record(engine, frame, issuer(version="v2")) == 2  # another version: new entries
    for stmt in ("UPDATE forecasts SET p_end = 0.5", "DELETE FROM forecasts"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(stmt))
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM forecasts")) == 4
        assert conn.scalar(sa.text("SELECT max(p_end) FROM forecasts")) == pytest.approx(0.3)


def test_scoring_resolves_closed_windows_from_the_panel(ledger_url: str, panel) -> None:
    engine = open_ledger(ledger_url)
    record(engine, rows(
        (WARSAW_PACT, 1985, 10, 0.3),  # ended 1991: inside 1986-1995 -> ended
        (WARSAW_PACT, 1985, 5, 0.2),   # window 1986-1990 closed, still in force -> 0
        (NATO, 2000, 10, 0.1),         # closed in 2010, in force -> 0
        (NATO, LAST, 5, 0.05),         # window past the data's last year -> open
    ), issuer())  # fmt: skip
    run = score_ledger(engine, panel, data_sha256="d1")
    assert (run.scored, run.open, run.data_through) == (3, 1, LAST)
    page = ledger_page(engine, filters={"scored": True}, page=1, page_size=10)
    got = {(i["atopid"], i["horizon"]): i["score"] for i in page["items"]}
    assert got[(WARSAW_PACT, 10)]["ended"] == 1
    assert got[(WARSAW_PACT, 10)]["end_year"] == 1991
    assert got[(WARSAW_PACT, 10)]["cause"] == "abrogation"
    assert got[(WARSAW_PACT, 10)]["brier"] == pytest.approx((0.3 - 1) ** 2)
    assert got[(WARSAW_PACT, 10)]["log_loss"] == pytest.approx(-np.log(0.3))
    assert got[(WARSAW_PACT, 5)]["ended"] == 0
    assert got[(WARSAW_PACT, 5)]["log_loss"] == pytest.approx(-np.log(0.8))
    assert got[(NATO, 10)]["ended"] == 0
    open_page = ledger_page(engine, filters={"scored": False}, page=1, page_size=10)
    assert [(i["atopid"], i["as_of"]) for i in open_page["items"]] == [(NATO, LAST)]


def test_rescoring_adds_rows_and_rewrites_none(ledger_url: str, panel) -> None:
    engine = open_ledger(ledger_url)
    record(engine, rows((WARSAW_PACT, 1985, 10, 0.3), (NATO, 2000, 10, 0.1)), issuer())
    first = score_ledger(engine, panel, data_sha256="d1")
    assert score_ledger(engine, panel, data_sha256="d1").scored == 0  # same data: done
    second = score_ledger(engine, panel, data_sha256="d2")  # new data: scored again
    forced = score_ledger(engine, panel, data_sha256="d2", rescore=True)
    assert (first.scored, second.scored, forced.scored) == (2, 2, 2)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM scores")) == 6
        assert conn.scalar(sa.text("SELECT count(*) FROM scoring_runs")) == 3
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM scores"))
    assert track_record(engine)["n_scored"] == 2  # each forecast counted once (latest score)


def test_track_record_scores_match_a_direct_computation(ledger_url: str, panel) -> None:
    engine = open_ledger(ledger_url)
    items = [(WARSAW_PACT, 1985, 10, 0.3), (WARSAW_PACT, 1985, 5, 0.2), (NATO, 2000, 10, 0.1),
             (NATO, 1990, 5, 0.4), (NATO, 1995, 10, 0.05)]  # fmt: skip
    record(engine, rows(*items), issuer())
    score_ledger(engine, panel, data_sha256="d1")
    tr = track_record(engine)
    y = np.array([1, 0, 0, 0, 0])
    p = np.array([i[3] for i in items])
    assert tr["n_scored"] == 5
    assert tr["brier"] == pytest.approx(np.mean((p - y) ** 2), abs=1e-6)
    assert tr["log_loss"] == pytest.approx(-np.mean(np.log(np.where(y, p, 1 - p))), abs=1e-6)
    clim = {10: 1 / 3, 5: 0.0}  # observed end rate per horizon
    ref = np.mean([(clim[i[2]] - yy) ** 2 for i, yy in zip(items, y, strict=True)])
    assert tr["brier_skill"] == pytest.approx(1 - tr["brier"] / ref, abs=1e-5)
    assert {r["horizon"] for r in tr["by_horizon"]} == {5, 10}
    assert sum(r["n_scored"] for r in tr["by_era"]) == 5
    assert {r["era"] for r in tr["by_era"]} == {"1946-1989", "1990-2016"}
    assert sum(b["n"] for b in tr["reliability"]) == 5
    assert all(0 <= b["observed"] <= 1 for b in tr["reliability"])


def test_ledger_page_filters_and_paginates(ledger_url: str) -> None:
    engine = open_ledger(ledger_url)
    record(engine, rows(*[(NATO, 1950 + k, 5, 0.1) for k in range(7)]), issuer())
    record(engine, rows((NATO, 2016, 5, 0.1)), issuer("live", "v9"))
    p1 = ledger_page(engine, filters={"kind": "backtest"}, page=1, page_size=3)
    p3 = ledger_page(engine, filters={"kind": "backtest"}, page=3, page_size=3)
    assert p1["total"] == 7 and len(p1["items"]) == 3 and len(p3["items"]) == 1
    assert [i["as_of"] for i in p1["items"]] == [1956, 1955, 1954]  # newest first
    live = ledger_page(engine, filters={"kind": "live"}, page=1, page_size=10)
    assert [(i["version"], i["target_year"], i["score"]) for i in live["items"]] == [
        ("v9", 2021, None)
    ]
    assert live["items"][0]["issued_at"] == "2026-12-01T00:00:00Z"
    assert set(live["items"][0]["causes"]) == {"abrogation", "replacement", "natural", "exogenous"}


def test_bad_urls_and_kinds_are_clear_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="not a database URL"):
        open_ledger("nonsense")
    with pytest.raises(InputError, match="only sqlite and postgresql"):
        open_ledger("mysql://u@h/db")
    with pytest.raises(InputError, match="kind must be one of live, backtest"):
        Issuer("guess", "full", "v", None, ISSUED, "t")
