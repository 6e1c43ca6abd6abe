"""COW Direct Contiguity v3.2 reader (``cow/contdir.csv``).

Source: Stinnett, Tir, Schafer, Diehl & Gochman (2002), "The Correlates of War Project
Direct Contiguity Data, Version 3", Conflict Management and Peace Science 19(2):58–66.
One row per dyad spell; ``conttype`` 1 = land border, 2–5 = separated by up to 12, 24,
150, 400 miles of water. 180 rows carry an undocumented ``conttype`` 0, kept as is
(domain.md §5); use ``conttype == 1`` for land borders.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import raw_path, read_csv, validate

FILE = "cow/contdir.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "ccode1": pa.Column(int, pa.Check.in_range(2, 999)),
        "ccode2": pa.Column(int, pa.Check.in_range(2, 999)),
        "conttype": pa.Column(int, pa.Check.in_range(0, 5)),
        "stdate": pa.Column("datetime64[ns]"),
        "enddate": pa.Column("datetime64[ns]"),
    },
    checks=[pa.Check(lambda d: d["enddate"] >= d["stdate"], error="enddate >= stdate")],
    coerce=True,
)


def read_contdir(raw_dir: Path) -> pd.DataFrame:
    """Contiguity dyad spells: ``ccode1, ccode2, conttype, stdate, enddate``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    return (
        df[list(SCHEMA.columns)].sort_values(["ccode1", "ccode2", "stdate"]).reset_index(drop=True)
    )
