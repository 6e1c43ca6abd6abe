"""Panel rows -> numeric design (numpy + pandas only, shared by fitting and forecasting).

One documented rule turns raw covariates into model inputs at a forecast origin T
(``forecast.model.spec.Staleness``): level covariates are carried forward within each
alliance for at most ``max_carry_years`` (the year each value was observed is kept, so
forecasts show their staleness); a covariate whose source has ended or not begun at T
(too few alliances in force at T have a value) is left out of that origin's model; the
remaining gaps take the training mean. **No missing-data indicator enters the design**,
so coverage can never act as a predictor. Covariates are standardised with the
training window's mean and sd; those constants, the observed range and each covariate's
status travel in the manifest so forecasts encode rows exactly as the fit did.

Calendar structure: an era with fewer than ``min_era_years`` training years is merged
into the era before it (``era_map``), so a new era is never estimated from a year or
two and never collides with the 1990-92 shock. Outcomes are used up to
``outcome_complete_through`` only (the coding-lag rule of the spec).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from forecast.errors import DataValidationError
from forecast.model.members import MEMBERS
from forecast.model.spec import ModelSpec
from forecast.panel import columns as C

#: Level vocabularies of the pooling columns (fixed, so indices are stable across fits).
LEVELS: dict[str, tuple[str, ...]] = {
    "obligation_type": C.OBLIGATION_TYPES,
    "region": C.REGIONS,
    "era": C.ERAS,
}
OBSERVED = "__observed"


@dataclass(frozen=True, slots=True)
class Scaling:
    """Training-window constants and status of one covariate at one origin."""

    mean: float
    sd: float
    lo: float  # observed training range (scenarios may go a margin beyond it)
    hi: float
    kind: str  # "level" (carried forward) or "event" (base-rate path over a horizon)
    used: bool
    reason: str | None = None  # why it was left out, when not used
    imputed_share: float = 0.0  # training rows with no value (take the mean)

    def to_dict(self) -> dict:
        """JSON form stored in the manifest."""
        return asdict(self)


@dataclass(slots=True)
class Design:
    """Numeric arrays the PyMC model is built from (one row per unit-year)."""

    y: np.ndarray  # int: 0 = no end, k = causes[k-1]
    X: np.ndarray  # float64 (n, p) standardised covariates (mean-imputed)
    x_names: tuple[str, ...]
    era_slope_cols: np.ndarray  # int indices into x_names with era-varying slopes
    era: np.ndarray  # modelled era index (into C.ERAS) of each row
    era_map: tuple[int, ...]  # calendar era index -> modelled era index
    age_bin: np.ndarray
    levels: dict[str, np.ndarray]  # pooling column -> level index per row
    shock: np.ndarray  # 1.0 in the period-shock years
    members: np.ndarray  # (n, S) multiple-membership weights (rows sum to 1 or 0)
    states: tuple[int, ...]  # COW codes of the columns of ``members``
    scaling: dict[str, Scaling]
    years: np.ndarray

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.y)

    @property
    def eras(self) -> tuple[int, ...]:
        """Modelled era indices (sorted)."""
        return tuple(sorted(set(self.era_map)))


def carry_forward(frame: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """``frame`` with level covariates carried forward (``Staleness`` step 1).

    Adds ``<name>__observed``: the panel year of the row the value comes from (NaN when
    there is none). Uses only earlier rows of the same unit, so no future value leaks in.
    """
    key = ["atopid", "ccode"] if spec.unit == "member" else ["atopid"]
    out = frame.sort_values([*key, "year"]).copy()
    limit = spec.staleness.max_carry_years
    for name in spec.covariates:
        if ":" in name:
            continue
        vals = pd.to_numeric(out[name], errors="coerce").astype(float)
        seen = out["year"].astype(float).where(vals.notna())
        if name not in spec.events:
            grouped = pd.DataFrame({"v": vals, "s": seen, **{k: out[k] for k in key}})
            filled = grouped.groupby(key, sort=False)[["v", "s"]].ffill(limit=limit)
            vals, seen = filled["v"], filled["s"]
        out[name] = vals
        out[name + OBSERVED] = seen
    out = add_interactions(out, spec.covariates)
    return out.loc[frame.index]


def add_interactions(frame: pd.DataFrame, covariates: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with every interaction ``a:b`` of ``covariates`` set to ``a * b`` (natural
    units; NaN when a part is unknown or absent). Its ``__observed`` year is the older
    part's. Called after carrying forward and after a scenario changes a part, so the
    product always follows its parts."""
    names = [c for c in covariates if ":" in c]
    if not names:
        return frame
    out = frame.copy()
    for name in names:
        parts = name.split(":")
        if not all(p in out for p in parts):  # a part left out of the model: so is this
            out[name] = np.nan
            continue
        out[name] = np.prod([pd.to_numeric(out[p], errors="coerce") for p in parts], axis=0)
        seen = [out[p + OBSERVED] for p in parts if p + OBSERVED in out]
        if seen:
            out[name + OBSERVED] = pd.concat(seen, axis=1).min(axis=1, skipna=False)
    return out


def fit_scaling(
    train: pd.DataFrame, at_origin: pd.DataFrame, spec: ModelSpec
) -> dict[str, Scaling]:
    """Status, mean, sd and range of each covariate (``Staleness`` steps 2-3).

    ``train``: carried-forward training rows; ``at_origin``: carried-forward rows of the
    origin year (coverage is judged on them).
    """
    out: dict[str, Scaling] = {}
    need = spec.staleness.min_origin_coverage
    for name in spec.covariates:
        col = pd.to_numeric(train[name], errors="coerce").astype(float)
        kind = "event" if name in spec.events else "level"
        coverage = float(at_origin[name].notna().mean()) if len(at_origin) else 0.0
        observed = col.dropna()
        mean = float(observed.mean()) if len(observed) else 0.0
        sd = float(observed.std(ddof=0)) if len(observed) else 1.0
        reason = None
        if coverage < need:
            reason = f"source ended or not begun: {coverage:.0%} of rows at the origin have a value"
        elif len(observed) == 0 or not np.isfinite(sd) or sd < 1e-9:
            reason = "no variation in the training rows"
        out[name] = Scaling(
            mean=mean,
            sd=sd if reason is None else 1.0,
            lo=float(observed.min()) if len(observed) else 0.0,
            hi=float(observed.max()) if len(observed) else 0.0,
            kind=kind,
            used=reason is None,
            reason=reason,
            imputed_share=round(float(col.isna().mean()), 4) if len(col) else 1.0,
        )
    return out


def used_covariates(covariates: tuple[str, ...], scaling: dict[str, Scaling]) -> tuple[str, ...]:
    """Covariates that enter the design, in spec order (= design column names)."""
    return tuple(c for c in covariates if scaling[c].used)


def encode_covariates(
    frame: pd.DataFrame, covariates: tuple[str, ...], scaling: dict[str, Scaling]
) -> np.ndarray:
    """Standardised covariates with gaps at the training mean (z = 0), shape (n, p)."""
    names = used_covariates(covariates, scaling)
    if not names:
        return np.zeros((len(frame), 0))
    cols = []
    for name in names:
        s = scaling[name]
        raw = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        cols.append(np.where(np.isnan(raw), 0.0, (raw - s.mean) / s.sd))
    return np.column_stack(cols)


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


def calendar_era(years: np.ndarray) -> np.ndarray:
    """Calendar era index (into ``C.ERAS``) of each year."""
    return np.searchsorted(np.asarray(C.ERA_BREAKS), np.asarray(years), side="right")


def era_map_of(train_years: np.ndarray, spec: ModelSpec) -> tuple[int, ...]:
    """Calendar era -> modelled era: eras with < ``min_era_years`` training years (or
    none) merge into the modelled era before them (the first era merges forward)."""
    years = np.unique(np.asarray(train_years))
    counts = np.bincount(calendar_era(years), minlength=len(C.ERAS))
    ok = [i for i in range(len(C.ERAS)) if counts[i] >= spec.min_era_years]
    if not ok:
        ok = [int(np.argmax(counts))]
    out = []
    for i in range(len(C.ERAS)):
        before = [j for j in ok if j <= i]
        out.append(before[-1] if before else ok[0])
    return tuple(out)


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


def member_matrix(lists: pd.Series, states: tuple[int, ...]) -> np.ndarray:
    """(n, S) weights: 1/m for each of a row's m members among ``states`` (unknown: 0)."""
    ix = {s: i for i, s in enumerate(states)}
    out = np.zeros((len(lists), len(states)))
    for r, members in enumerate(lists):
        known = [ix[m] for m in members if m in ix]
        if members:
            out[r, known] = 1.0 / len(members)
    return out


def training_window(panel: pd.DataFrame, spec: ModelSpec, origin: int) -> pd.DataFrame:
    """Rows whose outcome counts at ``origin``: ``year <= min(origin, complete-through)``."""
    last = (
        origin
        if spec.outcome_complete_through is None
        else min(origin, spec.outcome_complete_through)
    )
    return panel[panel["year"] <= last]


REQUIRED = ("year", "age", "era")


def _check_columns(frame: pd.DataFrame, spec: ModelSpec) -> None:
    plain = [c for c in spec.covariates if ":" not in c]
    needed = [*REQUIRED, spec.event_column, *spec.pooling, *plain]
    if len(spec.causes) > 1:
        needed.append("cause")
    if spec.member_effects:
        needed.append(MEMBERS)
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        hint = (
            " (attach member lists with forecast.model.members.load_model_panel)"
            if MEMBERS in absent
            else ""
        )
        raise DataValidationError(
            f"panel lacks columns {absent} needed by model {spec.name!r}; rebuild the panel "
            f"with `alliance-forecast data build`{hint}"
        )


def prepare(panel: pd.DataFrame, spec: ModelSpec, origin: int) -> tuple[pd.DataFrame, dict]:
    """Carried-forward training rows at ``origin`` and the covariate scaling."""
    _check_columns(panel, spec)
    known = carry_forward(panel[panel["year"] <= origin], spec)
    train = training_window(known, spec, origin)
    if len(train) == 0:
        raise DataValidationError(f"no training rows for model {spec.name!r} at {origin}")
    return train, fit_scaling(train, known[known["year"] == origin], spec)


def build_design(frame: pd.DataFrame, spec: ModelSpec, scaling: dict[str, Scaling]) -> Design:
    """Design arrays of carried-forward training rows ``frame`` (see :func:`prepare`)."""
    _check_columns(frame, spec)
    frame = frame.reset_index(drop=True)
    names = used_covariates(spec.covariates, scaling)
    years = frame["year"].to_numpy(np.int64)
    era_map = era_map_of(years, spec)
    if spec.member_effects:
        states = tuple(sorted({int(m) for ms in frame[MEMBERS] for m in ms}))
        members = member_matrix(frame[MEMBERS], states)
    else:
        states, members = (), np.zeros((len(frame), 0))
    return Design(
        y=outcome_codes(frame, spec.causes, spec.event_column),
        X=encode_covariates(frame, spec.covariates, scaling),
        x_names=names,
        era_slope_cols=np.array(
            [names.index(c) for c in spec.era_slopes if c in names], dtype=np.int64
        ),
        era=np.asarray(era_map)[calendar_era(years)],
        era_map=era_map,
        age_bin=age_bin_of(frame["age"].to_numpy(), spec.age_bins),
        levels={c: level_index(frame[c], c) for c in spec.pooling},
        shock=np.isin(years, spec.shock_years).astype(float),
        members=members,
        states=states,
        scaling=scaling,
        years=years,
    )
