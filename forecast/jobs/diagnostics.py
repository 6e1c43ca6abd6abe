"""What the diagnostics notebook shows, computed from the store (no model math here).

* :func:`load_live` / :func:`find_diagnostics`: the live artifact and, when one was
  exported, its diagnostics file (per-chain trace of the low-dimensional parameters,
  sample stats, and a thinned log-likelihood + posterior predictive for LOO-PIT).
  The serving artifact itself keeps only stacked float32 draws, so trace, rank and energy
  plots need that file; without it the notebook says so and shows the manifest's numbers.
* :func:`export_diagnostics`: writes that file from a fit (the refit job calls it).
* :func:`gate_table`, :func:`one_step_ppc`, :func:`era_slopes`, :func:`era_contrast`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import StoreError
from forecast.panel import columns as C

DIAGNOSTICS_FILE = "diagnostics.zarr"
#: Parameters with a per-alliance or per-cell dimension are left out of the trace file.
_WIDE_DIMS = ("state",)


def load_live(model: str = "full", models_dir: Path | None = None) -> Any:
    """The live, validated artifact of ``model`` (``StoreError`` if there is none)."""
    from forecast.config import get_settings
    from forecast.store import Registry

    return Registry(models_dir or get_settings().models_dir).load(model)


def diagnostics_paths(artifact: Any) -> list[Path]:
    """Where a diagnostics file of ``artifact`` may live (beside the posterior, or in the
    refit job's records)."""
    root = Path(artifact.path).parent.parent
    return [
        Path(artifact.path) / DIAGNOSTICS_FILE,
        root / ".refit" / artifact.model / f"{artifact.version}.{DIAGNOSTICS_FILE}",
    ]


def find_diagnostics(artifact: Any) -> Any | None:
    """The exported diagnostics DataTree of ``artifact``, or None when none was exported."""
    import xarray as xr

    for path in diagnostics_paths(artifact):
        if path.is_dir():
            return xr.open_datatree(path, engine="zarr", consolidated=False).load()
    return None


def export_diagnostics(fit: Any, panel: pd.DataFrame, path: Path, max_draws: int = 200) -> Path:
    """Write the per-chain diagnostics DataTree of ``fit`` to ``path`` (a Zarr folder, atomically).

    Groups: ``posterior`` (low-dimensional parameters, every draw), ``sample_stats``
    and ``log_likelihood`` (pointwise, from the numpy hazard core, on at most
    ``max_draws`` draws per chain). The likelihood is a potential, so there is no
    posterior predictive group (no LOO-PIT).
    """
    import os
    import shutil

    import xarray as xr

    from forecast.model.diagnostics import pointwise_log_lik
    from forecast.model.export import serving_dataset

    if fit.idata is None:
        raise StoreError("this fit kept no trace (idata); nothing to export")
    post = fit.idata["posterior"].to_dataset()
    keep = [v for v in post.data_vars if not set(post[v].dims) & set(_WIDE_DIMS)]
    posterior = post[keep].astype("float32")
    stats = fit.idata["sample_stats"].to_dataset()
    step = max(1, post.sizes["draw"] // max_draws)
    thin = post.isel(draw=slice(None, None, step))
    n_chain, n_draw = thin.sizes["chain"], thin.sizes["draw"]
    served = serving_dataset(thin, fit.spec, fit.design, max_draws=n_chain * n_draw)
    ll = pointwise_log_lik(served, fit.spec, fit.design).reshape(n_chain, n_draw, -1)
    groups = {
        "posterior": posterior,
        "sample_stats": stats,
        "log_likelihood": xr.Dataset(
            {"y": (("chain", "draw", "row"), ll)},
            coords={"chain": thin["chain"].to_numpy(), "draw": thin["draw"].to_numpy()},
        ),
    }
    tree = xr.DataTree.from_dict(groups)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tree.to_zarr(tmp, mode="w", consolidated=False)
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    if path.exists():
        os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
    return path


def gate_table(artifact: Any) -> pd.DataFrame:
    """The fitting gates of ``artifact``: value, threshold and pass/fail per gate."""
    from forecast.model.config import GATES, GatePolicy

    diag = artifact.manifest.get("diagnostics") or {}
    g = GatePolicy.model_validate(artifact.manifest.get("gates") or GATES.model_dump())
    rows = [
        ("max R-hat", diag.get("max_rhat"), f"<= {g.max_rhat}", lambda v: v <= g.max_rhat),
        ("min bulk ESS", diag.get("min_ess_bulk"), f">= {g.min_ess_bulk:.0f}",
         lambda v: v >= g.min_ess_bulk),
        ("min tail ESS", diag.get("min_ess_tail"), f">= {g.min_ess_tail:.0f}",
         lambda v: v >= g.min_ess_tail),
        ("divergences", diag.get("divergences"), f"<= {g.max_divergences}",
         lambda v: v <= g.max_divergences),
        ("min BFMI", diag.get("bfmi_min"), f">= {g.min_bfmi}", lambda v: v >= g.min_bfmi),
    ]  # fmt: skip
    return pd.DataFrame(
        [{"gate": g, "value": v, "threshold": t, "passed": None if v is None else bool(ok(v))}
         for g, v, t, ok in rows]
    )  # fmt: skip


def one_step_ppc(
    artifact: Any, panel: pd.DataFrame, first_year: int = 1816, n_sims: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """One-year-ahead predictive check of yearly ends by cause.

    For each year ``t``, the alliances in force at the end of ``t-1`` get the posterior-mean
    probability of ending in ``t`` by each cause (the forecaster at ``as_of = t-1``, h=1);
    the predicted count's 90% interval comes from simulating those alliances' outcomes.
    Alliances signed and ended within ``t`` are not at risk at the end of ``t-1`` and are
    left out of both columns. Returns ``year, era, cause, observed, expected, lo, hi``.
    """
    from forecast.predict import Forecaster

    rng = np.random.default_rng(seed)
    last = min(int(panel["year"].max()), int(artifact.train_until))
    causes = list(artifact.manifest["spec"]["causes"])
    rows = []
    for year in range(max(first_year, int(panel["year"].min()) + 1), last + 1):
        try:
            probs = Forecaster(artifact, panel, as_of=year - 1).end_probabilities(1)
        except Exception:  # no alliance in force that year
            continue
        if probs.empty:
            continue
        outcome = panel.loc[panel["year"] == year].set_index("atopid")
        p = probs[[f"p_{c}" for c in causes]].to_numpy()
        p_none = np.clip(1 - p.sum(axis=1), 0, 1)
        full = np.column_stack([p_none, p])
        full = full / full.sum(axis=1, keepdims=True)
        draws = np.stack([rng.multinomial(1, row, size=n_sims) for row in full])  # (a, s, K+1)
        sims = draws.sum(axis=0)[:, 1:]  # (s, K)
        observed_cause = outcome.reindex(probs["atopid"])["cause"]
        for k, c in enumerate(causes):
            lo, hi = np.quantile(sims[:, k], (0.05, 0.95))
            rows.append({"year": year, "era": C.era_of(year), "cause": c,
                         "observed": int((observed_cause == c).sum()),
                         "expected": float(p[:, k].sum()), "lo": float(lo),
                         "hi": float(hi)})  # fmt: skip
    return pd.DataFrame(rows)


def era_slopes(artifact: Any) -> Any:
    """Per-era slopes of the era-varying covariates: ``beta + era_slope`` per draw.

    Returns an xarray Dataset (``chain`` = 1, ``draw``, ``era``, ``cause``) with one
    variable per covariate, ready for ``arviz_plots.plot_forest``.
    """
    import xarray as xr

    post = artifact.posterior
    names = [str(x) for x in post["era_slope_x"].to_numpy()]
    out = {}
    for name in names:
        total = post["beta"].sel(x=name, drop=True) + post["era_slope"].sel(
            era_slope_x=name, drop=True
        )
        out[name] = total.transpose("draw", "era", "cause").expand_dims(chain=1)
    return xr.Dataset(out)


def era_contrast(
    artifact: Any, covariate: str = "lsthreat_max", early: str = "1946-1989",
    late: str = "1990-2016",
) -> pd.DataFrame:  # fmt: skip
    """Does ``covariate`` matter less in ``late`` than in ``early``? Per cause: both slopes
    (posterior mean, 90% interval) and P(|slope_late| < |slope_early|)."""
    ds = era_slopes(artifact)
    if covariate not in ds:
        raise StoreError(
            f"{artifact.model}/{artifact.version} has no era-varying slope for {covariate!r}; "
            f"it has {list(ds.data_vars)}"
        )
    da = ds[covariate].isel(chain=0)
    rows = []
    for cause in [str(c) for c in da["cause"].to_numpy()]:
        a = da.sel(era=early, cause=cause).to_numpy()
        b = da.sel(era=late, cause=cause).to_numpy()
        rows.append({
            "cause": cause,
            f"slope {early}": _interval(a),
            f"slope {late}": _interval(b),
            "P(|late| < |early|)": float(np.mean(np.abs(b) < np.abs(a))),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _interval(x: np.ndarray) -> str:
    lo, hi = np.quantile(x, (0.05, 0.95))
    return f"{x.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]"


def _dataset(node: Any) -> Any:
    """A DataTree node or a Dataset, as a Dataset."""
    return node.to_dataset() if hasattr(node, "to_dataset") else node
