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
    """One-year-ahead predictive check of yearly ends by cause, on the training rows.

    Every alliance-year the fit was trained on (its covariates as the fit encoded them) gets
    the posterior-mean probability of ending that year by each cause, from the numpy hazard
    core in one pass; a year's expected count is their sum, and its 90% interval comes from
    simulating those alliances' outcomes. Returns ``year, era, cause, observed, expected,
    lo, hi``.
    """
    from forecast.model import hazard
    from forecast.model.design import build_design, prepare
    from forecast.model.spec import ModelSpec

    spec = ModelSpec.from_dict(artifact.manifest["spec"])
    train, scaling = prepare(panel, spec, int(artifact.train_until))
    design = build_design(train, spec, scaling)
    eff = hazard.Effects.from_posterior(artifact.posterior, spec.pooling)
    if eff.state.shape[-1] != len(design.states):
        raise StoreError(
            f"{artifact.model}/{artifact.version}: the panel's member states do not match the "
            "fit's; run the check on the panel the model was trained on"
        )
    rows = hazard.Rows(
        X=design.X, era=design.era, levels=design.levels, age_bin=design.age_bin,
        shock=design.shock, members=design.members,
    )  # fmt: skip
    p = sum(hazard.hazards(hazard.eta(part, rows)).sum(axis=0) for part in eff.chunks())
    p = p / eff.n_draws  # posterior-mean yearly hazards (n, K)
    rng = np.random.default_rng(seed)
    causes = list(spec.causes)
    rows_out = []
    for year in np.unique(design.years[design.years >= first_year]):
        at = design.years == year
        cum = np.cumsum(p[at], axis=1)  # (a, K): a uniform below cum[k] ends by cause <= k
        u = rng.random((n_sims, int(at.sum()), 1))
        cause_ix = (u >= cum[None]).sum(axis=2)  # K = no end
        observed = design.y[at]
        for k, c in enumerate(causes):
            sims = (cause_ix == k).sum(axis=1)
            lo, hi = np.quantile(sims, (0.05, 0.95))
            rows_out.append({"year": int(year), "era": C.era_of(int(year)), "cause": c,
                             "observed": int((observed == k + 1).sum()),
                             "expected": float(p[at, k].sum()), "lo": float(lo),
                             "hi": float(hi)})  # fmt: skip
    return pd.DataFrame(rows_out)


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
