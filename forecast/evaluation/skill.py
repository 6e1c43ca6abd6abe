"""Honest skill: uncertainty over origins, within-origin discrimination, subsets, causes.

Folds share alliances (an H = 10 window from one origin overlaps the next origin's), so
scores are resampled by **origin** (a block bootstrap: every fold of a drawn origin comes
in together). The headline is the model against the *strongest* baseline on the same
rows, with a 90 % interval on the difference; a recent-window climatology (one number
per origin) is among the baselines, so "knowing the era" earns no skill.

* ``within_origin_auc``: AUC computed inside each origin and averaged with weights equal
  to the number of (event, non-event) pairs, so a forecast that is one constant per
  origin scores 0.5.
* ``cause_scores``: Brier score of each cause's cumulative incidence against "ended by
  that cause", next to a recent-window cause climatology.
* ``count_coverage``: per origin, whether the observed number of ends falls in the 90 %
  predictive interval of the count implied by the forecasts (Poisson-binomial, normal
  approximation): the check the intervals can face with binary outcomes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecast.evaluation import scoring

KEYS = ["atopid", "origin", "horizon"]


def joined_rows(predictions: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Long predictions (``source, p_end``) joined to observed outcomes."""
    return predictions.merge(observed, on=KEYS, how="inner")


def _pooled(rows: pd.DataFrame) -> tuple[float, float]:
    """Brier score and log loss of ``rows``."""
    y, p = rows["ended"].to_numpy(float), rows["p_end"].to_numpy(float)
    return scoring.brier(y, p), scoring.log_loss(y, p)


def _sums(rows: pd.DataFrame) -> pd.DataFrame:
    """Per origin and source: n, summed squared error and summed log loss."""
    y, p = rows["ended"].to_numpy(float), np.clip(rows["p_end"].to_numpy(float), 1e-12, 1 - 1e-12)
    parts = rows.assign(_se=(p - y) ** 2, _ll=-(y * np.log(p) + (1 - y) * np.log1p(-p)))
    return parts.groupby(["source", "origin"]).agg(n=("_se", "size"), se=("_se", "sum"),
                                                   ll=("_ll", "sum"))  # fmt: skip


def bootstrap_differences(
    joined: pd.DataFrame,
    model: str = "model",
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.9,
) -> pd.DataFrame:
    """Per horizon and baseline: pooled Brier / log loss of the model minus the baseline,
    with a block-bootstrap interval over origins (negative = the model is better)."""
    rng = np.random.default_rng(seed)
    out = []
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    for h, rows in joined.groupby("horizon"):
        sums = _sums(rows)
        origins = np.sort(rows["origin"].unique())
        counts = np.stack([np.bincount(rng.choice(len(origins), len(origins)),
                                       minlength=len(origins)) for _ in range(n_boot)])  # fmt: skip

        def pooled(source: str, w: np.ndarray, sums=sums, origins=origins):
            t = sums.loc[source].reindex(origins, fill_value=0.0)
            n = w @ t["n"].to_numpy(float)
            return (w @ t["se"].to_numpy()) / n, (w @ t["ll"].to_numpy()) / n

        one = np.ones((1, len(origins)))
        bm, lm = pooled(model, counts)
        (pbm,), (plm,) = pooled(model, one)
        for base in [s for s in sums.index.get_level_values(0).unique() if s != model]:
            bb, lb = pooled(base, counts)
            (pbb,), (plb,) = pooled(base, one)
            out.append({
                "horizon": int(h), "baseline": base,
                "brier_model": pbm, "brier_baseline": pbb, "brier_diff": pbm - pbb,
                "brier_diff_lo": float(np.quantile(bm - bb, lo_q)),
                "brier_diff_hi": float(np.quantile(bm - bb, hi_q)),
                "log_loss_model": plm, "log_loss_baseline": plb, "log_loss_diff": plm - plb,
                "log_loss_diff_lo": float(np.quantile(lm - lb, lo_q)),
                "log_loss_diff_hi": float(np.quantile(lm - lb, hi_q)),
                "origins": len(origins),
            })  # fmt: skip
    return pd.DataFrame(out)


def strongest_baseline(differences: pd.DataFrame) -> pd.DataFrame:
    """Per horizon, the baseline with the lowest pooled Brier score (the one to beat)."""
    idx = differences.groupby("horizon")["brier_baseline"].idxmin()
    return differences.loc[idx].reset_index(drop=True)


def within_origin_auc(joined: pd.DataFrame) -> pd.DataFrame:
    """Pair-weighted mean of per-origin AUCs, per horizon and source."""
    rows = []
    for (h, source), g in joined.groupby(["horizon", "source"]):
        num = den = 0.0
        for _, o in g.groupby("origin"):
            y = o["ended"].to_numpy(int)
            pairs = float(y.sum() * (len(y) - y.sum()))
            auc = scoring.roc_auc(y, o["p_end"].to_numpy(float)) if pairs else None
            if auc is not None:
                num, den = num + auc * pairs, den + pairs
        rows.append({"horizon": int(h), "source": source,
                     "within_origin_auc": num / den if den else None})  # fmt: skip
    return pd.DataFrame(rows)


def cause_scores(
    model_rows: pd.DataFrame, observed: pd.DataFrame, panel: pd.DataFrame, years: int = 10
) -> pd.DataFrame:
    """Brier score of each cause's incidence (model ``p_<cause>``) and of a recent-window
    cause climatology (the cause's yearly rate over the ``years`` before the origin)."""
    j = model_rows.merge(observed, on=KEYS)
    out = []
    for h, g in j.groupby("horizon"):
        for cause in scoring_causes(model_rows):
            y = (g["cause"] == cause).to_numpy(float)
            p = g[f"p_{cause}"].to_numpy(float)
            clim = np.empty(len(g))
            for o, idx in g.groupby("origin").indices.items():
                window = panel[(panel["year"] > o - years) & (panel["year"] <= o)]
                rate = float((window["cause"] == cause).mean()) if len(window) else 0.0
                clim[idx] = 1 - (1 - rate) ** int(h)
            out.append({"horizon": int(h), "cause": cause, "events": int(y.sum()),
                        "brier_model": scoring.brier(y, p),
                        "brier_climatology": scoring.brier(y, clim),
                        "brier_skill": scoring.brier_skill(scoring.brier(y, p),
                                                           scoring.brier(y, clim))})  # fmt: skip
    return pd.DataFrame(out)


def scoring_causes(model_rows: pd.DataFrame) -> list[str]:
    """Causes with a ``p_<cause>`` column."""
    return [c[2:] for c in model_rows.columns if c.startswith("p_") and c not in ("p_end",)
            and not c.startswith("p_end_")]  # fmt: skip


def count_coverage(joined: pd.DataFrame, source: str = "model", level: float = 0.9) -> pd.DataFrame:
    """Per horizon and origin: observed ends against the forecasts' predictive interval."""
    z = norm.ppf(1 - (1 - level) / 2)
    rows = []
    for (h, o), g in joined[joined["source"] == source].groupby(["horizon", "origin"]):
        p = g["p_end"].to_numpy(float)
        mean, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
        lo, hi = max(0.0, mean - z * sd), mean + z * sd
        obs = int(g["ended"].sum())
        rows.append({"horizon": int(h), "origin": int(o), "observed": obs,
                     "expected": mean, "lo": lo, "hi": hi,
                     "covered": bool(lo <= obs <= hi)})  # fmt: skip
    return pd.DataFrame(rows)


def per_origin(joined: pd.DataFrame) -> pd.DataFrame:
    """Brier and log loss per horizon, origin and source."""
    rows = []
    for (h, o, s), g in joined.groupby(["horizon", "origin", "source"]):
        b, ll = _pooled(g)
        rows.append({"horizon": int(h), "origin": int(o), "source": s, "n": len(g),
                     "events": int(g["ended"].sum()), "brier": b, "log_loss": ll})  # fmt: skip
    return pd.DataFrame(rows)


def report(
    model_rows: pd.DataFrame,
    baselines: pd.DataFrame,
    observed: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    pre: int = 2000,
    n_boot: int = 2000,
) -> dict[str, pd.DataFrame]:
    """Every honest-evaluation table of a rolling backtest (see the module docstring).

    ``model_rows``: contract rows (may be empty: baselines only); ``baselines``: long
    baseline rows; ``observed``: outcomes of the observable folds. The ``*_pre`` tables
    use origins before ``pre`` only (the late folds score ATOP's quiet recent years).
    """
    from forecast.evaluation.backtest import long_predictions

    joined = joined_rows(long_predictions(model_rows, baselines), observed)
    early = joined[joined["origin"] < pre]
    out = {
        "per_origin": per_origin(joined),
        "auc_within_origin": within_origin_auc(joined),
        "auc_within_origin_pre": within_origin_auc(early),
    }
    if not model_rows.empty:
        out["differences"] = bootstrap_differences(joined, n_boot=n_boot)
        out["differences_pre"] = bootstrap_differences(early, n_boot=n_boot)
        out["causes"] = cause_scores(model_rows, observed, panel)
        out["coverage"] = count_coverage(joined)
    return out
