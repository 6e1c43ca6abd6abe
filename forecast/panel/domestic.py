"""Domestic-politics covariates of the members (Polity, V-Dem, CHISOLS, Archigos), at t−1.

* ``regime_change``: 1 if any member had |polity2(t−1) − polity2(t−2)| ≥ 3, a Polity
  ``regtrans`` code ≠ 0 in t−1, or |Δ polyarchy| ≥ 0.1 between t−2 and t−1.
* ``sols_change_any``: any member with a CHISOLS change in source of leader support
  (``solschdum``) in t−1; ``sols_change_nondem``: the same for non-democratic members
  (CHISOLS ``dem`` = 0), the Leeds–Mattes–Vogel interaction. NaN outside 1919–2018.
* ``irregular_turnover``: any member whose leader entered irregularly or by foreign
  imposition (Archigos) in t−1; NaN when Archigos covers no member in t−1 (and outside
  1840–2015).
* ``min_polity2``: lowest member polity2 at t−1; ``min_polyarchy``: lowest V-Dem index.
* ``dem_share``: share of members that are democracies at t−1 (polity2 > 5; where
  polity2 is missing, polyarchy > 0.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.context import Context
from forecast.panel.lagged import align, any_flag, at_lag, outside_years

CHISOLS_YEARS = (1919, 2018)
ARCHIGOS_YEARS = (1840, 2015)


def member_domestic(roster: pd.DataFrame, sy: pd.DataFrame) -> pd.DataFrame:
    """Per roster row (member on 1 Jan t): domestic indicators read at t−1."""
    r = roster.copy()
    p1, p2 = at_lag(r, sy, "polity2", 1), at_lag(r, sy, "polity2", 2)
    v1, v2 = at_lag(r, sy, "polyarchy", 1), at_lag(r, sy, "polyarchy", 2)
    rt = at_lag(r, sy, "regtrans", 1)
    change = (np.abs(p1 - p2) >= 3) | (~np.isnan(rt) & (rt != 0)) | (np.abs(v1 - v2) >= 0.1)
    known = ~np.isnan(p1 - p2) | ~np.isnan(v1 - v2)
    r["regime_change"] = np.where(known, change.astype(float), np.nan)
    r["polity2"] = p1
    r["polyarchy"] = v1
    sols = at_lag(r, sy, "solschdum", 1)
    dem = at_lag(r, sy, "chisols_dem", 1)
    r["sols_change"] = sols
    r["sols_change_nondem"] = np.where(np.isnan(sols), np.nan, (sols == 1) & (dem == 0))
    r["irregular_entry"] = at_lag(r, sy, "irregular_entry", 1)
    democ = np.where(np.isnan(p1), np.where(np.isnan(v1), np.nan, v1 > 0.5), p1 > 5)
    r["democracy"] = democ.astype(float)
    return r


def domestic_columns(ctx: Context) -> pd.DataFrame:
    """Domestic columns aligned with ``ctx.frame``."""
    frame = ctx.frame
    r = member_domestic(ctx.roster.roster, ctx.state_year)
    keys = [r["atopid"], r["year"]]
    out = pd.DataFrame(index=frame.index)
    out["regime_change"] = align(any_flag(r["regime_change"], keys), frame)
    out["sols_change_any"] = align(any_flag(r["sols_change"], keys), frame)
    out["sols_change_nondem"] = align(any_flag(r["sols_change_nondem"], keys), frame)
    for col in ("sols_change_any", "sols_change_nondem"):
        out.loc[outside_years(frame, *CHISOLS_YEARS), col] = np.nan
    irr = any_flag(r["irregular_entry"], keys)
    out["irregular_turnover"] = align(irr, frame)
    out.loc[outside_years(frame, *ARCHIGOS_YEARS), "irregular_turnover"] = np.nan
    g = r.groupby(keys)
    out["min_polity2"] = align(g["polity2"].min(), frame)
    out["dem_share"] = align(g["democracy"].mean(), frame)
    out["min_polyarchy"] = align(g["polyarchy"].min(), frame)
    return out
