"""Backtest orchestration: leak-free folds, Dask fan-out, score tables (baselines only here)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import perturb_after

from forecast.evaluation import backtest as bt
from forecast.evaluation import baselines as bl
from forecast.evaluation.fanout import dask_client, map_gather

BASE_ONLY = bt.FitSettings(spec=None)


def test_baselines_leak_nothing_after_the_origin(panel):
    origin = 1980
    clean = bt.run_origin(origin, panel=panel, horizons=[5, 10], settings=BASE_ONLY)
    noisy = bt.run_origin(
        origin, panel=perturb_after(panel, origin), horizons=[5, 10], settings=BASE_ONLY
    )
    pd.testing.assert_frame_equal(clean.baselines, noisy.baselines)
    assert len(clean.baselines) == 2 * len(bl.all_baselines()) * len(
        panel.loc[(panel.year == origin) & (panel.event == 0)]
    )


def test_perturbation_really_changes_the_future(panel):
    noisy = perturb_after(panel, 1980)
    late = panel["year"] > 1980
    assert (noisy.loc[late, "event"] != panel.loc[late, "event"]).any()
    assert (noisy.loc[late, "lsthreat_max"] != panel.loc[late, "lsthreat_max"]).any()
    pd.testing.assert_frame_equal(noisy.loc[~late], panel.loc[~late])


def test_score_table_puts_model_sources_side_by_side(panel):
    res = bt.rolling(panel, [1960, 1980, 2000], [5], BASE_ONLY)
    table = res.scores
    expected = {b.name for b in bl.all_baselines()}
    assert {"climatology_5y", "climatology_10y"} <= expected  # recent-window climatologies
    assert set(table["source"]) == expected
    clim = table.set_index("source").loc["climatology"]
    assert clim["brier_skill"] == pytest.approx(0.0)
    assert clim["folds"] == 3
    assert (table["n"] == res.observed.shape[0]).all()


def test_unobservable_folds_are_predicted_but_not_scored(panel):
    res = bt.rolling(panel, [2014], [5], BASE_ONLY)
    assert res.scores is None
    assert len(res.baselines) > 0


def test_origin_outside_the_panel_is_refused(panel):
    from forecast.errors import InputError

    with pytest.raises(InputError, match="outside the panel"):
        bt.rolling(panel, [1800], [5], BASE_ONLY)


def _env_of_worker(_: int) -> tuple[int, str]:
    return os.getpid(), os.environ.get("PYTENSOR_FLAGS", "")


@pytest.mark.integration
def test_dask_fanout_matches_in_process_run_and_isolates_compile_dirs(panel, tmp_path: Path):
    origins = [1960, 1970, 1980, 1990, 2000]
    local = bt.rolling(panel, origins, [5, 10], BASE_ONLY)
    with dask_client(workers=2, compile_base=tmp_path) as client:
        fanned = bt.rolling(panel, origins, [5, 10], BASE_ONLY, client=client)
        envs = map_gather(client, _env_of_worker, list(range(8)))
    pd.testing.assert_frame_equal(local.baselines, fanned.baselines)
    pd.testing.assert_frame_equal(local.scores, fanned.scores)
    dirs = {pid: flags for pid, flags in envs}
    assert len(dirs) == 2, "expected two worker processes"
    assert len(set(dirs.values())) == 2, f"workers share a compile dir: {dirs}"
    assert all(f"compiledir={tmp_path}/worker-" in f for f in dirs.values())


def test_skill_report_bootstraps_over_origins_and_scores_within_origins(panel):
    from forecast.evaluation import skill

    res = bt.rolling(panel, [1960, 1970, 1980, 1990, 2000], [5], BASE_ONLY)
    # a stand-in "model": the 5-year climatology itself, labelled as the model
    fake = res.baselines[res.baselines.source == "climatology_5y"].assign(source="model")
    joined = skill.joined_rows(pd.concat([fake, res.baselines]), res.observed)
    diff = skill.bootstrap_differences(joined, n_boot=200)
    same = diff.set_index("baseline").loc["climatology_5y"]
    assert same["brier_diff"] == 0 and same["brier_diff_lo"] == same["brier_diff_hi"] == 0
    assert (diff["brier_diff_lo"] <= diff["brier_diff"]).all()
    assert (diff["brier_diff"] <= diff["brier_diff_hi"]).all()
    auc = skill.within_origin_auc(joined).set_index("source")["within_origin_auc"]
    assert auc["climatology_5y"] == pytest.approx(0.5)  # one number per origin: no skill
    cover = skill.count_coverage(joined)
    assert set(cover["origin"]) == {1960, 1970, 1980, 1990, 2000}


def test_an_interrupted_run_resumes_from_the_origins_it_saved(panel, tmp_path: Path):
    first = []
    full = bt.rolling(panel, [1960, 1980], [5], BASE_ONLY, on_done=first.append)
    bt.save_origin(next(r for r in first if r.origin == 1980), tmp_path)
    again = []
    resumed = bt.rolling(
        panel, [1960, 1980], [5], BASE_ONLY, on_done=again.append, done=bt.load_origins(tmp_path)
    )
    assert [r.origin for r in again] == [1960]  # 1980 was not run again
    pd.testing.assert_frame_equal(
        resumed.scores.reset_index(drop=True), full.scores.reset_index(drop=True)
    )
