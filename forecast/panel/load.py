"""Public loaders of the committed derived tables (used by model, API and jobs).

Each loader reads ``<data_dir>/<table>.parquet`` (default ``settings.data_dir``),
validates it against its schema and raises :class:`DataValidationError` with a fix hint
when the file is absent or invalid. pandas + pyarrow only: safe for the serving path.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.errors as pa_errors

from forecast.config import get_settings
from forecast.errors import DataValidationError
from forecast.panel.schema import TABLES

FIX_HINT = "run `alliance-forecast data build` to (re)build it"


def _load(table: str, data_dir: Path | None) -> pd.DataFrame:
    folder = Path(data_dir) if data_dir is not None else get_settings().data_dir
    filename, schema = TABLES[table]
    path = folder / filename
    if not path.is_file():
        raise DataValidationError(f"{path}: derived table '{table}' not found; {FIX_HINT}.")
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise DataValidationError(f"{path}: cannot read Parquet ({exc}); {FIX_HINT}.") from exc
    try:
        return schema.validate(df, lazy=True)
    except pa_errors.SchemaErrors as exc:
        fc = exc.failure_cases
        first = fc.head(3)[["column", "check", "failure_case"]].to_dict("records")
        raise DataValidationError(
            f"{path}: table '{table}' fails its schema ({len(fc)} failures, e.g. {first}); "
            f"{FIX_HINT}."
        ) from exc


def load_panel(data_dir: Path | None = None) -> pd.DataFrame:
    """The alliance-year panel (one row per ``atopid, year``; see ``forecast.panel.columns``)."""
    return _load("alliance_year", data_dir)


def load_member_panel(data_dir: Path | None = None) -> pd.DataFrame:
    """The member-year panel of multilateral alliances (``atopid, ccode, year, exit, ...``)."""
    return _load("member_year", data_dir)


def load_state_year(data_dir: Path | None = None) -> pd.DataFrame:
    """The state-year indicator table (``ccode, year`` and raw indicators, unlagged)."""
    return _load("state_year", data_dir)


def load_alliances(data_dir: Path | None = None) -> pd.DataFrame:
    """One row per alliance: name, dates, status, cause, obligations, size, region."""
    return _load("alliances", data_dir)


def load_alliance_members(data_dir: Path | None = None) -> pd.DataFrame:
    """One row per alliance × member × phase spell, with names and codes."""
    return _load("alliance_members", data_dir)


def data_manifest_sha256(data_dir: Path | None = None) -> str | None:
    """The combined hash recorded in ``<data_dir>/manifest.json`` (None when absent)."""
    import json

    folder = Path(data_dir) if data_dir is not None else get_settings().data_dir
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text()).get("sha256")
