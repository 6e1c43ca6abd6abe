"""Outcome columns of the alliance-year panel: ``event``, ``cause``, ``n_member_exits``.

``event`` is 1 only in the year the alliance ends; ``cause`` maps the ``termmode`` of the
last-exiting members through :data:`TERMMODE_TO_CAUSE` (``none`` in every other row).
Phase transitions are not events. ``n_member_exits`` counts true member exits in year t
dated before the alliance's own end (the alliance continues after them).

Uncoded end: alliance 5070 (China–Uzbekistan, ended 2013-09) carries ``termmode`` 0 in
ATOP v4.01. We code it ``replacement``: the two states signed a new Treaty of Friendship
and Cooperation in September 2013, the month the pact ended [I]. This is the only ended
alliance without a code (4865's ``termmode`` 0 sits on a phase transition, not an end).
"""

from __future__ import annotations

import pandas as pd

from forecast.panel.columns import CAUSE_NONE, TERMMODE_TO_CAUSE
from forecast.panel.roster import spells

#: Hand codes for ended alliances whose last exits carry no termmode (see module docstring).
UNCODED_END_CAUSE = {5070: "replacement"}


def end_cause(ends: pd.DataFrame) -> pd.Series:
    """Cause of each ended alliance (index atopid); NA for alliances in force."""
    cause = ends.set_index("atopid")["termmode"].map(TERMMODE_TO_CAUSE)
    for atopid, c in UNCODED_END_CAUSE.items():
        if atopid in cause.index and bool(ends.set_index("atopid").loc[atopid, "ended"]):
            cause.loc[atopid] = c
    cause[~ends.set_index("atopid")["ended"]] = pd.NA
    missing = ends.set_index("atopid")["ended"] & cause.isna()
    if missing.any():  # a new ATOP release with another uncoded end: make it visible
        raise ValueError(f"ended alliances without a cause: {cause.index[missing].tolist()}")
    return cause


def outcome_columns(
    skeleton: pd.DataFrame, ends: pd.DataFrame, members: pd.DataFrame
) -> pd.DataFrame:
    """``event, cause, n_member_exits`` aligned with ``skeleton`` (atopid, year)."""
    cause = end_cause(ends)
    e = ends.set_index("atopid")
    endyr = skeleton["atopid"].map(e["endyr"])
    event = (endyr.notna() & (skeleton["year"] == endyr.fillna(-1))).astype("int64")
    cause_col = pd.Series(CAUSE_NONE, index=skeleton.index, dtype=object)
    cause_col[event == 1] = skeleton.loc[event == 1, "atopid"].map(cause).to_numpy()

    s = spells(members).merge(ends[["atopid", "end_key", "ended"]], on="atopid")
    mid = s[(s["true_exit"] == 1) & (~s["ended"] | (s["exit_key"] < s["end_key"]))]
    counts = mid.groupby(["atopid", "yrexit"]).size().rename("n")
    key = pd.MultiIndex.from_frame(skeleton[["atopid", "year"]])
    n_exits = counts.reindex(key).fillna(0).astype("int64").to_numpy()
    return pd.DataFrame(
        {"event": event, "cause": cause_col, "n_member_exits": n_exits}, index=skeleton.index
    )
