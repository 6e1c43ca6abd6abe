"""A store of small real fits of the theory variants and the member model, for the API
tests of issue 10 (never the repo's models/).

The variants are fitted on an eighth of the real alliances (the member model on the
member-years of six alliances, NATO among them) with a short sampler and lenient
*test* gates (recorded in each manifest), so the server can serve them; the comparison
file is written from their real PSIS-LOO and stacking weights.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from forecast.model.config import GatePolicy, SamplerConfig

TEST_SAMPLER = SamplerConfig(chains=2, draws=40, tune=80, serving_draws=80, seed=11)
#: Lenient gates for test-size fits: they check the plumbing, not convergence.
TEST_GATES = GatePolicy(
    max_rhat=2.0, min_ess_bulk=2, min_ess_tail=2, max_divergences=10_000, min_bfmi=0.0
)
NATO = 3180
VARIANTS = ("full", "realist")


def alliance_subset(panel, share: float = 0.12, seed: int = 3):  # type: ignore[no-untyped-def]
    """Rows of a random ``share`` of the alliances (NATO always in)."""
    ids = np.unique(panel["atopid"])
    keep = set(np.random.default_rng(seed).choice(ids, int(len(ids) * share), replace=False))
    keep.add(NATO)
    return panel[panel["atopid"].isin(keep)]


def member_subset(panel, n: int = 5):  # type: ignore[no-untyped-def]
    """Member-years of NATO and the ``n`` alliances with the most member exits."""
    exits = panel.groupby("atopid")["exit"].sum().sort_values(ascending=False)
    keep = {*exits.index[:n], NATO}
    return panel[panel["atopid"].isin(keep)]


def build_theory_store(root: Path, data_dir: Path) -> Path:
    """``root/data`` (a copy of ``data_dir``) and ``root/models`` with live small fits of
    ``VARIANTS`` and ``member_exit``, and ``models/theories.json``."""
    os.environ.setdefault("PYTENSOR_FLAGS", "compiledir=/tmp/pytensor-tests")
    from forecast.model.fit import fit_model
    from forecast.model.members import load_member_model_panel, load_model_panel
    from forecast.model.theories import loo_comparison, verdict, write_comparison
    from forecast.panel.load import data_manifest_sha256
    from forecast.store import Registry

    shutil.copytree(data_dir, root / "data")
    (root / "models").mkdir()
    registry = Registry(root / "models")
    sha = data_manifest_sha256(root / "data")
    panel = alliance_subset(load_model_panel(root / "data"))
    members = member_subset(load_member_model_panel(root / "data"))
    for name, rows in [*((v, panel) for v in VARIANTS), ("member_exit", members)]:
        fit = fit_model(name, rows, sampler=TEST_SAMPLER, gates=TEST_GATES,
                        data_manifest_sha256=sha)  # fmt: skip
        registry.save(fit, promote=True)
    comparison = loo_comparison(registry, {v: registry.live_version(v) for v in VARIANTS})
    for row in comparison:
        row["backtest"] = {}  # the common-fold backtest is benchmarks/theories.py's job
    write_comparison(
        root / "models",
        {"comparison": comparison, "verdict": verdict(comparison), "backtest_folds": {}},
    )
    return root
