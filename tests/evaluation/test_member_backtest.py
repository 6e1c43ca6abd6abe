"""``backtest --members`` through the real CLI: a real member_exit fit at an origin on the
member-years of a few real alliances, the contract CSV, baselines and scores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecast.config import REPO_ROOT
from forecast.evaluation.members import MEMBER_COLUMNS, members_at_risk, outcomes
from forecast.model.members import member_model_panel

CLI = str(Path(sys.executable).parent / "alliance-forecast")
ORIGIN = 2005
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def member_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = REPO_ROOT / "data" / "member_year.parquet"
    if not path.is_file():
        pytest.skip("data/ has no member panel: run `alliance-forecast data build`")
    panel = pd.read_parquet(path)
    exits = panel.groupby("atopid")["exit"].sum().sort_values(ascending=False)
    keep = {*exits.index[:4], 3180}
    out = tmp_path_factory.mktemp("members") / "members.parquet"
    panel[panel["atopid"].isin(keep)].to_parquet(out)
    return out


def test_member_backtest_writes_the_contract_and_scores_against_baselines(
    member_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "members.csv"
    run = subprocess.run(
        [CLI, "backtest", "--members", "--origin", str(ORIGIN), "--horizon", "5,10",
         "--panel", str(member_file), "--output", str(out),
         "--chains", "1", "--draws", "40", "--tune", "60"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    rows = pd.read_csv(out)
    assert tuple(rows.columns) == MEMBER_COLUMNS
    panel = member_model_panel(pd.read_parquet(member_file))
    at_risk = members_at_risk(panel, ORIGIN)
    assert len(rows) == 2 * len(at_risk)
    assert ((rows["p_exit_lo"] <= rows["p_exit"]) & (rows["p_exit"] <= rows["p_exit_hi"])).all()
    assert (
        rows.groupby(["atopid", "ccode"])["p_exit"].apply(lambda p: p.is_monotonic_increasing).all()
    )
    assert (rows["origin"] == ORIGIN).all() and {3180} <= set(rows["atopid"])
    scores = pd.read_csv(out.with_suffix(".scores.csv"))
    assert {"model", "climatology", "life_table"} <= set(scores["source"])
    assert set(scores["horizon"]) == {5, 10}
    base = pd.read_csv(out.with_suffix(".baselines.csv"))
    assert set(base["source"]) == {"climatology", "climatology_10y", "life_table"}


def test_outcomes_count_exits_in_the_window_only() -> None:
    panel = member_model_panel(
        pd.DataFrame(
            {"atopid": [1] * 6, "ccode": [2, 3] * 3, "year": [2000, 2000, 2001, 2001, 2002, 2002],
             "exit": [0, 0, 0, 0, 0, 1], "exit_cause": ["none"] * 5 + ["abrogation"]}
        )
    )  # fmt: skip
    got = outcomes(panel, 2000, 2).set_index("ccode")["exited"].to_dict()
    assert got == {2: 0, 3: 1}
    assert outcomes(panel, 2000, 1)["exited"].sum() == 0
