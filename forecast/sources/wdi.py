"""World Bank WDI nominal GDP reader (``gdp/wdi-gdp-current-usd.csv``, NY.GDP.MKTP.CD).

Source: World Bank, World Development Indicators, GDP (current US$), 1960–2023 (CC BY 4.0).
Long layout ``Country Name, Country Code, Year, Value`` with ISO3 codes. Quirks: the file
also holds regional and income aggregates ("Arab World", "AFE", "High income") and
territories without a COW state (Aruba, Hong Kong): every code that maps to no COW state
through ``crosswalks/countries.csv`` (``iso3``) is dropped; series that are not the COW
state of their years (Germany before 1991, Russia before 1992, Czech Republic before 1993)
are dropped by ``crosswalks/recodes.csv``. GDP is in current US$ at market exchange
rates, the same basis as SIPRI's current-dollar spending.
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

FILE = "gdp/wdi-gdp-current-usd.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "Country Code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$")),
        "Year": pa.Column(int, pa.Check.in_range(1960, 2100)),
        "Value": pa.Column(float, pa.Check.gt(0), nullable=True),
    },
    coerce=True,
)


def read_wdi_gdp(raw_dir: Path) -> pd.DataFrame:
    """WDI GDP with COW codes: ``ccode, year, gdp_current`` (US$ m, current prices)."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    check_unique(df, ["Country Code", "Year"], path)
    df = df.rename(columns={"Year": "year"}).dropna(subset=["Value"])
    out = to_cow(df, "wdi", "Country Code")
    check_unique(out, ["ccode", "year"], path)
    out["gdp_current"] = out["Value"] / 1e6
    return (
        out[["ccode", "year", "gdp_current"]].sort_values(["ccode", "year"]).reset_index(drop=True)
    )
