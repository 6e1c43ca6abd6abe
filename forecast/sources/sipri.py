"""SIPRI Military Expenditure Database reader (``sipri/sipri-milex-data.csv``).

Source: Stockholm International Peace Research Institute, SIPRI Military Expenditure
Database (extract, 1949–2018), https://www.sipri.org/databases/milex. Values are US$
millions at current prices; one row per country (by *name*, no codes), one column per
year. Quirks: the file is **cp1252** ("Côte d’Ivoire" has bytes 0xF4 and 0x92; latin-1
would mangle 0x92), missing values are a single space ``' '``, the name "Congo, Republic
of " has a trailing space, and predecessor states have their own rows (USSR, German DR,
Czechoslovakia, Yugoslavia, "Yemen, North"). Names map to COW codes through
``crosswalks/countries.csv`` and ``crosswalks/recodes.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.errors import DataValidationError
from forecast.sources._io import check_unique, raw_path, read_csv, to_numeric, validate
from forecast.sources.crosswalk import to_cow

FILE = "sipri/sipri-milex-data.csv"

LONG_SCHEMA = pa.DataFrameSchema(
    {
        "country": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(1949, 2100)),
        "sipri_milex": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    coerce=True,
)


def read_sipri(raw_dir: Path) -> pd.DataFrame:
    """SIPRI spending in long form with COW codes: ``ccode, year, country, sipri_milex``
    (US$ m, current). Unmapped names (none in the shipped file) are dropped."""
    path = raw_path(raw_dir, FILE)
    wide = read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)
    if "Country" not in wide.columns:
        raise DataValidationError(f"{path}: missing column 'Country' (SIPRI wide layout expected)")
    year_cols = [c for c in wide.columns if c.strip().isdigit()]
    if not year_cols:
        raise DataValidationError(f"{path}: no year columns (1949, 1950, ...) found")
    check_unique(wide, ["Country"], path)
    blanks = (
        wide[year_cols].apply(lambda s: s.str.strip()).replace({"": None, "..": None, "xxx": None})
    )
    blanks = to_numeric(blanks, year_cols, path)
    long = blanks.assign(country=wide["Country"].str.strip()).melt(
        id_vars="country", var_name="year", value_name="sipri_milex"
    )
    long["year"] = long["year"].astype(int)
    long = validate(long, LONG_SCHEMA, path)
    out = to_cow(long, "sipri", "country")
    check_unique(out, ["ccode", "year"], path)
    return (
        out[["ccode", "year", "country", "sipri_milex"]]
        .sort_values(["ccode", "year"])
        .reset_index(drop=True)
    )
