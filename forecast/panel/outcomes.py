"""Outcome columns of the alliance-year panel: ``event``, ``cause``, ``n_member_exits``.

``event`` is 1 only in the year the alliance ends; ``cause`` maps the ``termmode`` of the
last-exiting members through :data:`TERMMODE_TO_CAUSE` (``none`` in every other row);
recorded ends carry the termmode of their cause (``forecast.panel.events``). Phase
transitions are not events. ``n_member_exits`` counts true member exits in year t dated
before the alliance's own end (the alliance continues after them).

ATOP v5.1 codes every end (v4.01 left 5070, China–Uzbekistan 2013, at ``termmode`` 0; the
project's hand code "replacement" was confirmed by v5.1 and is no longer needed); an
ended alliance without a cause stops the build.
"""

from __future__ import annotations

import pandas as pd

from forecast.panel.columns import CAUSE_NONE, TERMMODE_TO_CAUSE
from forecast.panel.roster import Roster


def end_cause(ends: pd.DataFrame) -> pd.Series:
    """Cause of each ended alliance (index atopid); NA for alliances in force."""
    e = ends.set_index("atopid")
    cause = e["termmode"].map(TERMMODE_TO_CAUSE)
    cause[~e["ended"]] = pd.NA
    missing = e["ended"] & cause.isna()
    if missing.any():  # an ATOP release or a recorded end without a code: make it visible
        raise ValueError(f"ended alliances without a cause: {cause.index[missing].tolist()}")
    return cause


def member_exits(roster: Roster) -> pd.DataFrame:
    """True member exits dated before their alliance's own end (the alliance goes on)."""
    s = roster.spells.merge(roster.ends[["atopid", "end_key", "ended"]], on="atopid")
    return s[(s["true_exit"] == 1) & (~s["ended"] | (s["exit_key"] < s["end_key"]))]


def outcome_columns(frame: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """``event, cause, n_member_exits`` aligned with ``frame`` (atopid, year)."""
    cause = end_cause(roster.ends)
    e = roster.ends.set_index("atopid")
    endyr = frame["atopid"].map(e["endyr"])
    event = (endyr.notna() & (frame["year"] == endyr.fillna(-1))).astype("int64")
    cause_col = pd.Series(CAUSE_NONE, index=frame.index, dtype=object)
    cause_col[event == 1] = frame.loc[event == 1, "atopid"].map(cause).to_numpy()
    counts = member_exits(roster).groupby(["atopid", "yrexit"]).size().rename("n")
    key = pd.MultiIndex.from_frame(frame[["atopid", "year"]])
    n_exits = counts.reindex(key).fillna(0).astype("int64").to_numpy()
    return pd.DataFrame(
        {"event": event, "cause": cause_col, "n_member_exits": n_exits}, index=frame.index
    )
