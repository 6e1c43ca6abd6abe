"""pandera schemas of the derived tables (validated on build and on every load)."""

from __future__ import annotations

import pandera.pandas as pa

from forecast.panel import columns as C

#: Years a table may hold (the data edge itself is checked by the build, not here).
_year = pa.Column(int, pa.Check.in_range(1815, 2100))
_float = pa.Column(float, nullable=True)


def _one_row_per_key(df):  # type: ignore[no-untyped-def]
    return ~df.duplicated(["atopid", "year"])


def _event_in_last_row(df):  # type: ignore[no-untyped-def]
    last = df.groupby("atopid")["year"].transform("max") == df["year"]
    return (df["event"] == 0) | last


def _cause_iff_event(df):  # type: ignore[no-untyped-def]
    return (df["event"] == 1) == (df["cause"] != C.CAUSE_NONE)


ALLIANCE_YEAR_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 9999)),
        "year": _year,
        "event": pa.Column(int, pa.Check.isin([0, 1])),
        "cause": pa.Column(str, pa.Check.isin([C.CAUSE_NONE, *C.CAUSES])),
        "n_member_exits": pa.Column(int, pa.Check.ge(0)),
        "outcome_source": pa.Column(str, pa.Check.isin(list(C.OUTCOME_SOURCES))),
        "begyr": _year,
        "age": pa.Column(int, pa.Check.ge(0)),
        "phase": pa.Column(int, pa.Check.in_range(0, 9)),
        "obligation_type": pa.Column(str, pa.Check.isin(list(C.OBLIGATION_TYPES))),
        "era": pa.Column(str, pa.Check.isin(list(C.ERAS))),
        "region": pa.Column(str, pa.Check.isin(list(C.REGIONS))),
        "n_members": pa.Column(int, pa.Check.ge(1)),
        **{c: _float for c in C.COVARIATES},
    },
    checks=[
        pa.Check(_one_row_per_key, error="one row per (atopid, year)"),
        pa.Check(_event_in_last_row, error="event only in an alliance's last row"),
        pa.Check(_cause_iff_event, error="cause != 'none' iff event == 1"),
        pa.Check(lambda d: d["age"] == d["year"] - d["begyr"], error="age == year - begyr"),
    ],
    strict=False,
    coerce=False,
)

MEMBER_YEAR_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 9999)),
        "ccode": pa.Column(int, pa.Check.in_range(2, 9999)),
        "year": _year,
        "exit": pa.Column(int, pa.Check.isin([0, 1])),
        "exit_cause": pa.Column(str, pa.Check.isin([C.CAUSE_NONE, *C.CAUSES])),
    },
    checks=[
        pa.Check(
            lambda d: ~d.duplicated(["atopid", "ccode", "year"]),
            error="one row per (atopid, ccode, year)",
        ),
        pa.Check(
            lambda d: (d["exit"] == 1) == (d["exit_cause"] != C.CAUSE_NONE),
            error="exit_cause != 'none' iff exit == 1",
        ),
    ],
    strict=False,
)

ALLIANCES_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 9999), unique=True),
        "name": pa.Column(str, pa.Check.str_length(min_value=3)),
        "begyr": _year,
        "endyr": pa.Column("Int64", nullable=True),
        "in_force": pa.Column(bool),
        "cause": pa.Column(object, nullable=True),
        "obligation_type": pa.Column(str, pa.Check.isin(list(C.OBLIGATION_TYPES))),
        "bilateral": pa.Column(bool),
        "n_members": pa.Column(int, pa.Check.ge(1)),
        "region": pa.Column(str, pa.Check.isin(list(C.REGIONS))),
    },
    checks=[pa.Check(lambda d: d["in_force"] == d["endyr"].isna(), error="endyr NA iff in force")],
    strict=False,
)

ALLIANCE_MEMBERS_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int),
        "ccode": pa.Column(int),
        "phase": pa.Column(int),
        "yrent": _year,
        "yrexit": pa.Column("Int64", nullable=True),
    },
    strict=False,
)

STATE_YEAR_SCHEMA = pa.DataFrameSchema(
    {"ccode": pa.Column(int), "year": pa.Column(int)},
    checks=[pa.Check(lambda d: ~d.duplicated(["ccode", "year"]), error="one row per state-year")],
    strict=False,
)

#: Table name -> (file name, schema).
TABLES = {
    "alliance_year": ("alliance_year.parquet", ALLIANCE_YEAR_SCHEMA),
    "member_year": ("member_year.parquet", MEMBER_YEAR_SCHEMA),
    "state_year": ("state_year.parquet", STATE_YEAR_SCHEMA),
    "alliances": ("alliances.parquet", ALLIANCES_SCHEMA),
    "alliance_members": ("alliance_members.parquet", ALLIANCE_MEMBERS_SCHEMA),
}
