"""Step 4: the alliance-year panel, one row per ``(atopid, year)`` with every contract column.

Rows run from the signature year to the end year (event row) or the panel's end year.
The structure and design columns come first (the treaty in force on 1 January of t);
then each covariate family of the registry is built by its module from the same
:class:`Context`; every time-varying covariate at t uses data up to t−1 only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from forecast.panel import columns as C
from forecast.panel.context import Context
from forecast.panel.design import design_columns
from forecast.panel.domestic import domestic_columns
from forecast.panel.foreign_policy import foreign_policy_columns
from forecast.panel.inputs import Sources
from forecast.panel.outcomes import outcome_columns
from forecast.panel.power import power_columns, strongest_member
from forecast.panel.roster import Roster, phase_in_force
from forecast.panel.spending import spending_columns
from forecast.panel.threat import threat_columns
from forecast.sources.atop import ATOP_LAST_YEAR
from forecast.sources.events import RECORDED_IDS

#: Covariate family -> builder (design is built with the structure: others read it).
FamilyBuilder = Callable[[Context], pd.DataFrame]
FAMILY_BUILDERS: dict[str, FamilyBuilder] = {
    "power": power_columns,
    "spending": spending_columns,
    "threat": threat_columns,
    "domestic": domestic_columns,
    "foreign_policy": foreign_policy_columns,
}


def structure(roster: Roster, weights: pd.Series) -> pd.DataFrame:
    """Keys and structure columns (suspension years without members are dropped)."""
    skeleton = roster.rows[["atopid", "year"]].drop_duplicates()
    n = roster.roster.groupby(["atopid", "year"]).size()
    frame = skeleton.sort_values(["atopid", "year"]).reset_index(drop=True)
    key = pd.MultiIndex.from_frame(frame[["atopid", "year"]])
    e = roster.ends.set_index("atopid")
    frame["begyr"] = frame["atopid"].map(e["begyr"]).astype("int64")
    frame["endyr"] = frame["atopid"].map(e["endyr"]).astype("Int64")
    frame["age"] = (frame["year"] - frame["begyr"]).astype("int64")
    frame["phase"] = phase_in_force(roster.rows).reindex(key).astype("int64").to_numpy()
    frame["n_members"] = n.reindex(key).astype("int64").to_numpy()
    frame["era"] = frame["year"].map(C.era_of)
    lead = strongest_member(roster.roster, weights)
    frame["ccode_leader"] = lead.reindex(key).astype("int64").to_numpy()
    frame["region"] = frame["ccode_leader"].map(C.region_of)
    return frame


def outcome_source(frame: pd.DataFrame, roster: Roster) -> pd.Series:
    """``atop`` for rows ATOP v5.1 codes (ATOP alliances, years to 2018), else ``recorded``."""
    atop = (frame["year"] <= ATOP_LAST_YEAR) & (frame["atopid"] < RECORDED_IDS[0])
    return pd.Series(np.where(atop, "atop", "recorded"), index=frame.index)


def build_alliance_year(
    roster: Roster, state_year: pd.DataFrame, weights: pd.Series, src: Sources
) -> pd.DataFrame:
    """The alliance-year panel; column order = contract + extras."""
    frame = structure(roster, weights)
    frame = pd.concat([frame, design_columns(frame, roster, src.atop_phases, src.depth)], axis=1)
    ctx = Context(frame, roster, state_year, weights, src, roster.end_year)
    parts = [frame, outcome_columns(frame, roster)]
    parts += [builder(ctx) for builder in FAMILY_BUILDERS.values()]
    out = pd.concat(parts, axis=1)
    out["outcome_source"] = outcome_source(out, roster)
    missing = [c for c in C.COVARIATES if c not in out.columns]
    if missing:  # a registry entry without a builder is a programming error
        raise RuntimeError(f"covariates in the registry but built by no family: {missing}")
    ordered = list(C.KEYS) + list(C.OUTCOMES) + list(C.STRUCTURE) + list(C.COVARIATES)
    extras = [c for c in out.columns if c not in ordered]
    out = out[ordered + extras]
    for col in C.COVARIATES:
        out[col] = out[col].astype("float64")
    return out.sort_values(["atopid", "year"]).reset_index(drop=True)
