"""Country-code crosswalks: Polity, Gleditsch–Ward, ISO3 (WDI, V-Dem) and SIPRI names -> COW ccode.

Data files (reviewed by hand, tested in ``tests/sources/test_crosswalk.py``):

* ``crosswalks/countries.csv``: one row per COW state: ``ccode, stateabb, name, iso3,
  gwcode, polity_code, sipri_name`` (``sipri_name``: the name in the 2025 SIPRI workbook;
  ``iso3`` serves WDI and V-Dem's ``country_text_id``).
* ``crosswalks/recodes.csv``: year-bounded exceptions ``source, code, first_year,
  last_year, ccode`` (blank ``ccode`` = drop those rows, e.g. the former-USSR aggregate
  after 1991). Recodes win over the main mapping.

Polity and GW codes equal COW codes except for the recodes (domain.md §4).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).with_name("crosswalks")
COUNTRIES_FILE = HERE / "countries.csv"
RECODES_FILE = HERE / "recodes.csv"

#: Column of countries.csv holding each source's code (None: identity with ccode).
SOURCE_COLUMN = {
    "polity": None,
    "gw": None,
    "sipri": "sipri_name",
    "wdi": "iso3",
    "vdem": "iso3",
}


@lru_cache(maxsize=1)
def countries() -> pd.DataFrame:
    """The COW country table with codes in the other systems."""
    return pd.read_csv(
        COUNTRIES_FILE,
        dtype={"stateabb": str, "name": str, "iso3": str, "sipri_name": str},
        keep_default_na=False,
        na_values=[""],
    )


@lru_cache(maxsize=1)
def recodes() -> pd.DataFrame:
    """Year-bounded code exceptions (``ccode`` NA = drop)."""
    df = pd.read_csv(
        RECODES_FILE, dtype={"code": str, "source": str}, keep_default_na=False, na_values=[""]
    )
    df["ccode"] = df["ccode"].astype("Int64")
    return df


def to_cow(df: pd.DataFrame, source: str, code_col: str, year_col: str = "year") -> pd.DataFrame:
    """Add an integer ``ccode`` column to ``df`` (rows that map to no COW state are dropped).

    ``source`` is one of ``polity``, ``gw``, ``sipri``, ``wdi``, ``vdem``.
    """
    if source not in SOURCE_COLUMN:
        raise ValueError(f"unknown crosswalk source {source!r}; use one of {list(SOURCE_COLUMN)}")
    out = df.copy()
    codes = out[code_col].astype(str).str.strip()
    col = SOURCE_COLUMN[source]
    cty = countries()
    if col is None:
        known = set(cty["ccode"])
        num = pd.to_numeric(codes, errors="coerce")
        main = num.where(num.isin(known))
    else:
        lookup = cty.dropna(subset=[col]).set_index(cty.dropna(subset=[col])[col].str.strip())
        main = codes.map(lookup["ccode"])
    result = main.astype("Float64")
    rc = recodes()
    rc = rc[rc["source"] == source]
    years = out[year_col]
    for row in rc.itertuples(index=False):
        hit = (codes == row.code.strip()) & years.between(row.first_year, row.last_year)
        result[hit] = pd.NA if pd.isna(row.ccode) else float(row.ccode)
    out["ccode"] = result
    out = out[out["ccode"].notna()].copy()
    out["ccode"] = out["ccode"].astype(int)
    return out
