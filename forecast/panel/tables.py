"""API-facing tables: one row per alliance (``alliances``) and per member spell
(``alliance_members``), with readable names from ``alliance_names.csv``, the recorded
events' names, or generated labels. ``record`` says where a row comes from: ``atop``, or
``recorded`` / the id of the recorded event (``data/events/events.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.panel.columns import TERMMODE_TO_CAUSE
from forecast.panel.design import OBLIGATION_NAMES
from forecast.panel.outcomes import end_cause
from forecast.panel.roster import Roster

NAMES_FILE = Path(__file__).with_name("alliance_names.csv")

_NOUN = {
    "defense": "defense pact",
    "offense": "offensive alliance",
    "neutrality": "neutrality pact",
    "nonaggression": "non-aggression pact",
    "consultation": "consultation pact",
}

#: Short names for the generated labels (COW names that are long or dated).
_SHORT = {
    2: "United States",
    365: "Russia/USSR",
    710: "China",
    713: "Taiwan",
    731: "North Korea",
    732: "South Korea",
    200: "United Kingdom",
    255: "Germany",
    260: "West Germany",
    265: "East Germany",
}


def curated_names() -> pd.Series:
    """Curated names of well-known alliances (index atopid)."""
    return pd.read_csv(NAMES_FILE, dtype={"atopid": int}).set_index("atopid")["name"]


def country_name(ccode: int, countries: pd.DataFrame) -> str:
    """Short readable name of a COW code (falls back to 'state <code>')."""
    if ccode in _SHORT:
        return _SHORT[ccode]
    names = countries.set_index("ccode")["name"]
    return str(names.get(ccode, f"state {ccode}"))


def generated_label(
    founders: list[int], obligation: str, begyr: int, countries: pd.DataFrame
) -> str:
    """E.g. 'United States–Japan defense pact (1951)' or 'France, Poland and 3 others ...'."""
    names = [country_name(c, countries) for c in founders]
    noun = _NOUN[obligation]
    if len(names) <= 3:
        who = "–".join(names)
    else:
        who = f"{names[0]}, {names[1]} and {len(names) - 2} others"
    return f"{who} {noun} ({begyr})"


def alliances_table(
    panel: pd.DataFrame, ros: Roster, alliances: pd.DataFrame, countries: pd.DataFrame
) -> pd.DataFrame:
    """One row per alliance, describing its current (in force) or last phase."""
    members, ends = ros.members, ros.ends
    recorded = alliances.set_index("atopid")
    last = panel.sort_values("year").groupby("atopid").tail(1).set_index("atopid")
    first = panel.sort_values("year").groupby("atopid").head(1).set_index("atopid")
    cause = end_cause(ends)
    e = ends.set_index("atopid")
    curated = curated_names()
    founders = (
        members[members["yrent"] == members.groupby("atopid")["yrent"].transform("min")]
        .sort_values(["atopid", "member"])
        .groupby("atopid")["member"]
        .apply(lambda s: sorted(set(s)))
    )
    rows = []
    for atopid, row in last.iterrows():
        label = (
            curated.get(atopid)
            or recorded["name"].dropna().get(atopid)
            or generated_label(
                founders[atopid], first.loc[atopid, "obligation_type"], int(row["begyr"]), countries
            )
        )
        in_force = not bool(e.loc[atopid, "ended"])
        rows.append(
            {
                "atopid": int(atopid),
                "name": label,
                "begyr": int(row["begyr"]),
                "endyr": pd.NA if in_force else int(e.loc[atopid, "endyr"]),
                "in_force": in_force,
                "cause": pd.NA if in_force else cause[atopid],
                "obligation_type": row["obligation_type"],
                **{flag: int(row[flag]) for flag in OBLIGATION_NAMES},
                "bilateral": int(row["n_members"]) == 2,
                "n_members": int(row["n_members"]),
                "region": row["region"],
                "phase": int(row["phase"]),
                "curated_name": atopid in curated.index,
                "record": recorded.loc[atopid, "record"],
            }
        )
    out = pd.DataFrame(rows)
    out["endyr"] = out["endyr"].astype("Int64")
    out["cause"] = out["cause"].astype(object)
    return out.sort_values("atopid").reset_index(drop=True)


def alliance_members_table(ros: Roster, countries: pd.DataFrame) -> pd.DataFrame:
    """One row per member × phase spell: codes, names, dates, exit and its cause.

    An exit at the alliance's own end takes the alliance's cause (this also covers the
    hand-coded uncoded end, see ``forecast.panel.outcomes``).
    """
    s = ros.spells.merge(ros.ends[["atopid", "end_key", "ended"]], on="atopid", how="left")
    at_end = s["ended"] & (s["exit_key"] == s["end_key"])
    alliance_cause = s["atopid"].map(end_cause(ros.ends))
    c = countries.drop_duplicates("ccode").set_index("ccode")
    out = pd.DataFrame(
        {
            "atopid": s["atopid"].astype(int),
            "ccode": s["member"].astype(int),
            "stateabb": s["member"].map(c["stateabb"]),
            "name": s["member"].map(c["name"]),
            "iso3": s["member"].map(c["iso3"]),
            "phase": s["phase"].astype(int),
            "yrent": s["yrent"].astype(int),
            "yrexit": pd.array(s["yrexit"].where(s["yrexit"] > 0), dtype="Int64"),
            "exit": s["true_exit"].astype(bool),
            "exit_cause": s["termmode"]
            .map(TERMMODE_TO_CAUSE)
            .where(~at_end, alliance_cause)
            .where(s["true_exit"] == 1),
            "record": s["record"].astype(str),
        }
    )
    out["exit_cause"] = out["exit_cause"].astype(object)
    return out.sort_values(["atopid", "phase", "ccode", "yrent"]).reset_index(drop=True)
