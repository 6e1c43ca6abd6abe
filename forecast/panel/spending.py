"""Spending and burden-sharing covariates, read at t−1 from the state-year table.

Spending (``milex``, US$ m current: SIPRI, NMC before 1949 or where SIPRI has no value):

* ``leader_milex_share``: the largest member's share of the members' spending;
  ``leader_milex_share_d5``: that share at t−1 minus the same roster's at t−6;
* ``log_milex_total``: log(1 + members' total spending in US$ thousands).

Burden sharing in **% of GDP** (``milex_gdp``: SIPRI's share of GDP, else SIPRI current
US$ over WDI current US$ GDP; never market-rate spending over PPP GDP), from t−1 = 1992
(``registry.GDP_SHARE_FROM``: earlier, missing Warsaw Pact data would predict the 1989–91
ends):

* ``share_at_2pct``: share of members (with data) at or above 2 % of GDP;
* ``alliance_milex_gdp``: members' total spending / total GDP (GDP-weighted mean %);
  ``alliance_milex_gdp_d3``: its change since t−4, same roster;
* ``leader_milex_gdp``: the leader's (strongest member's) % of GDP;
  ``others_milex_gdp``: the other members' GDP-weighted mean %;
  ``leader_burden_gap``: leader minus others, in points of GDP;
* ``junior_milex_gdp``: bilateral pacts only, the weaker partner's % of GDP.

Deprecated (review §7, kept for models fitted on them): ``frac_free_riders`` (share of
members whose spending share is below their GDP share; 0.5 in every bilateral pact) and
``cv_burden``, now on nominal GDP instead of PPP GDP.

An aggregate is NaN unless the members with data hold ≥ 90 % of the alliance's CINC
(weights: latest CINC at or before t−1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.context import Context
from forecast.panel.lagged import MIN_CINC_COVERAGE, align, at_lag
from forecast.panel.registry import GDP_SHARE_FROM

TWO_PERCENT = 2.0


def _members_at(ctx: Context, lag: int) -> pd.DataFrame:
    """Roster rows with weights and spending values at t−lag."""
    r = ctx.roster.roster.copy()
    sy = ctx.state_year
    w = ctx.weights.reindex(pd.MultiIndex.from_arrays([r["ccode"], r["year"] - lag]))
    r["w"] = w.fillna(0.0).to_numpy()
    for col in ("milex", "milex_gdp", "gdp_current"):
        r[col] = at_lag(r, sy, col, lag)
    early = (r["year"] - lag) < GDP_SHARE_FROM
    r.loc[early, ["milex_gdp", "gdp_current"]] = np.nan
    return r


def _covered(r: pd.DataFrame, has: pd.Series) -> pd.Series:
    """Per (atopid, year): do members with data hold ≥ 90 % of the alliance's weight?"""
    keys = [r["atopid"], r["year"]]
    total = r["w"].groupby(keys).sum()
    known = r["w"].where(has, 0.0).groupby(keys).sum()
    return (known >= MIN_CINC_COVERAGE * total) & (total > 0) & has.groupby(keys).any()


def _gdp_weighted(r: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """Σ milex_gdp·gdp / Σ gdp over the rows in ``mask``, per (atopid, year)."""
    ok = mask & r["milex_gdp"].notna() & r["gdp_current"].notna()
    num = (r["milex_gdp"] * r["gdp_current"]).where(ok)
    den = r["gdp_current"].where(ok)
    keys = [r["atopid"], r["year"]]
    return num.groupby(keys).sum(min_count=1) / den.groupby(keys).sum(min_count=1)


def spending_columns(ctx: Context) -> pd.DataFrame:
    """Spending columns aligned with ``ctx.frame``."""
    frame = ctx.frame
    r = _members_at(ctx, 1)
    r6 = _members_at(ctx, 6)
    r4 = _members_at(ctx, 4)
    keys = [r["atopid"], r["year"]]
    out = pd.DataFrame(index=frame.index)

    def leader_share(x: pd.DataFrame) -> pd.Series:
        k = [x["atopid"], x["year"]]
        share = x["milex"] / x["milex"].groupby(k).transform("sum", min_count=1)
        return share.groupby(k).max().where(_covered(x, x["milex"].notna()))

    lead = leader_share(r)
    out["leader_milex_share"] = align(lead, frame)
    out["leader_milex_share_d5"] = align(lead - leader_share(r6), frame)
    total = r["milex"].groupby(keys).sum(min_count=1).where(_covered(r, r["milex"].notna()))
    out["log_milex_total"] = np.log1p(align(total * 1000.0, frame).astype(float))

    has_pct = r["milex_gdp"].notna()
    ok = _covered(r, has_pct)
    at2 = (r["milex_gdp"] >= TWO_PERCENT).astype(float).where(has_pct)
    out["share_at_2pct"] = align(at2.groupby(keys).mean().where(ok), frame)
    everyone = pd.Series(True, index=r.index)
    agg = _gdp_weighted(r, everyone).where(ok)
    agg4 = _gdp_weighted(r4, everyone).where(_covered(r4, r4["milex_gdp"].notna()))
    out["alliance_milex_gdp"] = align(agg, frame)
    out["alliance_milex_gdp_d3"] = align(agg - agg4, frame)

    leader = r.merge(frame[["atopid", "year", "ccode_leader"]], on=["atopid", "year"], how="left")
    is_leader = pd.Series((leader["ccode"] == leader["ccode_leader"]).to_numpy(), index=r.index)
    lead_pct = r["milex_gdp"].where(is_leader).groupby(keys).max()
    others = _gdp_weighted(r, ~is_leader).where(ok)
    out["leader_milex_gdp"] = align(lead_pct, frame)
    out["others_milex_gdp"] = align(others, frame)
    out["leader_burden_gap"] = out["leader_milex_gdp"] - out["others_milex_gdp"]
    junior = r["milex_gdp"].where(~is_leader).groupby(keys).max()
    bilateral = (frame["n_members"] == 2).to_numpy()
    out["junior_milex_gdp"] = np.where(bilateral, align(junior, frame), np.nan)

    # deprecated: burden ratios on nominal GDP
    both = r["milex"].notna() & r["gdp_current"].notna()
    ms = r["milex"].where(both) / r["milex"].where(both).groupby(keys).transform("sum")
    gs = r["gdp_current"].where(both) / r["gdp_current"].where(both).groupby(keys).transform("sum")
    br = (ms / gs).replace([np.inf, -np.inf], np.nan)
    br_ok = _covered(r, both) & (both.groupby(keys).sum() >= 2)
    free = (br < 1).astype(float).where(br.notna()).groupby(keys).mean()
    cv = br.groupby(keys).std(ddof=0) / br.groupby(keys).mean()
    out["frac_free_riders"] = align(free.where(br_ok), frame)
    out["cv_burden"] = align(cv.where(br_ok), frame)
    return out.astype(float)
