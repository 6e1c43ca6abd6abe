"""CHISOLS v5.0 reader (``chisols/CHISOLSstyr5_0.csv``; latin-1).

Source: Mattes, Leeds & Matsumura (2016), "Measuring change in source of leader support:
The CHISOLS dataset", Journal of Peace Research 53(2):259–267; version 5.0. State-years
1919–2018 (COW codes), a superset of v4.0 (1919–2008), which is therefore not read.
``solschdum`` = 1 if the leader's source of support changed in the year;
``dem`` = democracy dummy. Quirk: mixed-type columns — ``dem`` holds 0/1 as numbers and
strings plus "Transition Year" (-> NaN), other columns hold "Not Applicable" strings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import (
    check_unique,
    raw_path,
    read_csv,
    to_numeric,
    validate,
)

FILE = "chisols/CHISOLSstyr5_0.csv"
LAST_YEAR = 2018
TEXT_MISSING = ("Transition Year", "Not Applicable", "NA", ".")

SCHEMA = pa.DataFrameSchema(
    {
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "year": pa.Column(int, pa.Check.in_range(1900, 2100)),
        "solschdum": pa.Column(float, pa.Check.isin([0, 1]), nullable=True),
        "solschange": pa.Column(float, pa.Check.ge(0), nullable=True),
        "leadertrans": pa.Column(float, pa.Check.ge(0), nullable=True),
        "dem": pa.Column(float, pa.Check.isin([0, 1]), nullable=True),
    },
    coerce=True,
)


def read_chisols(raw_dir: Path) -> pd.DataFrame:
    """CHISOLS state-years: ``ccode, year, solschdum, solschange, leadertrans, dem``."""
    path = raw_path(raw_dir, FILE)
    df = read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
    cols = list(SCHEMA.columns)
    sub = df[[c for c in cols if c in df.columns]].apply(lambda s: s.str.strip())
    sub = sub.replace({t: np.nan for t in (*TEXT_MISSING, "")})
    sub = to_numeric(sub, cols, path)
    out = validate(sub, SCHEMA, path)
    check_unique(out, ["ccode", "year"], path)
    return out[cols].sort_values(["ccode", "year"]).reset_index(drop=True)
