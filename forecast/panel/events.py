"""Apply the hand-recorded events (``data/events/events.csv``) on top of the ATOP files.

The result has ATOP's member-file layout, so the roster, outcome and design code reads
ATOP-coded and recorded membership the same way. Rules (``data/README.md``):

* only events dated up to the panel's end year are applied; later ones wait for the
  data edge to move (``alliance-forecast data events list`` shows them);
* an ``accession`` adds a member row to the phase in force, with that phase's provisions;
* an ``exit`` closes the member's open rows (``termmode`` from the cause);
* an ``end`` closes every open row of the alliance and marks it not in effect;
* a ``new_alliance`` adds one member row per founder (phase 0, the given obligations,
  design provisions unknown = NaN) and an alliance row.

Every member row carries ``record``: ``atop``, or the id of the recorded event that
added it (or, for an ATOP row, closed it), so the API tables can say where a spell comes
from. An event that contradicts the roster (an exit of a non-member, an accession of a
member, an end of an ended alliance) fails the build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.errors import DataValidationError
from forecast.sources.atop import DESIGN_FIELDS, OBLIGATIONS

#: Cause of a recorded exit or end -> ATOP ``termmode`` (inverse of TERMMODE_TO_CAUSE).
CAUSE_TO_TERMMODE = {"natural": 1, "replacement": 2, "abrogation": 3, "exogenous": 4}


def _close(m: pd.DataFrame, rows: pd.Index, date: pd.Timestamp, cause: str, event_id: str) -> None:
    m.loc[rows, ["yrexit", "moexit", "dayexit"]] = [date.year, date.month, float(date.day)]
    untouched = rows[m.loc[rows, "record"] == "atop"]
    m.loc[untouched, "record"] = event_id  # rows a recorded event added keep that event's id
    m.loc[rows, "ineffect"] = 0
    m.loc[rows, "termmode"] = CAUSE_TO_TERMMODE[cause]


def apply_events(
    members: pd.DataFrame, alliances: pd.DataFrame, events: pd.DataFrame, end_year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(members, alliances)`` with the events dated up to ``end_year`` applied.

    ``alliances`` gets ``record`` (``atop``/``recorded``) and ``name`` (recorded ones only).
    """
    m = members.copy()
    m["record"] = "atop"
    a = alliances.copy()
    a["record"] = "atop"
    a["name"] = pd.NA
    new_rows: list[dict] = []
    new_alliances: list[dict] = []
    for ev in events[events["date"].dt.year <= end_year].itertuples(index=False):
        d, aid = ev.date, int(ev.atopid)

        def fail(what: str, ev=ev) -> DataValidationError:
            return DataValidationError(
                f"recorded event {ev.event_id} ({ev.kind}, atopid {ev.atopid}): {what}; "
                "fix data/events/events.csv"
            )

        if ev.kind == "new_alliance":
            if aid in set(a["atopid"]) or any(r["atopid"] == aid for r in new_alliances):
                raise fail("atopid already used")
            flags = {o: int(getattr(ev, o)) for o in OBLIGATIONS}
            for ccode in ev.members:
                row = {c: np.nan for c in m.columns}
                row.update(
                    atopid=aid, member=ccode, yrent=d.year, moent=d.month, dayent=float(d.day),
                    yrexit=0, moexit=0, dayexit=0.0, ineffect=1, phase=0, termmode=0,
                    bilat=int(len(ev.members) == 2), record=ev.event_id, **flags,
                )  # fmt: skip
                new_rows.append(row)
            new_alliances.append(
                {"atopid": aid, "begyr": d.year, "endyr": 0, "ineffect": 1,
                 "bilat": int(len(ev.members) == 2), "maxphase": 0, "record": "recorded",
                 "name": ev.name, **flags}
            )  # fmt: skip
            continue
        if new_rows:
            m = pd.concat([m, pd.DataFrame(new_rows)], ignore_index=True)
            new_rows = []
        if new_alliances:
            a = pd.concat([a, pd.DataFrame(new_alliances)], ignore_index=True)
            new_alliances = []
        if aid not in set(a["atopid"]):
            raise fail("no such alliance in ATOP or among the recorded ones")
        open_rows = m.index[(m["atopid"] == aid) & (m["yrexit"] == 0)]
        if len(open_rows) == 0:
            raise fail(f"the alliance is not in force on {d.date()}")
        if ev.kind == "end":
            _close(m, open_rows, d, ev.cause, ev.event_id)
            a.loc[a["atopid"] == aid, ["endyr", "ineffect"]] = [d.year, 0]
            continue
        ccode = ev.members[0]
        mine = open_rows[m.loc[open_rows, "member"] == ccode]
        if ev.kind == "exit":
            if len(mine) == 0:
                raise fail(f"state {ccode} is not a member on {d.date()}")
            if m.loc[open_rows, "member"].nunique() - 1 < 2:
                raise fail("the exit leaves fewer than two members: record an 'end' instead")
            _close(m, mine, d, ev.cause, ev.event_id)
        else:  # accession
            if len(mine):
                raise fail(f"state {ccode} is already a member")
            phase = m.loc[open_rows, "phase"].max()
            template = m.loc[open_rows[m.loc[open_rows, "phase"] == phase][0]].to_dict()
            template.update(
                member=ccode, yrent=d.year, moent=d.month, dayent=float(d.day),
                yrexit=0, moexit=0, dayexit=0.0, ineffect=1, termmode=0, termcaus=np.nan,
                record=ev.event_id,
            )  # fmt: skip
            m = pd.concat([m, pd.DataFrame([template])], ignore_index=True)
    if new_rows:
        m = pd.concat([m, pd.DataFrame(new_rows)], ignore_index=True)
    if new_alliances:
        a = pd.concat([a, pd.DataFrame(new_alliances)], ignore_index=True)
    int_cols = ["atopid", "member", "yrent", "moent", "yrexit", "moexit", "ineffect", "phase",
                "termmode", *OBLIGATIONS]  # fmt: skip
    m[int_cols] = m[int_cols].astype("int64")
    for c in DESIGN_FIELDS:
        m[c] = m[c].astype(float)
    a[["atopid", "begyr", "endyr", "ineffect", *OBLIGATIONS]] = a[
        ["atopid", "begyr", "endyr", "ineffect", *OBLIGATIONS]
    ].astype("int64")
    m = m.sort_values(["atopid", "phase", "member", "yrent"]).reset_index(drop=True)
    return m, a.sort_values("atopid").reset_index(drop=True)
