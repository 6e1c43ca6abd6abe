"""Who is in which alliance, in which phase, in which year (from the ATOP member file).

Conventions (domain.md §1, §4): an alliance is observed from its signature year to its
end year (or the panel's end year, ``end_year``: alliances ATOP codes as in force at the
end of 2018 stay in force unless a recorded event ends them). Membership and phase are
those in force on 1 January of year ``t``; in the signature year they are the founders and
the first phase.
A phase transition is not an exit: a member exits only when it has no later row in the
same alliance starting on or after its exit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def _date_key(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Sortable integer date yyyymmdd (missing day -> 0)."""
    return year * 10000 + month.fillna(0).astype(int) * 100 + day.fillna(0).astype(int)


@dataclass(frozen=True)
class Roster:
    """Membership facts computed once per build (every later step reads these).

    * ``members``: the member file with recorded events applied (ATOP layout + ``record``);
    * ``spells``: the member rows with date keys and true exits (``spells``);
    * ``ends``: one row per alliance (``alliance_ends``);
    * ``rows``: member rows in force on 1 Jan of each alliance-year (``roster_rows``);
    * ``roster``: ``atopid, year, ccode`` of the members in force (``member_roster``);
    * ``phase_rows``: the rows of the phase in force (design provisions come from these);
    * ``end_year``: the panel's last year.
    """

    members: pd.DataFrame
    spells: pd.DataFrame
    ends: pd.DataFrame
    rows: pd.DataFrame
    roster: pd.DataFrame
    phase_rows: pd.DataFrame
    end_year: int


def build_roster(members: pd.DataFrame, alliances: pd.DataFrame, end_year: int) -> Roster:
    """All membership tables, from the member and alliance files (events applied)."""
    s = spells(members, end_year)
    ends = alliance_ends(s, alliances)
    rows = roster_rows(alliance_years(ends, end_year), s)
    return Roster(
        members=members,
        spells=s,
        ends=ends,
        rows=rows,
        roster=member_roster(rows),
        phase_rows=phase_rows(rows),
        end_year=end_year,
    )


def spells(members: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Member spells with entry/exit date keys, last year observed and a true-exit flag.

    ``true_exit`` is 1 when the row ends (``yrexit > 0``) and the same member has no row
    in a later phase of the alliance (domain.md §1.2: a phase end is not an exit; a
    re-entry within the same phase, e.g. Egypt in the Arab League, follows a true exit).
    """
    s = members.copy()
    s["ent_key"] = _date_key(s["yrent"], s["moent"], s["dayent"])
    s["exit_key"] = np.where(
        s["yrexit"] > 0, _date_key(s["yrexit"], s["moexit"], s["dayexit"]), 99999999
    )
    s["last_year"] = np.where(s["yrexit"] > 0, s["yrexit"], end_year)
    later = s[["atopid", "member", "phase"]].rename(columns={"phase": "next_phase"})
    pairs = s[["atopid", "member", "phase"]].reset_index().merge(later, on=["atopid", "member"])
    continued = pairs.loc[pairs["next_phase"] > pairs["phase"], "index"].unique()
    s["true_exit"] = ((s["yrexit"] > 0) & ~s.index.isin(continued)).astype(int)
    return s


def alliance_ends(s: pd.DataFrame, alliances: pd.DataFrame) -> pd.DataFrame:
    """One row per alliance from its member ``spells``: ``atopid, begyr, endyr (NA if in
    force), end_key, termmode, ended``; ``termmode`` is the largest among the last exits."""
    beg = s.groupby("atopid")["yrent"].min().rename("begyr")
    ended = alliances.set_index("atopid")["ineffect"] == 0
    last = s.loc[s.groupby("atopid")["exit_key"].transform("max") == s["exit_key"]]
    term = last.groupby("atopid")["termmode"].max()
    end_key = s.groupby("atopid")["exit_key"].max()
    out = pd.DataFrame({"begyr": beg, "end_key": end_key, "termmode": term})
    out["ended"] = ended.reindex(out.index).fillna(False).astype(bool)
    out["endyr"] = pd.array(np.where(out["ended"], out["end_key"] // 10000, 0), dtype="Int64")
    out.loc[~out["ended"], "endyr"] = pd.NA
    out.loc[~out["ended"], "termmode"] = 0
    return out.reset_index()


def alliance_years(ends: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Skeleton ``atopid, year`` from signature year to end year (or ``end_year``)."""
    last = ends["endyr"].fillna(end_year).astype(int)
    rows = [
        (a, y)
        for a, b, e in zip(ends["atopid"], ends["begyr"], last, strict=True)
        for y in range(b, e + 1)
    ]
    return pd.DataFrame(rows, columns=["atopid", "year"])


def roster_rows(skeleton: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    """Member rows in force on 1 Jan of each alliance-year (``s`` = ``spells``):
    ``atopid, year, ccode, phase, row`` (``row`` = index of the member-file row).

    A row is in force on 1 Jan t when ``yrent <= t-1`` and its last year is ``>= t``. In
    the signature year, and in a year when no row is in force on 1 January but a new phase
    begins (e.g. after a state split on 1 Jan 1993, or when a suspended alliance is
    revived), the rows of the earliest phase entering that year stand in.
    Years with no row at all (suspensions: 1020 in 1849, 2340 in 1963–1994) get none.
    """
    m = skeleton[["atopid", "year"]].merge(
        s[["atopid", "member", "yrent", "last_year", "phase"]].rename_axis("row").reset_index(),
        on="atopid",
    )
    in_force = (m["yrent"] <= m["year"] - 1) & (m["last_year"] >= m["year"])
    has = in_force.groupby([m["atopid"], m["year"]]).transform("any")
    entering = (m["yrent"] == m["year"]) & ~has
    first = m["phase"].where(entering).groupby([m["atopid"], m["year"]]).transform("min")
    standin = entering & (m["phase"] == first)
    r = m.loc[in_force | standin, ["atopid", "year", "member", "phase", "row"]]
    r = r.rename(columns={"member": "ccode"})
    return r.sort_values(["atopid", "year", "ccode", "phase", "row"]).reset_index(drop=True)


def phase_in_force(rows: pd.DataFrame) -> pd.Series:
    """Phase in force per ``(atopid, year)``: the latest phase among the rows in force."""
    return rows.groupby(["atopid", "year"])["phase"].max()


def phase_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows in force that belong to the phase in force (design provisions come from these)."""
    current = rows.groupby(["atopid", "year"])["phase"].transform("max")
    return rows.loc[rows["phase"] == current].reset_index(drop=True)


def member_roster(rows: pd.DataFrame) -> pd.DataFrame:
    """Members in force per alliance-year: ``atopid, year, ccode`` (deduplicated)."""
    r = rows[["atopid", "year", "ccode"]].drop_duplicates()
    return r.reset_index(drop=True)
