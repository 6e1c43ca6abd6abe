"""Panel rows -> numeric design (numpy only, shared by fitting and forecasting).

Covariates are standardised with the training window's mean and sd; NaN is imputed with
the mean (0 after scaling) and, where at least ``MIN_MISSING`` (5 %) but not all of the
training values are missing, a ``<name>__missing`` indicator column is added (rarer gaps
are just imputed). A covariate with no value at all in the training window (e.g. SIPRI
spending before 1949) carries no information and is left out of the design (``used``
false in the manifest). The scaling constants travel
in the manifest so forecasts encode new rows exactly as the fit did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import DataValidationError
from forecast.model.spec import ModelSpec
from forecast.panel import columns as C

MISSING_SUFFIX = "__missing"
MIN_MISSING = 0.05

#: Level vocabularies of the pooling columns (fixed, so indices are stable across fits).
LEVELS: dict[str, tuple[str, ...]] = {
    "obligation_type": C.OBLIGATION_TYPES,
    "region": C.REGIONS,
    "era": C.ERAS,
}


@dataclass(frozen=True, slots=True)
class Scaling:
    """Training-window constants of one covariate."""

    mean: float
    sd: float
    missing_indicator: bool
    used: bool = True

    def to_dict(self) -> dict:
        """JSON form stored in the manifest."""
        return {
            "mean": self.mean,
            "sd": self.sd,
            "missing_indicator": self.missing_indicator,
            "used": self.used,
        }


@dataclass(slots=True)
class Design:
    """Numeric arrays the PyMC model is built from (one row per unit-year)."""

    y: np.ndarray  # int: 0 = no end, k = causes[k-1]
    X: np.ndarray  # float64 (n, p) standardised covariates (+ missing indicators)
    x_names: tuple[str, ...]
    era_slope_cols: np.ndarray  # int indices into x_names with era-varying slopes
    era: np.ndarray
    age_bin: np.ndarray
    levels: dict[str, np.ndarray]  # pooling column -> level index per row
    cell: np.ndarray  # index into cells (-1: none)
    cells: tuple[str, ...]
    shock: np.ndarray  # 1.0 in the period-shock years
    unit: np.ndarray  # index into units
    units: tuple[int, ...]
    scaling: dict[str, Scaling]
    years: np.ndarray

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.y)


def fit_scaling(frame: pd.DataFrame, covariates: tuple[str, ...]) -> dict[str, Scaling]:
    """Mean, sd and missing-indicator decision of each covariate on the training rows."""
    out: dict[str, Scaling] = {}
    for name in covariates:
        col = pd.to_numeric(frame[name], errors="coerce").astype(float)
        frac_missing = float(col.isna().mean()) if len(col) else 1.0
        mean = float(col.mean()) if frac_missing < 1 else 0.0
        sd = float(col.std(ddof=0)) if frac_missing < 1 else 1.0
        if not np.isfinite(sd) or sd < 1e-9:
            sd = 1.0
        out[name] = Scaling(mean, sd, MIN_MISSING <= frac_missing < 1.0, frac_missing < 1.0)
    return out


def x_names_of(covariates: tuple[str, ...], scaling: dict[str, Scaling]) -> tuple[str, ...]:
    """Design column names: covariates, then their missing indicators."""
    used = tuple(c for c in covariates if scaling[c].used)
    extra = tuple(c + MISSING_SUFFIX for c in used if scaling[c].missing_indicator)
    return used + extra


def encode_covariates(
    frame: pd.DataFrame, covariates: tuple[str, ...], scaling: dict[str, Scaling]
) -> np.ndarray:
    """Standardised, mean-imputed covariates plus missing indicators, shape (n, p)."""
    cols, indicators = [], []
    for name in covariates:
        s = scaling[name]
        if not s.used:
            continue
        raw = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        missing = np.isnan(raw)
        z = np.where(missing, 0.0, (raw - s.mean) / s.sd)
        cols.append(z)
        if s.missing_indicator:
            indicators.append(missing.astype(float))
    if not cols:
        return np.zeros((len(frame), 0))
    return np.column_stack(cols + indicators)


def age_bin_of(age: np.ndarray, age_bins: tuple[int, ...]) -> np.ndarray:
    """Index of the age bin (lower edges ``age_bins``) of each age."""
    a = np.maximum(np.asarray(age, dtype=float), 0)
    return np.searchsorted(np.asarray(age_bins), a, side="right") - 1


def level_index(values: pd.Series | np.ndarray, column: str) -> np.ndarray:
    """Index of each value in the fixed vocabulary of ``column``; unknown -> error."""
    vocab = LEVELS[column]
    lookup = {v: i for i, v in enumerate(vocab)}
    vals = pd.Series(values).astype(str)
    bad = sorted(set(vals) - set(lookup))
    if bad:
        raise DataValidationError(f"column {column!r}: unknown levels {bad}; expected {vocab}")
    return vals.map(lookup).to_numpy(dtype=np.int64)


def cell_label(row_levels: list[str]) -> str:
    """Label of an interaction cell, e.g. ``defense|1946-1989|europe``."""
    return "|".join(row_levels)


def cell_labels(frame: pd.DataFrame, spec: ModelSpec) -> np.ndarray:
    """Interaction-cell label (pooling columns x era) of every row."""
    parts = [frame[c].astype(str).to_numpy() for c in (*spec.pooling, "era")]
    return np.array(["|".join(p) for p in zip(*parts, strict=True)], dtype=object)


def unit_ids(frame: pd.DataFrame, spec: ModelSpec) -> np.ndarray:
    """Integer id of the unit each row belongs to (atopid, or atopid*1000+ccode)."""
    if spec.unit == "member":
        return frame["atopid"].to_numpy(np.int64) * 1000 + frame["ccode"].to_numpy(np.int64)
    return frame["atopid"].to_numpy(np.int64)


def outcome_codes(
    frame: pd.DataFrame, causes: tuple[str, ...], event_column: str = "event"
) -> np.ndarray:
    """0 for no end, k for ``causes[k-1]``. Events with an uncoded cause count as censored
    (one ATOP alliance; its end cannot be attributed to a cause)."""
    event = frame[event_column].fillna(0).astype(int).to_numpy() > 0
    if len(causes) == 1:
        return event.astype(np.int64)
    lookup = {c: i + 1 for i, c in enumerate(causes)}
    cause = frame["cause"].astype(object).map(lambda v: lookup.get(v, 0)).to_numpy(np.int64)
    return np.where(event, cause, 0)


REQUIRED = ("year", "age", "era")


def build_design(
    frame: pd.DataFrame, spec: ModelSpec, scaling: dict[str, Scaling] | None = None
) -> Design:
    """Design arrays of ``frame`` for ``spec``; scaling is fitted on ``frame`` unless given."""
    needed = [*REQUIRED, spec.event_column, *spec.pooling, *spec.covariates]
    if len(spec.causes) > 1:
        needed.append("cause")
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DataValidationError(
            f"panel lacks columns {absent} needed by model {spec.name!r}; rebuild the panel "
            "with `alliance-forecast data build`"
        )
    if len(frame) == 0:
        raise DataValidationError(f"no training rows for model {spec.name!r}")
    frame = frame.reset_index(drop=True)
    scaling = scaling or fit_scaling(frame, spec.covariates)
    X = encode_covariates(frame, spec.covariates, scaling)
    names = x_names_of(spec.covariates, scaling)
    labels = cell_labels(frame, spec)
    cells = tuple(sorted(set(labels))) if spec.pool_cells else ()
    cell_ix = {c: i for i, c in enumerate(cells)}
    uids = unit_ids(frame, spec)
    units, unit_ix = np.unique(uids, return_inverse=True)
    years = frame["year"].to_numpy(np.int64)
    return Design(
        y=outcome_codes(frame, spec.causes, spec.event_column),
        X=X,
        x_names=names,
        era_slope_cols=np.array(
            [names.index(c) for c in spec.era_slopes if c in names], dtype=np.int64
        ),
        era=level_index(frame["era"], "era"),
        age_bin=age_bin_of(frame["age"].to_numpy(), spec.age_bins),
        levels={c: level_index(frame[c], c) for c in spec.pooling},
        cell=np.array([cell_ix.get(c, -1) for c in labels], dtype=np.int64),
        cells=cells,
        shock=np.isin(years, spec.shock_years).astype(float),
        unit=unit_ix.astype(np.int64),
        units=tuple(int(u) for u in units),
        scaling=scaling,
        years=years,
    )
