"""Foreign-policy change and alliance-network covariates (from the ATOP files themselves).

* ``new_outside_alliance``: number of ATOP alliances signed in t−1 (founding members
  only) by any member of the focal alliance together with at least one non-member of it
  (the focal alliance excluded).
* ``hub_spoke``: 1 if the alliance has at most 3 members at t and one member is a COW
  major power in t−1 that holds ≥ 3 bilateral defense pacts in force in t−1. This flags
  the US "spokes" of domain.md §4 (US–Japan 3375, US–ROK 3240, US–Philippines 3210,
  ANZUS 3215, US–Thailand 3260 phase 2) but not NATO, and the bilateral pacts of other
  hubs (USSR/Russia, France, UK) in the years they hold ≥ 3.
"""

from __future__ import annotations

import pandas as pd

from forecast.panel.context import Context
from forecast.panel.lagged import align

HUB_MIN_PACTS = 3
HUB_MAX_SIZE = 3


def founders(members: pd.DataFrame) -> pd.DataFrame:
    """``atopid, ccode, begyr`` of every alliance's founding members."""
    beg = members.groupby("atopid")["yrent"].transform("min")
    f = members.loc[members["yrent"] == beg, ["atopid", "member", "yrent"]]
    return f.rename(columns={"member": "ccode", "yrent": "begyr"}).drop_duplicates()


def outside_partners(pairs: pd.DataFrame, f: pd.DataFrame, roster: pd.DataFrame) -> pd.Series:
    """For ``pairs`` (index, atopid, year, new_id): True where the new alliance ``new_id`` has a
    founder outside the focal alliance's roster on 1 Jan t."""
    x = pairs[["atopid", "year", "new_id"]].reset_index(names="pair")
    x = x.merge(f[["atopid", "ccode"]].rename(columns={"atopid": "new_id"}), on="new_id")
    marks = roster[["atopid", "year", "ccode"]].assign(_in=True)
    x = x.merge(marks, on=["atopid", "year", "ccode"], how="left")
    outside = x[x["_in"].isna()].groupby("pair").size()
    return pd.Series(pairs.index.isin(outside.index), index=pairs.index)


def new_outside_alliances(roster: pd.DataFrame, members: pd.DataFrame) -> pd.Series:
    """Count per ``(atopid, year)`` of new outside alliances signed by members in t−1."""
    f = founders(members)
    r = roster.assign(y=roster["year"] - 1).merge(
        f.rename(columns={"atopid": "new_id", "begyr": "y"}), on=["ccode", "y"]
    )
    r = r[r["new_id"] != r["atopid"]].reset_index(drop=True)
    r = r[outside_partners(r, f, roster)]
    return r.groupby(["atopid", "year"])["new_id"].nunique().astype(float)


def hub_spoke(frame: pd.DataFrame, roster: pd.DataFrame, major_years: pd.DataFrame) -> pd.Series:
    """``hub_spoke`` aligned with ``frame`` (needs ``defense`` and ``n_members`` in frame)."""
    bil_def = frame.loc[(frame["n_members"] == 2) & (frame["defense"] == 1), ["atopid", "year"]]
    held = (
        roster.merge(bil_def, on=["atopid", "year"]).groupby(["ccode", "year"])["atopid"].nunique()
    )
    majors = set(zip(major_years["ccode"], major_years["year"], strict=True))
    hubs = {(c, y) for (c, y), n in held.items() if n >= HUB_MIN_PACTS and (c, y) in majors}
    r = roster.merge(frame[["atopid", "year", "n_members"]], on=["atopid", "year"])
    r["hub"] = [(c, y - 1) in hubs for c, y in zip(r["ccode"], r["year"], strict=True)]
    r["hub"] = r["hub"] & (r["n_members"] <= HUB_MAX_SIZE)
    agg = r.groupby(["atopid", "year"])["hub"].max().astype(float)
    return align(agg, frame)


def foreign_policy_columns(ctx: Context) -> pd.DataFrame:
    """``new_outside_alliance`` and ``hub_spoke`` aligned with ``ctx.frame``."""
    frame, roster, sy = ctx.frame, ctx.roster.roster, ctx.state_year
    out = pd.DataFrame(index=frame.index)
    n = new_outside_alliances(roster, ctx.roster.members)
    out["new_outside_alliance"] = align(n, frame).astype(float).fillna(0.0)
    majors = sy.loc[sy["major"] == 1, ["ccode", "year"]]
    out["hub_spoke"] = hub_spoke(frame, roster, majors).fillna(0.0)
    return out.astype({"new_outside_alliance": float, "hub_spoke": float})
