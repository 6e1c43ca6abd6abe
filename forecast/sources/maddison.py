"""Maddison Project Database 2018 reader (``maddison/maddison-data.csv``).

Source: Bolt, Inklaar, de Jong & van Zanden (2018), "Rebasing 'Maddison': new income
comparisons and the shape of long-run economic development", Maddison Project Working
Paper 10. Country-years with ISO3 codes; ``cgdppc`` real GDP per capita in 2011 US$ (for
cross-country levels), ``pop`` population in thousands. Total GDP (2011 US$ millions) =
``cgdppc × pop / 1000``. Quirk: cp1252/latin-1 text ("Côte d'Ivoire", byte 0xF4).
Codes map to COW through the crosswalk (former-USSR/Yugoslavia/Czechoslovakia aggregates
before their break-ups, successor states after).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate
from forecast.sources.crosswalk import to_cow

FILE = "maddison/maddison-data.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "countrycode": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "country": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(1, 2100)),
        "cgdppc": pa.Column(float, pa.Check.gt(0), nullable=True),
        "pop": pa.Column(float, pa.Check.gt(0), nullable=True),
    },
    coerce=True,
)


def read_maddison(raw_dir: Path) -> pd.DataFrame:
    """Maddison country-years from 1800 with COW codes: ``ccode, year, cgdppc, pop, gdp``
    (``gdp`` in 2011 US$ millions)."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path, encoding="cp1252"), SCHEMA, path)
    check_unique(df, ["countrycode", "year"], path)
    df = df[df["year"] >= 1800]
    out = to_cow(df, "maddison", "countrycode")
    out["gdp"] = out["cgdppc"] * out["pop"] / 1000.0
    check_unique(out, ["ccode", "year"], path)
    return (
        out[["ccode", "year", "cgdppc", "pop", "gdp"]]
        .sort_values(["ccode", "year"])
        .reset_index(drop=True)
    )
