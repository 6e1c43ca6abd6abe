"""Backtests with the real Bayesian model (tiny sampling): contract and leak test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import perturb_after

from forecast.evaluation import backtest as bt
from forecast.model.config import SamplerConfig
from forecast.panel.columns import CAUSES

pytestmark = [pytest.mark.slow]

ORIGIN = 1965
SMALL = bt.FitSettings(spec="full", sampler=SamplerConfig(draws=30, tune=30, chains=2, seed=11))


@pytest.fixture(scope="module")
def real_panel() -> pd.DataFrame:
    try:
        from forecast.model.members import load_model_panel

        return load_model_panel()
    except Exception as exc:
        pytest.skip(f"shipped panel not available ({exc}); run `alliance-forecast data build`")


def test_model_backtest_leaks_nothing_after_the_origin(real_panel):
    """Scramble every record after T (outcomes, covariates, structure): same predictions."""
    clean = bt.run_origin(ORIGIN, panel=real_panel, horizons=[5], settings=SMALL)
    noisy_panel = perturb_after(real_panel, ORIGIN)
    assert not noisy_panel.equals(real_panel)
    noisy = bt.run_origin(ORIGIN, panel=noisy_panel, horizons=[5], settings=SMALL)
    assert len(clean.model) > 50
    pd.testing.assert_frame_equal(clean.model, noisy.model)
    pd.testing.assert_frame_equal(clean.baselines, noisy.baselines)


@pytest.mark.integration
def test_backtest_cli_writes_the_exact_contract(real_panel, tmp_path: Path):
    out = tmp_path / "bt.csv"
    cli = str(Path(sys.executable).parent / "alliance-forecast")
    proc = subprocess.run(
        [cli, "backtest", "--origin", str(ORIGIN), "--horizon", "5,10", "--output", str(out),
         "--draws", "30", "--tune", "30", "--chains", "2", "--seed", "11"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    frame = pd.read_csv(out)
    expected = ["atopid", "origin", "horizon", "p_end", "p_end_lo", "p_end_hi"]
    assert list(frame.columns) == expected + [f"p_{c}" for c in CAUSES]
    in_force = real_panel.loc[(real_panel.year == ORIGIN) & (real_panel.event == 0), "atopid"]
    for h in (5, 10):
        rows = frame.loc[frame.horizon == h]
        assert sorted(rows["atopid"]) == sorted(in_force)
    assert (frame["origin"] == ORIGIN).all()
    assert ((frame.p_end_lo <= frame.p_end) & (frame.p_end <= frame.p_end_hi)).all()
    causes = frame[[f"p_{c}" for c in CAUSES]].sum(axis=1)
    assert (causes - frame["p_end"]).abs().max() < 1e-6, "cause incidences sum to p_end"
    assert "model" in proc.stdout and "climatology" in proc.stdout  # the score table
