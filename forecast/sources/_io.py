"""Shared plumbing for the raw-data readers: reading CSVs and validating them with pandera.

Every failure becomes a :class:`forecast.errors.DataValidationError` whose message names
the file, the column and (some of) the offending rows, plus how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from forecast.errors import DataValidationError

#: How many offending rows an error message quotes.
MAX_ROWS_IN_MESSAGE = 5


def raw_path(raw_dir: Path, relative: str) -> Path:
    """Path of a raw file under ``raw_dir``; a missing file is a DataValidationError."""
    path = Path(raw_dir) / relative
    if not path.is_file():
        raise DataValidationError(
            f"{path}: raw file not found. Put the published file there or pass "
            f"--raw DIR pointing at the folder that holds '{relative}'."
        )
    return path


def read_csv(path: Path, *, encoding: str = "utf-8", **kwargs: Any) -> pd.DataFrame:
    """Read a CSV strictly in ``encoding``; decoding and parse errors name the file."""
    try:
        return pd.read_csv(path, encoding=encoding, encoding_errors="strict", **kwargs)
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            f"{path}: not valid {encoding} text at byte {exc.start} ({exc.reason}). "
            f"Re-save the file in {encoding} or restore the published original."
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataValidationError(f"{path}: cannot parse as CSV: {exc}") from exc


def require_columns(df: pd.DataFrame, columns: list[str] | tuple[str, ...], path: Path) -> None:
    """Raise if any of ``columns`` is absent from ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(map(str, df.columns[:12]))}{'…' if len(df.columns) > 12 else ''}. "
            "Use the published file (see ../shared/data/SOURCES.md)."
        )


def to_numeric(df: pd.DataFrame, columns: list[str], path: Path) -> pd.DataFrame:
    """Coerce ``columns`` to numbers; a non-numeric cell is an error naming column and rows."""
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        num = pd.to_numeric(out[col], errors="coerce")
        bad = num.isna() & out[col].notna() & (out[col].astype(str).str.strip() != "")
        if bad.any():
            rows = out.index[bad][:MAX_ROWS_IN_MESSAGE].tolist()
            vals = out.loc[bad, col].head(MAX_ROWS_IN_MESSAGE).tolist()
            raise DataValidationError(
                f"{path}: column '{col}' has non-numeric values {vals} at rows {rows} "
                "(0-based data rows). Fix or blank those cells."
            )
        out[col] = num
    return out


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; summarise failures by column with offending rows."""
    require_columns(df, list(schema.columns), path)
    try:
        return schema.validate(df, lazy=True)
    except pa_errors.SchemaErrors as exc:
        raise DataValidationError(_summarise(exc.failure_cases, path)) from exc
    except pa_errors.SchemaError as exc:  # pragma: no cover - lazy=True collects instead
        raise DataValidationError(f"{path}: {exc}") from exc


def _summarise(failures: pd.DataFrame, path: Path) -> str:
    parts = []
    for (column, check), grp in failures.groupby(["column", "check"], dropna=False, sort=False):
        idx = grp["index"].dropna().head(MAX_ROWS_IN_MESSAGE).tolist()
        vals = grp["failure_case"].head(MAX_ROWS_IN_MESSAGE).tolist()
        col = "(frame)" if pd.isna(column) else column
        parts.append(f"column '{col}' fails {check}: values {vals} at rows {idx}")
        if len(parts) >= 6:
            break
    return f"{path}: " + "; ".join(parts)


def check_unique(df: pd.DataFrame, keys: list[str], path: Path) -> None:
    """Raise if the key columns are not unique, naming the duplicated keys."""
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        sample = df.loc[dup, keys].head(MAX_ROWS_IN_MESSAGE).to_dict("records")
        raise DataValidationError(
            f"{path}: duplicate key ({', '.join(keys)}) in {int(dup.sum())} rows, e.g. {sample} "
            f"at rows {df.index[dup][:MAX_ROWS_IN_MESSAGE].tolist()}. Each key must appear once."
        )


def read_keyed_table(
    raw_dir: Path, relative: str, schema: pa.DataFrameSchema, keys: list[str]
) -> pd.DataFrame:
    """Read, validate and key-check a plain CSV: the schema's columns, sorted by ``keys``."""
    path = raw_path(raw_dir, relative)
    df = validate(read_csv(path), schema, path)
    check_unique(df, keys, path)
    return df[list(schema.columns)].sort_values(keys).reset_index(drop=True)
