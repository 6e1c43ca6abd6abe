"""Convergence diagnostics, PSIS-LOO and the fitting gates (ArviZ 1.x, arviz_stats).

ArviZ 1.x functions are given the posterior *Dataset* / the ``energy`` variable rather
than the whole DataTree (some reject it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from forecast.model.config import GATES, GatePolicy
from forecast.model.manifest import VarianceComponent
from forecast.model.spec import ModelSpec


def _extreme(ds: xr.Dataset, fn) -> float:
    """min or max over every variable and element of ``ds`` (NaN ignored)."""
    return _extreme_at(ds, fn)[0]


def _extreme_at(ds: xr.Dataset, fn) -> tuple[float, str | None]:
    """(value, variable) of the min or max over every element of ``ds`` (NaN ignored)."""
    vals = {k: float(fn(v.to_numpy())) for k, v in ds.data_vars.items() if v.size}
    vals = {k: v for k, v in vals.items() if np.isfinite(v)}
    if not vals:
        return float("nan"), None
    best = fn(list(vals.values()))
    return float(best), next(k for k, v in vals.items() if v == best)


def sampling_diagnostics(idata: xr.DataTree, gates: GatePolicy = GATES) -> dict:
    """max R-hat, min bulk/tail ESS, divergences, min BFMI and whether all gates pass."""
    import arviz_stats as azs

    post = idata["posterior"].to_dataset()
    stats = idata["sample_stats"].to_dataset()
    rhat, rhat_var = _extreme_at(azs.rhat(post), np.nanmax)
    bulk, bulk_var = _extreme_at(azs.ess(post, method="bulk"), np.nanmin)
    out = {
        "max_rhat": rhat,
        "max_rhat_var": rhat_var,
        "min_ess_bulk": bulk,
        "min_ess_bulk_var": bulk_var,
        "min_ess_tail": _extreme(azs.ess(post, method="tail"), np.nanmin),
        "divergences": int(stats["diverging"].sum()),
        "bfmi_min": float(np.min(azs.bfmi(stats["energy"]).to_numpy())),
    }
    out.update(gate_report(out, gates))
    return out


def gate_report(diag: dict, gates: GatePolicy = GATES) -> dict:
    """``passed`` and the list of ``failed_gates`` (human-readable) of ``diag``."""
    failed = []
    if not diag["max_rhat"] <= gates.max_rhat:
        failed.append(f"max R-hat {diag['max_rhat']:.4f} > {gates.max_rhat}")
    for key, label, limit in (
        ("min_ess_bulk", "bulk ESS", gates.min_ess_bulk),
        ("min_ess_tail", "tail ESS", gates.min_ess_tail),
    ):
        if not diag[key] >= limit:
            failed.append(f"min {label} {diag[key]:.0f} < {limit:.0f}")
    if diag["divergences"] > gates.max_divergences:
        failed.append(f"{diag['divergences']} divergent transitions")
    if not diag["bfmi_min"] >= gates.min_bfmi:
        failed.append(f"BFMI {diag['bfmi_min']:.3f} < {gates.min_bfmi}")
    return {"passed": not failed, "failed_gates": failed}


#: HalfNormal prior scale of each estimated sd (name -> attribute of ``spec.priors``)
_SD_PRIORS = {
    "obligation_type_sd": "group_sd_scale",
    "region_sd": "group_sd_scale",
    "cell_sd": "cell_sd_scale",
    "state_sd": "state_sd_scale",
}


def variance_components(idata: xr.DataTree, spec: ModelSpec) -> list[VarianceComponent]:
    """Posterior of every estimated sd against its HalfNormal prior.

    The prior-sensitivity note compares the posterior sd with the prior sd
    (``contraction`` = 1 - ratio): near 0 the data barely inform the component and its
    posterior restates the prior, so a different prior scale would move it.
    """
    post = idata["posterior"]
    out = []
    for name, attr in _SD_PRIORS.items():
        if name not in post:
            continue
        x = post[name].to_numpy().ravel()
        scale = float(getattr(spec.priors, attr))
        prior_mean, prior_sd = scale * np.sqrt(2 / np.pi), scale * np.sqrt(1 - 2 / np.pi)
        contraction = float(1 - x.std() / prior_sd)
        if contraction >= 0.5:
            note = "data-dominated: the posterior is much narrower than the prior"
        elif contraction >= 0.2:
            note = "partly informed by the data: a different prior scale would shift it"
        else:
            note = "prior-sensitive: the data barely inform this sd; read it as the prior"
        if x.mean() < 0.5 * prior_mean and contraction >= 0.2:
            note += "; the data pull it toward 0 (little variation at this level)"
        out.append(
            VarianceComponent(
                name=name,
                mean=float(x.mean()),
                sd=float(x.std()),
                q05=float(np.quantile(x, 0.05)),
                q95=float(np.quantile(x, 0.95)),
                prior=f"HalfNormal({scale:g})",
                prior_mean=float(prior_mean),
                prior_sd=float(prior_sd),
                contraction=round(contraction, 3),
                note=note,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class LooResult:
    """PSIS-LOO summary (manifest) plus the pointwise elpd (kept beside the artifact)."""

    summary: dict
    elpd_i: np.ndarray
    pareto_k: np.ndarray


def pointwise_log_lik(posterior: xr.Dataset, spec: ModelSpec, design) -> np.ndarray:
    """Pointwise log-likelihood (draws, rows) of the training rows from the serving
    posterior, through the numpy hazard core (the model's own formula)."""
    from forecast.model import hazard

    eff = hazard.Effects.from_posterior(posterior, spec.pooling)
    rows = hazard.Rows(
        X=design.X, era=design.era, levels=design.levels, age_bin=design.age_bin,
        shock=design.shock, members=design.members,
    )  # fmt: skip
    out = np.empty((eff.n_draws, design.n), dtype=np.float32)
    done = 0
    for part in eff.chunks():
        out[done : done + part.n_draws] = hazard.log_lik(hazard.eta(part, rows), design.y)
        done += part.n_draws
    return out


def psis_loo(posterior: xr.Dataset, spec: ModelSpec, design) -> LooResult:
    """PSIS-LOO of the training rows on the serving posterior's draws (pointwise
    log-likelihood from the numpy core; computed here, then dropped)."""
    import arviz_stats as azs

    ll = pointwise_log_lik(posterior, spec, design)
    tree = xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"intercept": (("chain", "draw"), np.zeros((1, len(ll))))}),
            "log_likelihood": xr.Dataset({"y": (("chain", "draw", "row"), ll[None])}),
        }
    )
    with warnings.catch_warnings():  # high Pareto k is reported in the summary instead
        warnings.simplefilter("ignore", UserWarning)
        res = azs.loo(tree, pointwise=True, var_name="y")
    k = np.asarray(res.pareto_k).ravel()
    threshold = float(res.good_k)
    summary = {
        "elpd": float(res.elpd),
        "se": float(res.se),
        "p_loo": float(res.p),
        "n_data_points": int(res.n_data_points),
        "n_samples": int(res.n_samples),
        "pareto_k": {
            "good_k": threshold,
            "max": float(np.max(k)),
            "n_good": int((k <= threshold).sum()),
            "n_bad": int(((k > threshold) & (k <= 1)).sum()),
            "n_very_bad": int((k > 1).sum()),
        },
        "warning": bool(res.warning),
    }
    return LooResult(summary, np.asarray(res.elpd_i).ravel(), k)
