"""COW state-system membership and major-power readers (``cow/states.csv``, ``cow/majors.csv``).

Source: Correlates of War Project (2017), "State System Membership List, v2016" and
"Major Powers, v2016". One row per spell of membership (a state can leave and re-enter,
e.g. France 1940–1945 for the major-power list). Dates are year/month/day columns.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import read_keyed_table

STATES_FILE = "cow/states.csv"
MAJORS_FILE = "cow/majors.csv"

_spell_checks = [
    pa.Check(lambda d: d["endyear"] >= d["styear"], error="endyear >= styear"),
]

STATES_SCHEMA = pa.DataFrameSchema(
    {
        "stateabb": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "statenme": pa.Column(str),
        "styear": pa.Column(int, pa.Check.in_range(1816, 2100)),
        "endyear": pa.Column(int, pa.Check.in_range(1816, 2100)),
    },
    checks=_spell_checks,
    coerce=True,
)

MAJORS_SCHEMA = pa.DataFrameSchema(
    {
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "styear": pa.Column(int, pa.Check.in_range(1816, 2100)),
        "endyear": pa.Column(int, pa.Check.in_range(1816, 2100)),
    },
    checks=_spell_checks,
    coerce=True,
)


def read_states(raw_dir: Path) -> pd.DataFrame:
    """COW system-membership spells: ``stateabb, ccode, statenme, styear, endyear``."""
    return read_keyed_table(raw_dir, STATES_FILE, STATES_SCHEMA, ["ccode", "styear"])


def read_majors(raw_dir: Path) -> pd.DataFrame:
    """COW major-power spells: ``ccode, styear, endyear``."""
    return read_keyed_table(raw_dir, MAJORS_FILE, MAJORS_SCHEMA, ["ccode", "styear"])


#: Last year of the COW v2016 lists: a spell ending then is ongoing (right-censored).
LAST_CODED_YEAR = 2016


def spells_to_years(spells: pd.DataFrame, last: int, first: int = 1816) -> pd.DataFrame:
    """Expand ``ccode, styear, endyear`` spells to unique ``ccode, year`` rows in
    ``first..last``; spells still open in :data:`LAST_CODED_YEAR` run on to ``last`` (no COW
    state entered or left the system, and the major-power list did not change, 2017–2024)."""
    ends = spells["endyear"].where(spells["endyear"] < LAST_CODED_YEAR, max(last, LAST_CODED_YEAR))
    rows = [
        (c, y)
        for c, s, e in zip(spells["ccode"], spells["styear"], ends, strict=True)
        for y in range(max(s, first), min(e, last) + 1)
    ]
    out = pd.DataFrame(rows, columns=["ccode", "year"]).drop_duplicates()
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
