"""Member-year panel of multilateral alliances (for the member-exit model).

One row per ``(atopid, ccode, year)`` for members in force on 1 January of t in
alliances that ever have three or more members at once. ``exit`` is 1 in the year the
member truly leaves (not a phase transition) while the alliance continues; ``exit_cause``
maps the member's ``termmode`` like the alliance-level cause. Member covariates are read
at t−1 from the state-year table; alliance-level context comes from the alliance panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.columns import CAUSE_NONE, TERMMODE_TO_CAUSE
from forecast.panel.roster import spells


def build_member_year(
    panel: pd.DataFrame,
    roster: pd.DataFrame,
    members: pd.DataFrame,
    ends: pd.DataFrame,
    state_year: pd.DataFrame,
) -> pd.DataFrame:
    """The member-year panel (see module docstring)."""
    multi = panel.groupby("atopid")["n_members"].max()
    multi_ids = multi.index[multi >= 3]
    keep = panel.loc[
        panel["atopid"].isin(multi_ids),
        ["atopid", "year", "n_members", "phase", "obligation_type", "age", "era"],
    ]
    mr = roster.merge(keep, on=["atopid", "year"])

    s = spells(members).merge(ends[["atopid", "end_key", "ended"]], on="atopid")
    ex = s[(s["true_exit"] == 1) & (~s["ended"] | (s["exit_key"] < s["end_key"]))]
    ex = ex.assign(exit_cause=ex["termmode"].map(TERMMODE_TO_CAUSE))
    ex = ex.groupby(["atopid", "member", "yrexit"], as_index=False)["exit_cause"].first()
    ex = ex.rename(columns={"member": "ccode", "yrexit": "year"}).assign(exit=1)
    mr = mr.merge(ex, on=["atopid", "ccode", "year"], how="left")
    mr["exit"] = mr["exit"].fillna(0).astype("int64")
    mr["exit_cause"] = mr["exit_cause"].fillna(CAUSE_NONE).astype(str)

    sy = state_year.set_index(["ccode", "year"])
    lag = pd.MultiIndex.from_arrays([mr["ccode"], mr["year"] - 1])
    for col in ("cinc", "milex", "gdp", "polity2", "polyarchy", "solschdum"):
        mr[f"{col}_lag"] = sy[col].reindex(lag).to_numpy() if col in sy.columns else np.nan
    g = mr.groupby(["atopid", "year"])
    mr["cinc_share"] = mr["cinc_lag"] / g["cinc_lag"].transform("sum", min_count=1)
    mr["milex_share"] = mr["milex_lag"] / g["milex_lag"].transform("sum", min_count=1)
    gdp_share = mr["gdp_lag"] / g["gdp_lag"].transform("sum", min_count=1)
    mr["burden_ratio"] = (mr["milex_share"] / gdp_share).replace([np.inf, -np.inf], np.nan)
    prev = pd.MultiIndex.from_arrays([mr["ccode"], mr["year"] - 2])
    if "polity2" in sy.columns:
        d = mr["polity2_lag"] - sy["polity2"].reindex(prev).to_numpy()
        mr["regime_change"] = (d.abs() >= 3).astype(float).where(d.notna())
    else:
        mr["regime_change"] = np.nan
    mr["sols_change"] = mr["solschdum_lag"]
    for col in ("polity2_lag",):
        mr = mr.rename(columns={col: "polity2"})
    mr = mr.drop(columns=["solschdum_lag"])
    return mr.sort_values(["atopid", "ccode", "year"]).reset_index(drop=True)
