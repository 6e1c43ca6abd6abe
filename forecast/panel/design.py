"""Design covariates from the ATOP phase in force (and Benson–Clinton depth/scope).

All design values come from the member rows of the phase in force on 1 January of t
(never from alliance-level "final" fields, domain.md §1.6). Where members of one phase
differ (asymmetric obligations), a provision counts if any member's row carries it.
``milinst`` is ATOP's own institutionalisation score of that phase (``atopinst5_1.csv``).
Recorded new alliances carry their obligations; their other provisions are unknown (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.roster import Roster
from forecast.sources.atop import DESIGN_FIELDS, OBLIGATIONS

#: obligation_type precedence: the strongest obligation in force names the type.
OBLIGATION_NAMES = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "nonaggression",
    "consul": "consultation",
}


def provisions_in_force(in_phase: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per ``(atopid, year)``: max of obligations and design fields over the member rows of
    the phase in force that are in force on 1 Jan t (later entrants cannot leak back),
    plus ``phase_start`` (first entry year of that phase)."""
    cols = list(OBLIGATIONS) + list(DESIGN_FIELDS)
    vals = members.loc[in_phase["row"], cols].set_axis(in_phase.index)
    p = (
        pd.concat([in_phase[["atopid", "year"]], vals], axis=1)
        .groupby(["atopid", "year"])[cols]
        .max()
    )
    start = members.groupby(["atopid", "phase"])["yrent"].min().rename("phase_start")
    cur = in_phase.groupby(["atopid", "year"])["phase"].max()
    p["phase_start"] = start.reindex(
        pd.MultiIndex.from_arrays([cur.index.get_level_values(0), cur.to_numpy()])
    ).to_numpy()
    return p.reset_index()


def obligation_type(prov: pd.DataFrame) -> pd.Series:
    """Strongest obligation of each row (defense > offense > neutrality > nonagg > consult)."""
    out = pd.Series("consultation", index=prov.index, dtype=object)
    for flag in reversed(OBLIGATIONS):
        out[prov[flag] == 1] = OBLIGATION_NAMES[flag]
    return out


#: ATOP provision codes reduced to "present" flags (the codebook levels are unconfirmed).
PROVISION_FLAGS = (
    "organ1", "intcom", "base", "milaid", "contrib", "nomicoop",
    "compag", "speclgth", "renounce", "wartime", "specthrt",
)  # fmt: skip


def _flag(s: pd.Series) -> pd.Series:
    """1.0 if the code is > 0, 0.0 if 0, NaN if missing."""
    return (s > 0).astype(float).where(s.notna())


def design_columns(
    frame: pd.DataFrame, roster: Roster, phases: pd.DataFrame, depth: pd.DataFrame
) -> pd.DataFrame:
    """Design columns for ``frame`` (needs ``atopid, year, begyr, n_members, phase``)."""
    prov = provisions_in_force(roster.phase_rows, roster.members)
    m = frame[["atopid", "year", "begyr", "n_members"]].merge(
        prov, on=["atopid", "year"], how="left", validate="one_to_one"
    )
    m.index = frame.index
    out = pd.DataFrame(index=frame.index)
    out["obligation_type"] = obligation_type(m)
    for flag in OBLIGATIONS:
        out[flag] = m[flag].astype("int64")
    out["bilateral"] = (m["n_members"] == 2).astype(float)
    out["log_n_members"] = np.log(m["n_members"].astype(float))
    out["asymm"] = _flag(m["asymm"])
    inst = phases.set_index(["atopid", "phase"])["milinst"]
    out["milinst"] = inst.reindex(pd.MultiIndex.from_frame(frame[["atopid", "phase"]])).to_numpy()
    for col in PROVISION_FLAGS:
        out[col] = _flag(m[col])
    months = m["length"].where(m["length"] > 0)
    out["years_to_scheduled_end"] = m["phase_start"] + months / 12.0 - m["year"]
    # ATOP codes of states named as the threat (0 = none); read by the threat family.
    out["statthr1"] = m["statthr1"].fillna(0).astype("int64")
    out["statthr2"] = m["statthr2"].fillna(0).astype("int64")
    d = depth.set_index("atopid")
    out["depth"] = frame["atopid"].map(d["depth"]).astype(float)
    out["scope"] = frame["atopid"].map(d["scope"]).astype(float)
    return out
