"""Property tests (hypothesis) of rosters and outcomes on generated ATOP-like member tables.

Each generated alliance has founders, an optional phase transition (all members
continue), an optional mid-life member exit, and either an end (with a termmode) or
survival to the panel's end year (:data:`END`). The panel skeleton and outcomes must then
satisfy the invariants of design.md whatever the dates.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.panel.columns import CAUSE_NONE, TERMMODE_TO_CAUSE
from forecast.panel.outcomes import outcome_columns
from forecast.panel.roster import (
    alliance_years,
    build_roster,
    member_roster,
    phase_in_force,
    spells,
)

END = 2024


def _row(atopid, member, phase, yrent, yrexit, termmode):
    return {
        "atopid": atopid,
        "member": member,
        "phase": phase,
        "yrent": yrent,
        "moent": 3,
        "dayent": 1,
        "yrexit": yrexit,
        "moexit": 6 if yrexit else 0,
        "dayexit": 15 if yrexit else 0,
        "ineffect": int(yrexit == 0),
        "termmode": termmode if yrexit else 0,
    }


@st.composite
def alliance(draw, atopid: int):
    begyr = draw(st.integers(1816, END - 2))
    n = draw(st.integers(2, 5))
    founders = draw(st.lists(st.integers(2, 990), min_size=n, max_size=n, unique=True))
    ends = draw(st.booleans())
    endyr = draw(st.integers(begyr, END)) if ends else 0
    last = endyr or END
    termmode = draw(st.sampled_from([1, 2, 3, 4, 5, 6]))
    transition = draw(st.one_of(st.none(), st.integers(begyr + 1, max(begyr + 1, last))))
    if transition is not None and transition >= last:
        transition = None
    leaver = None
    if n >= 3 and draw(st.booleans()) and last > begyr + 1:
        leaver = (
            founders[-1],
            draw(st.integers(begyr + 1, last - 1)),
            draw(st.sampled_from([3, 4])),
        )
    rows = []
    for m in founders:
        exit_m = endyr
        tm = termmode
        if leaver and m == leaver[0]:
            exit_m, tm = leaver[1], leaver[2]
        if transition is not None and (exit_m == 0 or exit_m > transition):
            rows.append(_row(atopid, m, 1, begyr, transition, 2))
            rows.append(_row(atopid, m, 2, transition, exit_m, tm))
        else:
            rows.append(_row(atopid, m, 1 if transition is not None else 0, begyr, exit_m, tm))
    return rows, begyr, endyr, termmode, leaver


@st.composite
def world(draw):
    k = draw(st.integers(1, 6))
    facts = [draw(alliance(1000 + 5 * i)) for i in range(k)]
    members = pd.DataFrame([r for f in facts for r in f[0]])
    alliances = pd.DataFrame(
        {"atopid": [1000 + 5 * i for i in range(k)], "ineffect": [int(f[2] == 0) for f in facts]}
    )
    return members, alliances, facts


@settings(max_examples=60, deadline=None)
@given(world())
def test_skeleton_and_outcomes(w):
    members, alliances, facts = w
    ros = build_roster(members, alliances, END)
    sk = alliance_years(ros.ends, END)
    assert not sk.duplicated(["atopid", "year"]).any()
    out = outcome_columns(sk, ros)
    panel = pd.concat([sk, out], axis=1)
    for i, (_, begyr, endyr, termmode, leaver) in enumerate(facts):
        rows = panel[panel["atopid"] == 1000 + 5 * i]
        assert rows["year"].min() == begyr
        assert rows["year"].max() == (endyr or END)  # no row after the end
        assert rows["year"].is_monotonic_increasing and rows["year"].diff().dropna().eq(1).all()
        assert rows["event"].sum() == int(endyr > 0)
        if endyr:
            last = rows.iloc[-1]
            assert last["event"] == 1 and last["cause"] == TERMMODE_TO_CAUSE[termmode]
        assert ((rows["event"] == 1) == (rows["cause"] != CAUSE_NONE)).all()
        exits_expected = int(leaver is not None)  # the leaver always exits before the end
        assert rows["n_member_exits"].sum() == exits_expected


@settings(max_examples=60, deadline=None)
@given(world())
def test_phase_transitions_are_not_exits(w):
    members, _alliances, facts = w
    s = spells(members, END)
    for i, (_, _, endyr, _, leaver) in enumerate(facts):
        mine = s[s["atopid"] == 1000 + 5 * i]
        true_exits = mine[mine["true_exit"] == 1]
        n_founders = mine["member"].nunique()
        # An ended alliance: every member truly exits once (the leaver earlier, the rest at
        # the end); in force: only the leaver. Phase-1 rows closed by a transition never count.
        expected = n_founders if endyr else int(leaver is not None)
        assert len(true_exits) == expected
        assert true_exits["member"].is_unique


@settings(max_examples=60, deadline=None)
@given(world())
def test_roster_counts_members_on_first_january(w):
    members, alliances, facts = w
    ros = build_roster(members, alliances, END)
    rows = ros.rows
    roster = member_roster(rows)
    n = roster.groupby(["atopid", "year"]).size()
    phase = phase_in_force(rows)
    for i, (_, begyr, _, _, leaver) in enumerate(facts):
        a = 1000 + 5 * i
        founders = members.loc[members["atopid"] == a, "member"].nunique()
        assert n[(a, begyr)] == founders  # signature year: the founders
        if leaver:
            after = [y for (aa, y) in n.index if aa == a and y > leaver[1]]
            for y in after:
                assert n[(a, y)] == founders - 1
        # the phase in force never decreases over time
        ph = phase.loc[a]
        assert ph.is_monotonic_increasing
