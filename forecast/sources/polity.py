"""Polity5 reader (``polity/p5v2018.csv``).

Source: Marshall & Gurr (2020), Polity5: Political Regime Characteristics and
Transitions, 1800–2018. Polity5 revises Polity IV's history and covers all of its years,
so Polity IV is not read (the overlap rule in ``data/README.md``: the newer release wins
wherever it covers a state-year). ``polity2`` runs −10..10 (the
interpolated series); ``polity`` carries the special codes −66 (interruption), −77
(interregnum), −88 (transition), set to NaN here. ``regtrans`` is coded only in
transition years (blank otherwise; special codes 96–99, −66, −77, −88 kept).
Polity uses its own country codes: recoded to COW through ``crosswalks/recodes.csv``
(342/347→345, 348→341, 341→347, 364→365, 769→770, 818→816, 99→100, 324→325, 529→530,
626→625, 525→626). Where two Polity units map to one COW state-year, the COW-coded unit wins.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import raw_path, read_csv, validate
from forecast.sources.crosswalk import to_cow

FILE = "polity/p5v2018.csv"
SPECIAL_CODES = (-66, -77, -88)

SCHEMA = pa.DataFrameSchema(
    {
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "year": pa.Column(int, pa.Check.in_range(1700, 2100)),
        "polity": pa.Column(
            float, pa.Check.isin(list(range(-10, 11)) + list(SPECIAL_CODES)), nullable=True
        ),
        "polity2": pa.Column(float, pa.Check.in_range(-10, 10), nullable=True),
        "regtrans": pa.Column(float, nullable=True),
    },
    coerce=True,
)


def read_polity(raw_dir: Path) -> pd.DataFrame:
    """Polity state-years in COW codes: ``ccode, year, polity, polity2, regtrans, polity_code``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    df = df.rename(columns={"ccode": "polity_code"})
    df["polity"] = df["polity"].where(~df["polity"].isin(SPECIAL_CODES), np.nan)
    out = to_cow(df, "polity", "polity_code")
    out["own_code"] = out["polity_code"] == out["ccode"]
    out = out.sort_values(["ccode", "year", "own_code"], ascending=[True, True, False])
    out = out.drop_duplicates(["ccode", "year"])
    return out[["ccode", "year", "polity", "polity2", "regtrans", "polity_code"]].reset_index(
        drop=True
    )
