"""SIPRI Military Expenditure Database reader (2025 edition workbook, 1949–2024).

Source: Stockholm International Peace Research Institute, SIPRI Military Expenditure
Database (2025), https://www.sipri.org/databases/milex ("Source: SIPRI Military
Expenditure Database"). File ``sipri/SIPRI-Milex-data-1949-2024.xlsx``, read with
openpyxl. Three sheets are used, each wide (one row per country, one column per year):

* ``Current US$``: US$ m at current prices and exchange rates -> ``milex_current``;
* ``Constant (2023) US$``: US$ m at constant 2023 prices -> ``milex_constant``;
* ``Share of GDP``: a fraction in the workbook -> ``milex_gdp`` in **% of GDP**.

Quirks handled: a title block above the header row (the row whose first cell is
``Country``); region and subregion heading rows between the countries (rows with no
value in any year column: skipped); a ``Notes`` column of footnote marks (and an extra
blank column in the constant-dollar sheet); ``. .``/``...`` = unavailable and ``xxx`` =
not independent (both NaN); names that are not COW names ("Türkiye", "Congo, DR",
"German Democratic Republic", "USSR") map through ``crosswalks/countries.csv``
(``sipri_name``) and the year-bounded ``crosswalks/recodes.csv``. A row with data whose
name maps to no state fails the read unless it is a declared aggregate (the EU).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.errors import DataValidationError
from forecast.sources._io import check_unique, raw_path, validate
from forecast.sources.crosswalk import countries, to_cow

FILE = "sipri/SIPRI-Milex-data-1949-2024.xlsx"

#: Sheet -> output column (share of GDP is converted from a fraction to percent).
SHEETS = {
    "Current US$": "milex_current",
    "Constant (2023) US$": "milex_constant",
    "Share of GDP": "milex_gdp",
}
MISSING_MARKS = {". .", "..", "...", "xxx", ""}

#: Named rows with data that are not states.
AGGREGATES = frozenset({"European Union"})


LONG_SCHEMA = pa.DataFrameSchema(
    {
        "country": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(1949, 2100)),
        "value": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    coerce=True,
)


def _cell(v: object, path: Path, sheet: str, name: str, year: int) -> float | None:
    if v is None:
        return None
    if isinstance(v, int | float):
        return float(v)
    text = str(v).strip()
    if text in MISSING_MARKS:
        return None
    try:
        return float(text)
    except ValueError:
        raise DataValidationError(
            f"{path}: sheet '{sheet}', {name} {year}: unexpected value {text!r} "
            "(numbers, '. .', '...' or 'xxx' expected). Restore the published workbook."
        ) from None


def read_sheet(path: Path, sheet: str, rows: list[tuple]) -> pd.DataFrame:
    """One wide sheet in long form: ``country, year, value`` (region rows dropped)."""
    header = next((i for i, r in enumerate(rows) if r and r[0] == "Country"), None)
    if header is None:
        raise DataValidationError(f"{path}: sheet '{sheet}' has no header row starting 'Country'")
    cols = {j: int(c) for j, c in enumerate(rows[header]) if isinstance(c, int | float)}
    if not cols:
        raise DataValidationError(f"{path}: sheet '{sheet}' has no year columns")
    out = []
    for r in rows[header + 1 :]:
        if not r or r[0] is None or not str(r[0]).strip():
            continue
        name = str(r[0]).strip()
        cells = [(y, r[j] if j < len(r) else None) for j, y in cols.items()]
        if all(v is None for _, v in cells):
            continue  # region / subregion heading
        out += [(name, y, _cell(v, path, sheet, name, y)) for y, v in cells]
    return pd.DataFrame(out, columns=["country", "year", "value"])


def _load_rows(path: Path) -> dict[str, list[tuple]]:
    import openpyxl  # deferred: only the data build needs it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DataValidationError(
            f"{path}: not a readable xlsx workbook ({exc}). Restore the published file."
        ) from exc
    try:
        missing = [s for s in SHEETS if s not in wb.sheetnames]
        if missing:
            raise DataValidationError(f"{path}: sheet(s) {missing} missing; found {wb.sheetnames}")
        return {s: list(wb[s].iter_rows(values_only=True)) for s in SHEETS}
    finally:
        wb.close()


def read_sipri(raw_dir: Path) -> pd.DataFrame:
    """SIPRI state-years with COW codes: ``ccode, year, milex_current, milex_constant``
    (US$ m) and ``milex_gdp`` (% of GDP)."""
    path = raw_path(raw_dir, FILE)
    frames = []
    for sheet, rows in _load_rows(path).items():
        long = validate(read_sheet(path, sheet, rows), LONG_SCHEMA, path)
        named = set(long.loc[long["value"].notna(), "country"])
        known = set(countries()["sipri_name"].dropna().str.strip()) | {"USSR", "Serbia"}
        unknown = sorted(named - known - AGGREGATES)
        if unknown:
            raise DataValidationError(
                f"{path}: sheet '{sheet}': country names {unknown[:6]} map to no COW state; "
                "add them to forecast/sources/crosswalks/countries.csv (sipri_name)."
            )
        cow = to_cow(long[~long["country"].isin(AGGREGATES)], "sipri", "country")
        cow = cow.dropna(subset=["value"])
        check_unique(cow, ["ccode", "year"], path)
        frames.append(cow.set_index(["ccode", "year"])["value"].rename(SHEETS[sheet]))
    out = pd.concat(frames, axis=1).reset_index()
    out["milex_gdp"] = out["milex_gdp"] * 100.0
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
