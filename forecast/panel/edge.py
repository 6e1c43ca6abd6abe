"""The data edge: the panel's last year and, per source and covariate family, the last
year with data.

The panel's end year is the latest year of the sources that run to the present
(:data:`EDGE_INPUTS`: SIPRI spending and UCDP conflict, both 2024): alliance-years run to
it, recorded events dated up to it are applied, later ones wait for the edge to move.
Forecasts are issued as of this year. The build writes the edge into
``data/manifest.json``; :func:`data_edge` and :func:`data_through` read it back (pure
JSON: safe for the serving path).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.errors import DataValidationError

#: Inputs whose last year sets the panel's end year (the earliest of their last years).
EDGE_INPUTS = ("sipri", "ucdp")

#: Value columns whose last non-missing year is the input's ``data_through``.
VALUE_COLUMNS = {
    "atop_alliances": "begyr",
    "atop_members": "yrent",
    "atop_phases": "begyr",
    "events": None,
    "nmc": "cinc",
    "states": None,
    "majors": None,
    "depth": None,
    "sipri": "milex_current",
    "wdi": "gdp_current",
    "polity": "polity2",
    "vdem": "polyarchy",
    "chisols": "solschdum",
    "lsthreat": "lsthreat",
    "terrthreat": "terrthreat",
    "gml_mids": "year",
    "cow_mids": "year",
    "rivalries": "endyear",
    "archigos": "start_year",
    "ucdp": "year",
}


def source_last_year(name: str, df: pd.DataFrame) -> int | None:
    """Last year with data of one input frame (None for undated inputs)."""
    from forecast.sources.atop import ATOP_LAST_YEAR
    from forecast.sources.states import LAST_CODED_YEAR

    if name.startswith("atop_"):
        return ATOP_LAST_YEAR
    if name in ("states", "majors"):
        return LAST_CODED_YEAR
    if name == "events":
        return int(df["date"].dt.year.max()) if len(df) else None
    if name == "depth":
        return None
    if name == "archigos":
        return int(df["enddate"].dt.year.max())
    col = VALUE_COLUMNS[name]
    year = "year" if "year" in df.columns else col
    return int(df.loc[df[col].notna(), year].max())


def _manifest(data_dir: Path | None) -> dict[str, Any]:
    from forecast.config import get_settings

    folder = Path(data_dir) if data_dir is not None else get_settings().data_dir
    path = folder / "manifest.json"
    try:
        man = json.loads(path.read_text())
        man["data_edge"]["end_year"]
        return man
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataValidationError(
            f"{path}: no readable data edge ({exc}); run `alliance-forecast data build`."
        ) from exc


def data_edge(data_dir: Path | None = None) -> int:
    """The panel's end year: forecasts are issued as of it (``as_of``)."""
    return int(_manifest(data_dir)["data_edge"]["end_year"])


def data_through(data_dir: Path | None = None) -> dict[str, dict[str, int | None]]:
    """``{"families": {family: year}, "covariates": {name: year}, "sources": {input: year}}``:
    the last year with data behind each (from the manifest)."""
    return _manifest(data_dir)["data_through"]
