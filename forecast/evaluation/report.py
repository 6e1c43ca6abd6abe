"""Rich rendering of backtest scores and the JSON summary of a refit."""

from __future__ import annotations

import math

import pandas as pd

_COLUMNS = (
    ("source", "source", "{}"),
    ("folds", "folds", "{}"),
    ("n", "n", "{}"),
    ("events", "ends", "{}"),
    ("brier", "Brier", "{:.4f}"),
    ("brier_skill", "BSS", "{:+.3f}"),
    ("log_loss", "log loss", "{:.4f}"),
    ("log_loss_vs_logistic", "LL/logit", "{:.3f}"),
    ("roc_auc", "AUC", "{:.3f}"),
    ("cal_slope", "cal slope", "{:.2f}"),
    ("cal_intercept", "cal icpt", "{:+.2f}"),
    ("mean_p", "mean p", "{:.3f}"),
    ("event_rate", "obs rate", "{:.3f}"),
)


def _fmt(fmt: str, value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return fmt.format(value)


def score_tables(scores: pd.DataFrame, title: str = "Backtest") -> list:
    """One rich Table per horizon: the model next to the baselines on the same folds."""
    from rich.table import Table

    tables = []
    for h, grp in scores.groupby("horizon", sort=True):
        table = Table(title=f"{title}: P(end within {h} years), pooled folds")
        for _, label, _ in _COLUMNS:
            table.add_column(label, justify="left" if label == "source" else "right")
        for row in grp.to_dict("records"):
            table.add_row(*(_fmt(fmt, row.get(key)) for key, _, fmt in _COLUMNS))
        tables.append(table)
    return tables


def reliability_table(bins: pd.DataFrame, title: str = "Reliability (model)"):
    """A rich Table of reliability bins (mean forecast vs observed frequency)."""
    from rich.table import Table

    table = Table(title=title)
    for label in ("H", "bin", "p range", "n", "mean p", "observed"):
        table.add_column(label, justify="right")
    for r in bins.to_dict("records"):
        table.add_row(
            str(r["horizon"]), str(int(r["bin"]) + 1), f"{r['p_lo']:.3f}-{r['p_hi']:.3f}",
            str(r["n"]), f"{r['mean_p']:.3f}", f"{r['observed']:.3f}",
        )  # fmt: skip
    return table
