"""One real (small, quick) fit of the ``full`` variant on a simulated panel, shared by the
model, store and predict tests of a session (compiling is the slow part)."""

from __future__ import annotations

import os
from functools import lru_cache

import pandas as pd

from forecast.model.config import QUICK
from forecast.model.fit import FitResult
from forecast.model.simulate import simulate_panel
from forecast.model.spec import get_spec

SEED = 7


@lru_cache(maxsize=1)
def small_fit() -> tuple[pd.DataFrame, FitResult]:
    """(panel, fit): 80 simulated alliances, the ``QUICK`` sampler settings."""
    os.environ.setdefault("PYTENSOR_FLAGS", "compiledir=/tmp/pytensor-tests")
    from forecast.model.fit import fit_model

    panel, _ = simulate_panel(get_spec("full"), 80, seed=SEED)
    fit = fit_model(
        "full", panel, sampler=QUICK.model_copy(update={"seed": SEED}),
        data_manifest_sha256="test-data",
    )  # fmt: skip
    return panel, fit
