"""Power covariates from COW NMC capabilities and the major-power list (all at t−1).

* ``alliance_cinc_share``: Σ members' CINC / Σ all states' CINC.
* ``leader_cinc_share``: max_i s_i with s_i = cinc_i / Σ_members cinc.
* ``cap_shift``: max_i |s_i(t−1) − s_i(begyr−1)|, shares of the same roster (members on
  1 Jan t) at t−1 and in the year before signature (domain.md §4, Leeds–Savun).
* ``cap_asym``: log(max cinc / Σ other members' cinc) (log: the raw ratio spans 0.15–6e5).
* ``sys_con``: Ray–Singer concentration over the major powers,
  √((Σ s² − 1/N) / (1 − 1/N)) with s the majors' shares of the majors' total.
* ``major_member``: 1 if any member is a COW major power in t−1.

CINC ends in 2022 (NMC v7.0): these covariates are NaN where t−1 is later. The leader
(``ccode_leader``, hence ``region``) and data-coverage weights use :func:`cinc_weights`,
the latest CINC at or before t−1, so they do not jump at the data edge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.context import Context


def system_concentration(nmc: pd.DataFrame, major_years: pd.DataFrame) -> pd.Series:
    """Ray–Singer concentration over major powers per year (index year)."""
    m = major_years.merge(nmc[["ccode", "year", "cinc"]], on=["ccode", "year"], how="left")
    m = m.dropna(subset=["cinc"])

    def con(g: pd.DataFrame) -> float:
        n = len(g)
        if n < 2:
            return np.nan
        s = g["cinc"] / g["cinc"].sum()
        return float(np.sqrt(max((np.square(s).sum() - 1 / n) / (1 - 1 / n), 0.0)))

    return m.groupby("year")[["cinc"]].apply(con).rename("sys_con")


def cinc_weights(nmc: pd.DataFrame, end_year: int) -> pd.Series:
    """CINC per ``(ccode, year)`` to ``end_year``, carried forward from each state's latest
    NMC year (weights for picking the leader and weighing coverage; not a covariate)."""
    wide = nmc.pivot(index="year", columns="ccode", values="cinc")
    wide = wide.reindex(range(int(wide.index.min()), end_year + 1)).ffill()
    out = wide.stack().rename("cinc").swaplevel().sort_index()
    out.index.names = ["ccode", "year"]
    return out


def power_columns(ctx: Context) -> pd.DataFrame:
    """Power columns aligned with ``ctx.frame``."""
    frame, roster, nmc = ctx.frame, ctx.roster.roster, ctx.sources.nmc
    sy = ctx.state_year
    major_years = sy.loc[sy["major"] == 1, ["ccode", "year"]]
    cinc = nmc.set_index(["ccode", "year"])["cinc"]
    total = nmc.groupby("year")["cinc"].sum()
    r = roster.merge(frame[["atopid", "year", "begyr"]], on=["atopid", "year"])
    r["c_lag"] = cinc.reindex(pd.MultiIndex.from_arrays([r["ccode"], r["year"] - 1])).to_numpy()
    r["c_form"] = cinc.reindex(pd.MultiIndex.from_arrays([r["ccode"], r["begyr"] - 1])).to_numpy()
    majors = set(zip(major_years["ccode"], major_years["year"], strict=True))
    r["major"] = [(c, y - 1) in majors for c, y in zip(r["ccode"], r["year"], strict=True)]
    g = r.groupby(["atopid", "year"])
    sum_lag = g["c_lag"].transform("sum", min_count=1)
    sum_form = g["c_form"].transform("sum", min_count=1)
    r["s_lag"] = r["c_lag"] / sum_lag
    r["s_form"] = r["c_form"] / sum_form
    r["shift"] = (r["s_lag"] - r["s_form"]).abs()
    agg = g.agg(
        csum=("c_lag", lambda s: s.sum(min_count=1)),
        cmax=("c_lag", "max"),
        smax=("s_lag", "max"),
        shift=("shift", "max"),
        major=("major", "max"),
        n_obs=("c_lag", "count"),
    )
    agg["cap_asym"] = np.log(agg["cmax"] / (agg["csum"] - agg["cmax"]))
    agg.loc[agg["n_obs"] < 2, "cap_asym"] = np.nan
    agg["cap_asym"] = agg["cap_asym"].replace([np.inf, -np.inf], np.nan)
    key = pd.MultiIndex.from_frame(frame[["atopid", "year"]])
    a = agg.reindex(key)
    out = pd.DataFrame(index=frame.index)
    out["alliance_cinc_share"] = (a["csum"] / (frame["year"] - 1).map(total).to_numpy()).to_numpy()
    out["leader_cinc_share"] = a["smax"].to_numpy()
    out["cap_shift"] = a["shift"].to_numpy()
    out["cap_asym"] = a["cap_asym"].to_numpy()
    out["sys_con"] = (frame["year"] - 1).map(system_concentration(nmc, major_years)).to_numpy()
    out["major_member"] = a["major"].astype(float).to_numpy()
    return out


def strongest_member(roster: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """ccode of the member with the highest CINC at t−1 (``weights``: latest CINC at or
    before t−1; ties/missing: lowest ccode first). Members without a value rank last."""
    cinc = weights
    r = roster.copy()
    r["c"] = cinc.reindex(pd.MultiIndex.from_arrays([r["ccode"], r["year"] - 1])).to_numpy()
    r["c"] = r["c"].fillna(-1.0)
    r = r.sort_values(["atopid", "year", "c", "ccode"], ascending=[True, True, False, True])
    return r.drop_duplicates(["atopid", "year"]).set_index(["atopid", "year"])["ccode"]
