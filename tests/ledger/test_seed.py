"""The shipped track record: the committed backtest CSVs seed the ledger once; the refit's
snapshot of live forecasts; the `alliance-forecast ledger` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from forecast.config import DEFAULT_LEDGER_SEED_DIR, REPO_ROOT
from forecast.evaluation.backtest import CONTRACT_COLUMNS
from forecast.ledger.db import open_ledger
from forecast.ledger.report import track_record
from forecast.ledger.seed import ensure_seeded, read_manifest
from forecast.ledger.snapshot import snapshot_store

CLI = str(Path(sys.executable).parent / "alliance-forecast")
DATA = REPO_ROOT / "data"


def test_committed_backtests_follow_the_contract() -> None:
    files = sorted((DEFAULT_LEDGER_SEED_DIR / "backtest").glob("origin-*.csv"))
    assert files, "data/track-record/backtest/ holds the committed rolling-origin forecasts"
    meta = read_manifest(DEFAULT_LEDGER_SEED_DIR)
    assert {"model", "version", "created_at", "data_sha256", "command"} <= set(meta)
    for f in files:
        frame = pd.read_csv(f)
        assert tuple(frame.columns) == CONTRACT_COLUMNS
        origin = int(f.stem.removeprefix("origin-"))
        assert (frame["origin"] == origin).all()
        assert ((frame["p_end_lo"] <= frame["p_end"]) & (frame["p_end"] <= frame["p_end_hi"])).all()


def test_seeding_is_idempotent_and_gives_a_track_record(ledger_url: str) -> None:
    engine = open_ledger(ledger_url)
    first = ensure_seeded(engine, DEFAULT_LEDGER_SEED_DIR, DATA)
    again = ensure_seeded(engine, DEFAULT_LEDGER_SEED_DIR, DATA)
    assert first["recorded"] > 0 and first["scored"] >= 300
    assert (again["recorded"], again["scored"]) == (0, 0)
    tr = track_record(engine)
    assert tr["n_scored"] == first["scored"] >= 300
    assert tr["brier"] is not None and tr["log_loss"] is not None and tr["reliability"]
    assert tr["data_through"] >= 2016
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM imports")) == first["files"]


def test_snapshot_of_the_live_model_is_recorded_once(tmp_path: Path) -> None:
    engine = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite'}")
    n = snapshot_store(engine, REPO_ROOT / "models", DATA, "full")
    assert n > 300 * 3  # every alliance in force x horizons 1, 5, 10
    assert snapshot_store(engine, REPO_ROOT / "models", DATA, "full") == 0
    with engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT DISTINCT kind FROM forecasts")).all()
        as_of = conn.scalar(sa.text("SELECT min(as_of) FROM forecasts"))
    assert kinds == [("live",)] and as_of >= 2016


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "ledger", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.integration
def test_ledger_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    seeded = _cli("seed", "--url", url)
    assert seeded.returncode == 0, seeded.stderr
    assert json.loads(seeded.stdout)["scored"] >= 300
    scored = _cli("score", "--url", url)
    assert scored.returncode == 0 and scored.stdout.startswith("scored 0 forecasts")
    shown = json.loads(_cli("show", "--url", url).stdout)
    assert shown["n_scored"] >= 300 and {r["horizon"] for r in shown["by_horizon"]} >= {1, 5}
    bad = tmp_path / "bad.csv"
    bad.write_text("atopid,p\n1,0.5\n")
    out = _cli("import", str(bad), "--version", "x", "--url", url)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("error:") and "not a backtest contract CSV" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_refit_hook_records_the_promoted_version_and_never_fails_the_refit(tmp_path) -> None:
    from forecast.jobs.refit import RefitOptions, RefitSummary, _snapshot_in_ledger
    from forecast.model.members import load_model_panel
    from forecast.store import Registry

    live = Registry(REPO_ROOT / "models").live_version("full")
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    summary = RefitSummary(model="full", candidate=live)
    logged: list[str] = []
    opts = RefitOptions(models_dir=REPO_ROOT / "models", ledger_url=url)
    _snapshot_in_ledger(opts, summary, load_model_panel(), logged.append)
    assert logged and logged[0].startswith("ledger: ") and summary.reasons == []
    with open_ledger(url).connect() as conn:
        versions = conn.execute(sa.text("SELECT DISTINCT kind, version FROM forecasts")).all()
    assert versions == [("live", live)]
    broken = RefitOptions(models_dir=REPO_ROOT / "models", ledger_url="mysql://nowhere/x")
    _snapshot_in_ledger(broken, summary, load_model_panel(), logged.append)
    assert summary.reasons and "ledger snapshot failed" in summary.reasons[0]


def test_the_service_prepares_the_ledger_in_a_child_and_caches_the_record(
    ledger_url: str,
) -> None:
    import asyncio

    from forecast.config import Settings
    from forecast.errors import StoreError
    from forecast.serving.ledger import prepare

    service = asyncio.run(prepare(Settings(ledger_url=ledger_url)))
    assert service.seeded["scored"] >= 300 and service.seeded["live_recorded"] > 300
    tr = service.track_record()
    assert tr is service.track_record()  # cached while the ledger does not grow
    assert tr["n_scored"] == service.seeded["scored"]
    assert asyncio.run(prepare(Settings(ledger_url=ledger_url))).seeded["live_recorded"] == 0
    with pytest.raises(StoreError, match=r"preparing the ledger failed .*mysql"):
        asyncio.run(prepare(Settings(ledger_url="mysql://nowhere/x")))
