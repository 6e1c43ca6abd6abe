"""V-Dem readers: v14 core indices (1970–2023) and the older extract (1789–2019).

Sources: Coppedge et al. (2024), V-Dem Country-Year Dataset v14 (CC BY-SA 4.0), file
``vdem/vdem-v14-core-1970-2023.csv`` (converted from an R package, values unchanged); and
the earlier V-Dem extract ``vdem/vdem-poly.csv`` (``v2x_polyarchy`` with ``COWcode``).

v14 has no COW codes: ``country_text_id`` (ISO3-like) maps through
``crosswalks/countries.csv`` (``iso3``) plus year-bounded recodes (``DDR`` -> 265, ``DEU``
before 1991 -> 260, ``YMD`` -> 680, ``YEM`` before 1990 -> 678, ``VDR`` -> 817, ``CZE``
before 1993 -> 315); units without a COW state (Hong Kong, Palestine, Somaliland,
Zanzibar) are dropped. Overlap rule (``data/README.md``): v14 wins for every state-year
it covers; the older extract fills the years v14 does not cover (before 1970).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import (
    check_unique,
    raw_path,
    read_csv,
    validate,
)
from forecast.sources.crosswalk import to_cow

FILE = "vdem/vdem-v14-core-1970-2023.csv"
OLD_FILE = "vdem/vdem-poly.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "country_text_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "year": pa.Column(int, pa.Check.in_range(1700, 2100)),
        "v2x_polyarchy": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "v2x_libdem": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "v2x_regime": pa.Column(float, pa.Check.isin([0, 1, 2, 3]), nullable=True),
    },
    coerce=True,
)

OLD_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(1700, 2100)),
        "COWcode": pa.Column(float, pa.Check.in_range(2, 999), nullable=True),
        "v2x_polyarchy": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
    },
    coerce=True,
)


def read_vdem14(raw_dir: Path) -> pd.DataFrame:
    """V-Dem v14 state-years: ``ccode, year, polyarchy, libdem, regime``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    check_unique(df, ["country_text_id", "year"], path)
    out = to_cow(df, "vdem", "country_text_id")
    check_unique(out, ["ccode", "year"], path)
    out = out.rename(
        columns={"v2x_polyarchy": "polyarchy", "v2x_libdem": "libdem", "v2x_regime": "regime"}
    )
    cols = ["ccode", "year", "polyarchy", "libdem", "regime"]
    return out[cols].sort_values(["ccode", "year"]).reset_index(drop=True)


def read_vdem_old(raw_dir: Path) -> pd.DataFrame:
    """Older V-Dem extract: ``ccode, year, polyarchy`` (rows without a COW code dropped)."""
    path = raw_path(raw_dir, OLD_FILE)
    df = validate(read_csv(path), OLD_SCHEMA, path)
    df = df.dropna(subset=["COWcode"])
    out = pd.DataFrame(
        {"ccode": df["COWcode"].astype(int), "year": df["year"], "polyarchy": df["v2x_polyarchy"]}
    )
    check_unique(out, ["ccode", "year"], path)
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)


def read_vdem(raw_dir: Path) -> pd.DataFrame:
    """V-Dem by the overlap rule: v14 where it covers the state-year, else the older extract.
    Columns ``ccode, year, polyarchy, libdem, regime, vdem_release`` (14 or 10)."""
    new = read_vdem14(raw_dir).assign(vdem_release=14)
    old = read_vdem_old(raw_dir).assign(vdem_release=10)
    have = pd.MultiIndex.from_frame(new[["ccode", "year"]])
    old = old[~pd.MultiIndex.from_frame(old[["ccode", "year"]]).isin(have)]
    out = pd.concat([new, old], ignore_index=True)
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
