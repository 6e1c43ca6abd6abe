"""V-Dem electoral democracy index reader (``vdem/vdem-poly.csv``).

Source: Coppedge et al., V-Dem Country-Year Dataset (``v2x_polyarchy``, 0..1), extract
1789–2019 with COW codes (``COWcode``). 750 rows have no COW code (units that are not COW
states) and are dropped; 1,671 missing index values stay NaN.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate

FILE = "vdem/vdem-poly.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(1700, 2100)),
        "COWcode": pa.Column(float, pa.Check.in_range(2, 999), nullable=True),
        "v2x_polyarchy": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
    },
    coerce=True,
)


def read_vdem(raw_dir: Path) -> pd.DataFrame:
    """V-Dem state-years: ``ccode, year, polyarchy``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    df = df.dropna(subset=["COWcode"])
    out = pd.DataFrame(
        {"ccode": df["COWcode"].astype(int), "year": df["year"], "polyarchy": df["v2x_polyarchy"]}
    )
    check_unique(out, ["ccode", "year"], path)
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
