"""The refit job end to end with real sampling: promote, reject, survive kill -9.

A deliberately tiny spec (intercepts, era offsets, two age bins; no covariates) on the
1970-1989 slice of the shipped panel passes the real gates in ~30 s, so the promote path
is exercised for real. Everything mutates a temporary models dir.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from forecast.config import DEFAULT_MODELS_DIR
from forecast.jobs.refit import LOCK_NAME, RECORDS_DIR, RefitOptions, run_refit
from forecast.model.config import SamplerConfig

pytestmark = [pytest.mark.slow]

TINY = dict(
    name="tiny",
    covariates=(),
    pooling=(),
    pool_cells=False,
    member_effects=False,
    age_bins=(0, 6),
    shock_years=(),
)
ROOT = Path(__file__).resolve().parents[2]


def _tiny_spec():
    from forecast.model.spec import ModelSpec

    return ModelSpec(**TINY)


@pytest.fixture(scope="module")
def tiny_panel(tmp_path_factory) -> Path:
    try:
        from forecast.panel.load import load_panel

        panel = load_panel()
    except Exception as exc:  # no shipped panel: nothing to fit
        pytest.skip(f"shipped panel not available ({exc}); run `alliance-forecast data build`")
    path = tmp_path_factory.mktemp("panel") / "panel-1970-1989.parquet"
    panel.loc[(panel.year >= 1970) & (panel.year <= 1989)].to_parquet(path)
    return path


def _opts(models: Path, panel: Path, draws: int = 1000, tune: int = 300, seed: int = 7,
          **kw) -> RefitOptions:  # fmt: skip
    cfg = SamplerConfig(draws=draws, tune=tune, chains=2, seed=seed)
    base = dict(models_dir=models, model=_tiny_spec(), panel_file=panel, sampler=cfg,
                backtest_horizon=0, keep=3)  # fmt: skip
    return RefitOptions(**{**base, **kw})


def _log(msg: str) -> None:
    print(f"refit: {msg}", file=sys.stderr)


@pytest.fixture(scope="module")
def store(tmp_path_factory, tiny_panel) -> tuple[Path, str]:
    """A models dir whose tiny model has a live version from a first, passing refit."""
    models = tmp_path_factory.mktemp("models")
    # the tiny model is about as good as climatology: the backtest check runs, the bar is low
    summary = run_refit(_opts(models, tiny_panel, backtest_horizon=5, min_brier_skill=-0.5), _log)
    assert summary.status == "promoted", summary.to_json()
    assert summary.exit_code == 0
    return models, summary.candidate


def _registry(models: Path):
    from forecast.store import Registry

    return Registry(models)


def test_first_refit_promotes_and_records_its_backtest(store):
    models, version = store
    reg = _registry(models)
    assert reg.live_version("tiny") == version
    record = json.loads((models / RECORDS_DIR / "tiny" / f"{version}.json").read_text())
    assert record["origin"] == 1984 and record["horizon"] == 5
    assert record["candidate"]["brier_skill"] > -0.5
    assert record["candidate"]["n"] > 100
    assert (models / RECORDS_DIR / "tiny" / f"{version}.diagnostics.zarr").is_dir()
    history = (models / RECORDS_DIR / "history.jsonl").read_text().splitlines()
    assert json.loads(history[-1])["status"] == "promoted"


def test_gate_rejects_a_bad_fit_and_leaves_the_live_version(store, tiny_panel):
    models, live = store
    summary = run_refit(_opts(models, tiny_panel, draws=20, tune=20), _log)
    assert summary.status == "rejected" and summary.exit_code == 3
    assert "gates failed" in summary.reasons[0]
    reg = _registry(models)
    assert reg.live_version("tiny") == live
    failed = [r for r in reg.list("tiny") if r["version"] == summary.candidate]
    assert failed and failed[0]["passed"] is False, "the rejected fit is recorded as failed"
    reg.load("tiny")  # the live version still loads and validates


_CHILD = """
import sys
from pathlib import Path
from forecast.model.spec import ModelSpec
from forecast.jobs.refit import RefitOptions, run_refit
from forecast.model.config import SamplerConfig
spec = ModelSpec(**{tiny!r})
opts = RefitOptions(models_dir=Path({models!r}), model=spec, panel_file=Path({panel!r}),
                    sampler=SamplerConfig(draws=1000, tune=300, chains=2, seed=8),
                    backtest_horizon=0)
print(run_refit(opts, lambda m: print("refit:", m, file=sys.stderr, flush=True)).to_json())
"""


def test_kill_9_during_a_refit_leaves_the_live_version_and_the_next_refit_succeeds(
    store, tiny_panel, tmp_path
):
    models, _ = store
    reg = _registry(models)
    live = reg.live_version("tiny")
    code = _CHILD.format(tiny=TINY, models=str(models), panel=str(tiny_panel))
    env = {**os.environ, "PYTENSOR_FLAGS": f"compiledir={tmp_path / 'pytensor'}"}
    child = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        for line in child.stderr:  # wait until it is fitting (lock held, sampling started)
            if "fitting" in line or time.monotonic() > deadline:
                break
        time.sleep(3.0)
        assert child.poll() is None, "the refit finished before it could be killed"
        with pytest.raises(Timeout):
            FileLock(models / LOCK_NAME, timeout=0).acquire()  # it holds the lock
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stderr.close()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert reg.live_version("tiny") == live
    reg.load("tiny")  # still loadable and valid
    with FileLock(models / LOCK_NAME, timeout=0):
        pass  # the lock died with the process
    summary = run_refit(_opts(models, tiny_panel, seed=9), _log)
    assert summary.status == "promoted", summary.to_json()
    assert reg.live_version("tiny") == summary.candidate != live
    assert summary.loo["comparable"] is True  # same data: LOO compared with the live fit
    reg.load("tiny")


@pytest.mark.integration
def test_cli_gate_rejects_a_one_chain_fit_of_the_shipped_model(tmp_path):
    """`alliance-forecast refit` with 2 chains x 20 draws on a copy of the shipped store."""
    reg = _registry(DEFAULT_MODELS_DIR)
    live = reg.live_version("full")
    if live is None:
        pytest.skip("no shipped live version of 'full' in models/")
    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    env = {
        **os.environ,
        "ALLIANCE_FORECAST_MODELS_DIR": str(models),
        "PYTENSOR_FLAGS": f"compiledir={tmp_path / 'pytensor'}",
    }
    cli = str(Path(sys.executable).parent / "alliance-forecast")
    proc = subprocess.run(
        [cli, "refit", "--model", "full", "--draws", "20", "--tune", "20", "--chains", "2",
         "--backtest-horizon", "0"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["status"] == "rejected"
    assert summary["live_before"] == summary["live_after"] == live
    assert _registry(models).live_version("full") == live
    _registry(models).load("full")
