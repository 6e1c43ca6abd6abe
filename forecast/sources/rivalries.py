"""Thompson–Sakuwa–Suhas strategic rivalries reader (``rivalries/tss_rivalries_1494_2020.csv``).

Source: Thompson, W. R., Sakuwa, K. & Suhas, P. H. (2021), Analyzing Strategic
Rivalries in World Politics (Springer), 1494–2020; the successor of Thompson & Dreyer
(2011), which it covers entirely (so the Thompson–Dreyer file is not read). One row per
rivalry between two COW states with ``start`` and ``end`` years (converted from an R
``.rda``: codes and years are stored as floats) and type flags (positional, spatial,
ideological, interventionary; blank = 0). ``end`` 2020 means ongoing at the end of the
data (right-censored), not an end.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate

FILE = "rivalries/tss_rivalries_1494_2020.csv"
LAST_YEAR = 2020  # end == LAST_YEAR means ongoing
TYPES = ("positional", "spatial", "ideological", "interventionary")

SCHEMA = pa.DataFrameSchema(
    {
        "tssr_id": pa.Column(int, pa.Check.ge(1)),
        "ccode1": pa.Column(int, pa.Check.in_range(2, 999)),
        "ccode2": pa.Column(int, pa.Check.in_range(2, 999)),
        "start": pa.Column(int, pa.Check.in_range(1400, 2100)),
        "end": pa.Column(int, pa.Check.in_range(1400, 2100)),
        **{t: pa.Column(float, pa.Check.isin([0, 1]), nullable=True) for t in TYPES},
    },
    checks=[pa.Check(lambda d: d["end"] >= d["start"], error="end >= start")],
    coerce=True,
)


def read_rivalries(raw_dir: Path) -> pd.DataFrame:
    """Rivalries: ``rivalryno, rivalryname, ccode1, ccode2, styear, endyear, ongoing``
    plus the type flags (0/1)."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    check_unique(df, ["tssr_id"], path)
    df = df.rename(
        columns={
            "tssr_id": "rivalryno",
            "rivalry": "rivalryname",
            "start": "styear",
            "end": "endyear",
        }
    )
    df["ongoing"] = df["endyear"] >= LAST_YEAR
    for t in TYPES:
        df[t] = df[t].fillna(0).astype(int)
    cols = ["rivalryno", "rivalryname", "ccode1", "ccode2", "styear", "endyear", "ongoing", *TYPES]
    return df[cols].sort_values("rivalryno").reset_index(drop=True)
