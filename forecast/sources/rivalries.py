"""Thompson–Dreyer strategic rivalries reader (``rivalries/td_rivalries.csv``).

Source: Thompson, W. R. & Dreyer, D. (2011), Handbook of International Rivalries,
1494–2010 (CQ Press). One row per rivalry between two COW states with start and end
years; ``endyear`` 2010 means ongoing at the end of the data (42 rivalries), so a
rivalry "ending" in 2010 is not an end. Types: spatial, positional, ideological,
interventionary.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate

FILE = "rivalries/td_rivalries.csv"
LAST_YEAR = 2010  # endyear == LAST_YEAR means ongoing

SCHEMA = pa.DataFrameSchema(
    {
        "rivalryno": pa.Column(int, pa.Check.ge(1)),
        "ccode1": pa.Column(int, pa.Check.in_range(2, 999)),
        "ccode2": pa.Column(int, pa.Check.in_range(2, 999)),
        "styear": pa.Column(int, pa.Check.in_range(1400, 2100)),
        "endyear": pa.Column(int, pa.Check.in_range(1400, 2100)),
    },
    checks=[pa.Check(lambda d: d["endyear"] >= d["styear"], error="endyear >= styear")],
    coerce=True,
)


def read_rivalries(raw_dir: Path) -> pd.DataFrame:
    """Rivalries: ``rivalryno, rivalryname, ccode1, ccode2, styear, endyear, ongoing``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    check_unique(df, ["rivalryno"], path)
    df["ongoing"] = df["endyear"] >= LAST_YEAR
    cols = ["rivalryno", "rivalryname", "ccode1", "ccode2", "styear", "endyear", "ongoing"]
    return df[cols].sort_values("rivalryno").reset_index(drop=True)
