"""Helpers that read state-year values for alliance members at a lag (t−k)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Share of the alliance's CINC that members with data must hold for a share-based
#: aggregate (spending, burden) to be computed; below it the value stays NaN.
MIN_CINC_COVERAGE = 0.9


def at_lag(roster: pd.DataFrame, table: pd.DataFrame, col: str, lag: int = 1) -> np.ndarray:
    """Value of ``table[col]`` for each roster row's ``ccode`` in year ``year - lag``."""
    s = table.set_index(["ccode", "year"])[col]
    key = pd.MultiIndex.from_arrays([roster["ccode"], roster["year"] - lag])
    return s.reindex(key).to_numpy()


def align(agg: pd.DataFrame | pd.Series, frame: pd.DataFrame) -> pd.DataFrame | pd.Series:
    """Reindex an ``(atopid, year)``-indexed aggregate to the rows of ``frame``."""
    out = agg.reindex(pd.MultiIndex.from_frame(frame[["atopid", "year"]]))
    out.index = frame.index
    return out


def any_flag(values: pd.Series, keys: list[pd.Series]) -> pd.Series:
    """1.0 if any non-missing value is > 0 in the group, 0.0 if all are 0, NaN if none known."""
    g = (values > 0).astype(float).where(values.notna()).groupby(keys)
    return g.max()


def outside_years(frame: pd.DataFrame, first: int, last: int) -> pd.Series:
    """True where t−1 lies outside a source's coverage [first, last]."""
    lag = frame["year"] - 1
    return (lag < first) | (lag > last)
