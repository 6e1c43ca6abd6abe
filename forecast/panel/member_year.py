"""Member-year panel of multilateral alliances (for the member-exit model).

One row per ``(atopid, ccode, year)`` for members in force on 1 January of t, in
alliances with three or more distinct members over their history (the sample of
domain.md §1.3; it uses later entrants, so strict backtests should also filter on
``n_members >= 3`` at t). ``exit`` is 1 in the year the member truly leaves (not a phase
transition) while the alliance continues; ``exit_cause`` maps the member's ``termmode``
through ``TERMMODE_TO_CAUSE``. Member covariates are read at t−1:

* ``cinc_share``, ``milex_share``: the member's share of the members' CINC / spending
  (SIPRI current US$, NMC before 1949); ``milex_gdp``: its spending in % of GDP (from
  1992, as the alliance measures); ``burden_ratio`` = spending share / nominal-GDP share
  (same currency basis, from 1992); ``cinc_lag``, ``milex_lag``.
* ``polity2``, ``polyarchy``, ``democracy``, ``regime_change``, ``sols_change``,
  ``sols_change_nondem``, ``irregular_turnover`` (as in ``forecast.panel.domestic``).
* ``new_outside_alliance``: alliances the member founded in t−1 with a non-member.
Alliance context at t: ``n_members``, ``phase``, ``obligation_type``, ``age``, ``era``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.columns import CAUSE_NONE, TERMMODE_TO_CAUSE
from forecast.panel.domestic import ARCHIGOS_YEARS, member_domestic
from forecast.panel.foreign_policy import founders, outside_partners
from forecast.panel.lagged import at_lag
from forecast.panel.outcomes import member_exits
from forecast.panel.registry import GDP_SHARE_FROM
from forecast.panel.roster import Roster


def _member_new_alliances(
    mr: pd.DataFrame, members: pd.DataFrame, roster: pd.DataFrame
) -> np.ndarray:
    f = founders(members)
    r = mr[["atopid", "year", "ccode"]].reset_index().assign(y=mr["year"].to_numpy() - 1)
    r = r.merge(f.rename(columns={"atopid": "new_id", "begyr": "y"}), on=["ccode", "y"])
    r = r[r["new_id"] != r["atopid"]].reset_index(drop=True)
    r = r[outside_partners(r, f, roster)]
    counts = r.groupby("index")["new_id"].nunique()
    return counts.reindex(mr.index).fillna(0).to_numpy(dtype=float)


def build_member_year(panel: pd.DataFrame, ros: Roster, state_year: pd.DataFrame) -> pd.DataFrame:
    """The member-year panel (see module docstring)."""
    members, roster = ros.members, ros.roster
    distinct = members.groupby("atopid")["member"].nunique()
    multi_ids = distinct.index[distinct >= 3]
    ctx = ["atopid", "year", "n_members", "phase", "obligation_type", "age", "era"]
    keep = panel.loc[panel["atopid"].isin(multi_ids), ctx]
    mr = roster.merge(keep, on=["atopid", "year"])

    ex = member_exits(ros)
    ex = ex.assign(exit_cause=ex["termmode"].map(TERMMODE_TO_CAUSE))
    ex = ex.groupby(["atopid", "member", "yrexit"], as_index=False)["exit_cause"].first()
    ex = ex.rename(columns={"member": "ccode", "yrexit": "year"}).assign(exit=1)
    mr = mr.merge(ex, on=["atopid", "ccode", "year"], how="left")
    mr["exit"] = mr["exit"].fillna(0).astype("int64")
    mr["exit_cause"] = mr["exit_cause"].fillna(CAUSE_NONE).astype(str)

    mr["cinc_lag"] = at_lag(mr, state_year, "cinc", 1)
    mr["milex_lag"] = at_lag(mr, state_year, "milex", 1)
    early = (mr["year"] - 1 < GDP_SHARE_FROM).to_numpy()
    gdp = np.where(early, np.nan, at_lag(mr, state_year, "gdp_current", 1))
    mr["milex_gdp"] = np.where(early, np.nan, at_lag(mr, state_year, "milex_gdp", 1))
    keys = [mr["atopid"], mr["year"]]
    mr["cinc_share"] = mr["cinc_lag"] / mr["cinc_lag"].groupby(keys).transform("sum", min_count=1)
    mr["milex_share"] = mr["milex_lag"] / mr["milex_lag"].groupby(keys).transform(
        "sum", min_count=1
    )
    gdp_s = pd.Series(gdp, index=mr.index)
    gdp_share = gdp_s / gdp_s.groupby(keys).transform("sum", min_count=1)
    mr["burden_ratio"] = (mr["milex_share"] / gdp_share).replace([np.inf, -np.inf], np.nan)
    dom = member_domestic(mr[["atopid", "year", "ccode"]], state_year)
    for col in (
        "polity2",
        "polyarchy",
        "democracy",
        "regime_change",
        "sols_change",
        "sols_change_nondem",
    ):
        mr[col] = dom[col].to_numpy()
    mr["irregular_turnover"] = dom["irregular_entry"].to_numpy()
    lag = mr["year"] - 1
    mr.loc[(lag < ARCHIGOS_YEARS[0]) | (lag > ARCHIGOS_YEARS[1]), "irregular_turnover"] = np.nan
    mr["new_outside_alliance"] = _member_new_alliances(mr, members, roster)
    return mr.sort_values(["atopid", "ccode", "year"]).reset_index(drop=True)
