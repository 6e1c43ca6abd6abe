"""Assemble the alliance-year panel: one row per ``(atopid, year)`` with every contract column.

Rows run from the signature year to the end year (event row) or 2016. Column groups are
built by the sibling modules (outcomes, design, power, spending, threat, domestic,
foreign policy); each time-varying covariate at t uses data up to t−1 only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from forecast.panel import columns as C
from forecast.panel.design import design_columns
from forecast.panel.outcomes import outcome_columns
from forecast.panel.power import power_columns, strongest_member
from forecast.panel.roster import (
    alliance_ends,
    alliance_years,
    member_roster,
    phase_in_force,
    phase_rows,
    roster_rows,
)
from forecast.panel.sources_bundle import RawBundle

#: Covariate builders for the later families, filled in by their modules.
GroupBuilder = Callable[[pd.DataFrame, pd.DataFrame, RawBundle], pd.DataFrame]

#: Extra columns we add beyond the contract, in output order.
EXTRA_COLUMNS = (
    "endyr",
    "defense",
    "offense",
    "neutral",
    "nonagg",
    "consul",
    "ccode_leader",
)


def structure(
    skeleton: pd.DataFrame, raw: RawBundle
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Key and structure columns; returns (frame, roster on 1 Jan t, rows of the phase in force)."""
    ends = alliance_ends(raw.atop_members, raw.atop_alliances)
    rows = roster_rows(skeleton, raw.atop_members)
    roster = member_roster(rows)
    phase = phase_in_force(rows)
    n = roster.groupby(["atopid", "year"]).size()
    key = pd.MultiIndex.from_frame(skeleton[["atopid", "year"]])
    # Suspension years (no member row in force) are not alliance-years at risk.
    frame = skeleton.loc[n.reindex(key).notna().to_numpy()].reset_index(drop=True)
    key = pd.MultiIndex.from_frame(frame[["atopid", "year"]])
    e = ends.set_index("atopid")
    frame["begyr"] = frame["atopid"].map(e["begyr"]).astype("int64")
    frame["endyr"] = frame["atopid"].map(e["endyr"]).astype("Int64")
    frame["age"] = (frame["year"] - frame["begyr"]).astype("int64")
    frame["phase"] = phase.reindex(key).astype("int64").to_numpy()
    frame["n_members"] = n.reindex(key).astype("int64").to_numpy()
    frame["era"] = frame["year"].map(C.era_of)
    lead = strongest_member(roster, raw.nmc)
    frame["ccode_leader"] = (
        lead.reindex(pd.MultiIndex.from_frame(frame[["atopid", "year"]])).astype("int64").to_numpy()
    )
    frame["region"] = frame["ccode_leader"].map(C.region_of)
    return frame, roster, phase_rows(rows)


def build_alliance_year(raw: RawBundle, groups: dict[str, GroupBuilder]) -> pd.DataFrame:
    """The alliance-year panel from validated raw frames; column order = contract + extras."""
    ends = alliance_ends(raw.atop_members, raw.atop_alliances)
    skeleton = alliance_years(ends)
    frame, roster, in_phase = structure(skeleton, raw)
    out = pd.concat(
        [
            frame,
            outcome_columns(frame, ends, raw.atop_members),
            design_columns(frame, in_phase, raw.atop_members, raw.depth),
        ],
        axis=1,
    )
    out = pd.concat([out, power_columns(frame, roster, raw.nmc, raw.major_years)], axis=1)
    for builder in groups.values():
        out = pd.concat([out, builder(out, roster, raw)], axis=1)
    for col in C.COVARIATES:
        if col not in out.columns:
            out[col] = np.nan
    ordered = list(C.KEYS) + list(C.OUTCOMES) + list(C.STRUCTURE) + list(C.COVARIATES)
    extras = [c for c in out.columns if c not in ordered]
    out = out[ordered + extras]
    for col in C.COVARIATES:
        out[col] = out[col].astype("float64")
    return out.sort_values(["atopid", "year"]).reset_index(drop=True)
