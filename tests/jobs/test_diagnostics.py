"""Notebook helpers on a small hand-made posterior (no sampling)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from forecast.errors import StoreError
from forecast.jobs import diagnostics as dx
from forecast.panel.columns import CAUSES, ERAS


def _artifact(tmp_path: Path) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    draws = 400
    beta = rng.normal(0.0, 0.1, (draws, 2, len(CAUSES)))
    beta[:, 0, :] += 0.8  # lsthreat_max: strong before 1990 ...
    era_slope = np.zeros((draws, len(ERAS), 1, len(CAUSES)))
    era_slope[:, ERAS.index("1990-2016"), 0, :] = -0.7  # ... and nearly gone after
    posterior = xr.Dataset(
        {
            "beta": (("draw", "x", "cause"), beta),
            "era_slope": (("draw", "era", "era_slope_x", "cause"), era_slope),
        },
        coords={"x": ["lsthreat_max", "depth"], "era_slope_x": ["lsthreat_max"],
                "cause": list(CAUSES), "era": list(ERAS)},
    )  # fmt: skip
    manifest = {"diagnostics": {"max_rhat": 1.02, "min_ess_bulk": 800, "min_ess_tail": 500,
                                "divergences": 0, "bfmi_min": 0.9}}  # fmt: skip
    path = tmp_path / "models" / "full" / "v1"
    path.mkdir(parents=True)
    return SimpleNamespace(model="full", version="v1", manifest=manifest, posterior=posterior,
                           path=path)  # fmt: skip


def test_gate_table_flags_the_failing_gate(tmp_path):
    table = dx.gate_table(_artifact(tmp_path)).set_index("gate")
    assert not table.loc["max R-hat", "passed"]
    assert table.loc["min bulk ESS", "passed"]
    assert table["passed"].sum() == 4


def test_era_slopes_add_the_era_deviation_to_the_common_slope(tmp_path):
    art = _artifact(tmp_path)
    slopes = dx.era_slopes(art)
    assert list(slopes.data_vars) == ["lsthreat_max"]
    da = slopes["lsthreat_max"]
    assert da.dims == ("chain", "draw", "era", "cause")
    early = float(da.sel(era="1946-1989").mean())
    late = float(da.sel(era="1990-2016").mean())
    assert early == pytest.approx(0.8, abs=0.02)
    assert late == pytest.approx(0.1, abs=0.02)
    contrast = dx.era_contrast(art, "lsthreat_max")
    assert (contrast["P(|late| < |early|)"] > 0.95).all()
    with pytest.raises(StoreError, match="no era-varying slope"):
        dx.era_contrast(art, "depth")


def test_missing_diagnostics_file_is_reported_as_none(tmp_path):
    art = _artifact(tmp_path)
    assert dx.find_diagnostics(art) is None
    paths = dx.diagnostics_paths(art)
    assert paths[0] == art.path / dx.DIAGNOSTICS_FILE
    assert paths[1].parent == tmp_path / "models" / ".refit" / "full"
