"""Spending and burden-sharing covariates (NMC ``milex``, Maddison GDP), read at t−1.

Within-year shares make the currency units cancel (domain.md §4):
``milex_share_i = milex_i / Σ milex``, ``gdp_share_i = gdp_i / Σ gdp`` over the members
on 1 Jan t, burden ratio ``BR_i = milex_share_i / gdp_share_i`` (Olson–Zeckhauser).

* ``leader_milex_share``: max_i milex_share_i at t−1.
* ``leader_milex_share_d5``: that value at t−1 minus the same roster's value at t−6.
* ``frac_free_riders``: share of members with BR < 1; ``cv_burden``: sd/mean of BR.
* ``log_milex_total``: log(1 + Σ milex) in thousands of current US$ (NMC).

An aggregate is NaN unless the members with data hold ≥ 90 % of the alliance's CINC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.lagged import MIN_CINC_COVERAGE, align, at_lag
from forecast.panel.sources_bundle import RawBundle


def _shares(r: pd.DataFrame, value: str) -> pd.DataFrame:
    g = r.groupby(["atopid", "year"])
    total = g[value].transform("sum", min_count=1)
    cinc_all = g["cinc"].transform("sum", min_count=1)
    cinc_cov = (
        r["cinc"]
        .where(r[value].notna())
        .groupby([r["atopid"], r["year"]])
        .transform("sum", min_count=1)
    )
    ok = (cinc_cov / cinc_all) >= MIN_CINC_COVERAGE
    return pd.DataFrame({"share": (r[value] / total).where(ok), "ok": ok, "total": total})


def spending_columns(frame: pd.DataFrame, roster: pd.DataFrame, raw: RawBundle) -> pd.DataFrame:
    """Spending columns aligned with ``frame``."""
    sy = raw.extra["state_year"]
    r = roster.copy()
    r["cinc"] = at_lag(r, sy, "cinc", 1)
    r["milex"] = at_lag(r, sy, "milex", 1)
    r["gdp"] = at_lag(r, sy, "gdp", 1)
    ms = _shares(r, "milex")
    r["milex_share"] = ms["share"]
    gs = _shares(r, "gdp")
    r["br"] = (r["milex_share"] / gs["share"]).replace([np.inf, -np.inf], np.nan)

    r6 = roster.copy()
    r6["cinc"] = at_lag(r6, sy, "cinc", 6)
    r6["milex"] = at_lag(r6, sy, "milex", 6)
    r6["milex_share"] = _shares(r6, "milex")["share"]

    keys = [r["atopid"], r["year"]]
    leader = r.groupby(keys)["milex_share"].max()
    leader6 = r6.groupby([r6["atopid"], r6["year"]])["milex_share"].max()
    br_known = r.groupby(keys)["br"].count()
    free = (r["br"] < 1).astype(float).where(r["br"].notna()).groupby(keys).mean()
    cv = r.groupby(keys)["br"].std(ddof=0) / r.groupby(keys)["br"].mean()
    br_ok = (ms["ok"] & gs["ok"]).groupby(keys).all() & (br_known >= 2)
    total = r["milex"].where(ms["ok"]).groupby(keys).sum(min_count=1)
    out = pd.DataFrame(index=frame.index)
    out["leader_milex_share"] = align(leader, frame)
    out["leader_milex_share_d5"] = align(leader - leader6, frame)
    out["frac_free_riders"] = align(free.where(br_ok), frame)
    out["cv_burden"] = align(cv.where(br_ok), frame)
    out["log_milex_total"] = np.log1p(align(total, frame).astype(float))
    return out
