"""Rolling-origin folds: who is at risk at the end of an origin year, and what happened next.

A fold ``(origin T, horizon H)`` trains on what was known at the end of ``T`` (panel rows
with ``year <= T``; every covariate at year ``t`` is already lagged to ``t-1``) and predicts,
for every alliance in force at the end of ``T`` (a row in ``T`` that is not an end), the
probability that it ends in ``T+1..T+H``. The outcome is observed only if ``T+H`` is at most
the last year of the data (the data edge); later folds can be predicted but not scored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from forecast.errors import InputError
from forecast.panel.columns import CAUSE_NONE


@dataclass(frozen=True, slots=True, order=True)
class Fold:
    """One backtest fold: train through ``origin``, predict ends in ``origin+1..origin+horizon``."""

    origin: int
    horizon: int

    def observable_by(self, last_year: int) -> bool:
        """Whether the outcome window lies inside data that end in ``last_year``."""
        return self.origin + self.horizon <= last_year


def make_folds(
    origins: Iterable[int],
    horizons: Iterable[int],
    *,
    observable_only: bool = False,
    last_year: int | None = None,
) -> list[Fold]:
    """All ``(origin, horizon)`` pairs, sorted; optionally only those whose outcome is observed."""
    folds = sorted({Fold(int(t), int(h)) for t in origins for h in horizons})
    for f in folds:
        if f.horizon < 1:
            raise InputError(f"horizon must be >= 1 year, got {f.horizon}")
    if observable_only:
        if last_year is None:
            raise InputError("observable_only needs last_year (the panel's last year)")
        folds = [f for f in folds if f.observable_by(last_year)]
    return folds


def parse_int_list(text: str, *, name: str) -> list[int]:
    """Parse ``"1950,1955"``, a range ``"1950:2010:5"`` (start:stop:step, stop inclusive)
    or both, comma-separated (``"1950:2015:5,2018"``); sorted, without repeats."""
    out: set[int] = set()
    try:
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            if ":" not in part:
                out.add(int(part))
                continue
            bounds = [int(p) for p in part.split(":")]
            if len(bounds) not in (2, 3):
                raise ValueError
            step = bounds[2] if len(bounds) == 3 else 1
            if step <= 0:
                raise ValueError
            out.update(range(bounds[0], bounds[1] + 1, step))
    except ValueError:
        raise InputError(
            f"--{name} must be a comma-separated list of years or ranges start:stop:step, "
            f"like 1950,1955 or 1950:2015:5,2018; got {text!r}"
        ) from None
    return sorted(out)


def known_at(panel: pd.DataFrame, origin: int) -> pd.DataFrame:
    """The panel as known at the end of ``origin``: rows of years up to and including it."""
    try:  # the panel stage owns the definition when it provides one
        from forecast.panel.window import truncate
    except ImportError:  # pragma: no cover - only before the panel stage landed
        return panel.loc[panel["year"] <= origin].copy()
    return truncate(panel, origin)


def at_risk(panel: pd.DataFrame, origin: int) -> pd.DataFrame:
    """Rows of year ``origin`` for alliances in force at its end (signed by then, not ended)."""
    rows = panel.loc[(panel["year"] == origin) & (panel["event"] == 0)]
    return rows.sort_values("atopid").reset_index(drop=True)


def label_outcomes(panel: pd.DataFrame, fold: Fold) -> pd.DataFrame:
    """Observed outcome per alliance at risk at the end of ``fold.origin``.

    Returns ``atopid, ended`` (1 if the alliance ended in ``origin+1..origin+horizon``),
    ``end_year`` and ``cause`` (``none`` if it did not end). Raises if the window runs past
    the data, because an alliance that has not ended by the edge is censored there, not a survivor.
    """
    last = int(panel["year"].max())
    if not fold.observable_by(last):
        raise InputError(
            f"fold origin {fold.origin} + horizon {fold.horizon} ends after {last}: "
            f"its outcome is not observed; choose origin + horizon <= {last}"
        )
    ids = at_risk(panel, fold.origin)["atopid"]
    window = panel.loc[
        (panel["year"] > fold.origin)
        & (panel["year"] <= fold.origin + fold.horizon)
        & (panel["event"] == 1)
        & panel["atopid"].isin(ids),
        ["atopid", "year", "cause"],
    ]
    ends = window.groupby("atopid").agg(end_year=("year", "min"), cause=("cause", "first"))
    out = pd.DataFrame({"atopid": ids.to_numpy()}).merge(
        ends, left_on="atopid", right_index=True, how="left"
    )
    out["ended"] = out["end_year"].notna().astype(int)
    out["cause"] = out["cause"].astype(object).where(out["ended"] == 1, CAUSE_NONE)
    out["end_year"] = out["end_year"].astype("Int64")
    return out[["atopid", "ended", "end_year", "cause"]]
