"""Reference forecasters the Bayesian model must beat, fitted on the same folds.

Each baseline is fitted on the panel known at the end of the origin ``T`` (rows with
``year <= T``) and predicts, for every alliance in force at the end of ``T``, the
probability that it ends in ``T+1..T+H``:

* ``climatology``: one constant yearly hazard (ends / alliance-years), ``1 - (1 - h)^H``.
* ``climatology_30y``, ``climatology_10y``, ``climatology_5y``: the same over the last
  30, 10 or 5 years before the origin only (recent-window climatologies).
* ``life_table``: Kaplan–Meier (actuarial) hazard by alliance age, ages from 40 pooled.
* ``logistic``: discrete-time logistic hazard (statsmodels GLM, light ridge) on age, era,
  obligation type and the panel covariates; covariates held at their last values; a
  future era unseen in training takes the last era seen.
* ``cox``: lifelines Cox model on alliance durations with covariates at signature;
  conditional survival given survival to the current age.

Missing covariates are imputed with the training median plus a missing indicator.
"""

from __future__ import annotations

import warnings
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.panel.columns import COVARIATES, ERAS, OBLIGATION_TYPES, era_of

#: Ages at or above this are pooled into one life-table cell (few alliances live that long).
AGE_CAP = 40


class Baseline(Protocol):
    """A reference forecaster: ``fit`` on a training panel, ``predict`` P(end within H)."""

    name: str

    def fit(self, train: pd.DataFrame) -> Baseline: ...

    def predict(self, at_risk: pd.DataFrame, horizon: int) -> np.ndarray: ...


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} needs panel columns {missing}; rebuild the panel")
    if frame.empty:
        raise InputError(f"{what}: empty training panel")


def _p_from_hazard(h: float | np.ndarray, horizon: int) -> np.ndarray:
    return 1.0 - np.power(1.0 - np.asarray(h, dtype=float), horizon)


class Climatology:
    """Constant yearly hazard estimated on the whole training panel (or its last ``years``)."""

    def __init__(self, years: int | None = None) -> None:
        self.years = years
        self.name = "climatology" if years is None else f"climatology_{years}y"
        self.hazard_: float | None = None

    def fit(self, train: pd.DataFrame) -> Climatology:
        _require(train, ("year", "event"), self.name)
        rows = train
        if self.years is not None:
            rows = train.loc[train["year"] > train["year"].max() - self.years]
        self.hazard_ = float(rows["event"].mean())
        return self

    def predict(self, at_risk: pd.DataFrame, horizon: int) -> np.ndarray:
        if self.hazard_ is None:
            raise RuntimeError(f"{self.name}: call fit() first")
        return np.full(len(at_risk), _p_from_hazard(self.hazard_, horizon))


class LifeTable:
    """Discrete-time Kaplan–Meier hazard by alliance age: h(a) = ends at age a / alive at a."""

    name = "life_table"

    def __init__(self, age_cap: int = AGE_CAP) -> None:
        self.age_cap = age_cap
        self.hazard_: np.ndarray | None = None  # index = age 0..age_cap

    def fit(self, train: pd.DataFrame) -> LifeTable:
        _require(train, ("age", "event"), self.name)
        age = np.minimum(train["age"].to_numpy(dtype=int), self.age_cap)
        at_risk = np.bincount(age, minlength=self.age_cap + 1).astype(float)
        ends = np.bincount(age, weights=train["event"].to_numpy(float), minlength=self.age_cap + 1)
        overall = ends.sum() / at_risk.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            h = np.where(at_risk > 0, ends / at_risk, overall)
        self.hazard_ = h
        return self

    def predict(self, at_risk: pd.DataFrame, horizon: int) -> np.ndarray:
        if self.hazard_ is None:
            raise RuntimeError("life_table: call fit() first")
        ages = at_risk["age"].to_numpy(dtype=int)[:, None] + np.arange(1, horizon + 1)[None, :]
        h = self.hazard_[np.minimum(ages, self.age_cap)]
        return 1.0 - np.prod(1.0 - h, axis=1)


class _Design:
    """Standardised design: numeric covariates (median-imputed, missing flags) and dummies."""

    def __init__(self, numeric: list[str], categorical: dict[str, tuple[str, ...]]) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.center_: pd.Series | None = None
        self.scale_: pd.Series | None = None
        self.flags_: list[str] = []
        self.columns_: list[str] = []

    def _raw(self, frame: pd.DataFrame) -> pd.DataFrame:
        num = frame[self.numeric].astype(float)
        parts = [num]
        if self.flags_:
            parts.append(num[self.flags_].isna().astype(float).add_suffix("_missing"))
        for col, levels in self.categorical.items():
            for level in levels[1:]:  # first level = reference
                parts.append((frame[col] == level).astype(float).rename(f"{col}={level}"))
        return pd.concat(parts, axis=1)

    def fit(self, frame: pd.DataFrame) -> _Design:
        num = frame[self.numeric].astype(float)
        self.flags_ = [c for c in self.numeric if num[c].isna().any()]
        raw = self._raw(frame)
        self.center_ = raw.median()
        filled = raw.fillna(self.center_)
        sd = filled.std(ddof=0)
        keep = sd > 0
        self.columns_ = list(raw.columns[keep])
        self.scale_ = sd[keep]
        self.center_ = self.center_[keep]
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        raw = self._raw(frame)[self.columns_]
        return (raw.fillna(self.center_) - self.center_) / self.scale_


def _covariates(frame: pd.DataFrame) -> list[str]:
    return [c for c in COVARIATES if c in frame.columns and frame[c].notna().any()]


class LogisticHazard:
    """Discrete-time logistic hazard on log age, era, obligation type and the covariates."""

    name = "logistic"
    ridge: ClassVar[float] = 1e-3

    def __init__(self) -> None:
        self.design_: _Design | None = None
        self.params_: np.ndarray | None = None
        self.last_era_: str = ERAS[-1]

    @staticmethod
    def _features(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out["log_age"] = np.log1p(out["age"].astype(float))
        out["age0"] = (out["age"] == 0).astype(float)
        return out

    def fit(self, train: pd.DataFrame) -> LogisticHazard:
        import statsmodels.api as sm

        _require(train, ("age", "event", "era", "obligation_type"), self.name)
        frame = self._features(train)
        eras = tuple(e for e in ERAS if (frame["era"] == e).any())
        self.last_era_ = eras[-1]
        self.design_ = _Design(
            ["log_age", "age0", *_covariates(frame)],
            {"era": eras, "obligation_type": OBLIGATION_TYPES},
        ).fit(frame)
        x = sm.add_constant(self.design_.transform(frame).to_numpy(), has_constant="add")
        y = frame["event"].to_numpy(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = sm.GLM(y, x, family=sm.families.Binomial()).fit_regularized(
                alpha=self.ridge, L1_wt=0.0
            )
        self.params_ = np.asarray(fit.params)
        return self

    def predict(self, at_risk: pd.DataFrame, horizon: int) -> np.ndarray:
        if self.design_ is None or self.params_ is None:
            raise RuntimeError("logistic: call fit() first")
        survive = np.ones(len(at_risk))
        for k in range(1, horizon + 1):
            step = at_risk.copy()
            step["age"] = step["age"] + k
            step["year"] = step["year"] + k
            step["era"] = [min(era_of(int(y)), self.last_era_, key=ERAS.index)
                           for y in step["year"]]  # fmt: skip
            x = self.design_.transform(self._features(step)).to_numpy()
            eta = self.params_[0] + x @ self.params_[1:]
            survive *= 1.0 - 1.0 / (1.0 + np.exp(-eta))
        return 1.0 - survive


class CoxModel:
    """lifelines Cox model on alliance durations (years in force) with covariates at signature."""

    name = "cox"
    penalizer: ClassVar[float] = 0.1

    def __init__(self) -> None:
        self.design_: _Design | None = None
        self.fitter_ = None
        self.first_rows_: pd.DataFrame | None = None

    def fit(self, train: pd.DataFrame) -> CoxModel:
        from lifelines import CoxPHFitter

        _require(train, ("atopid", "year", "age", "event", "era", "obligation_type"), self.name)
        ordered = train.sort_values(["atopid", "year"])
        first = ordered.groupby("atopid").head(1).set_index("atopid")
        last = ordered.groupby("atopid").tail(1).set_index("atopid")
        eras = tuple(e for e in ERAS if (first["era"] == e).any())
        self.design_ = _Design(
            _covariates(first), {"era": eras, "obligation_type": OBLIGATION_TYPES}
        ).fit(first)
        frame = self.design_.transform(first)
        frame["duration"] = last.loc[frame.index, "age"].to_numpy(float) + 1.0
        frame["ended"] = last.loc[frame.index, "event"].to_numpy(int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines convergence / low-variance chatter
            self.fitter_ = CoxPHFitter(penalizer=self.penalizer).fit(
                frame, duration_col="duration", event_col="ended"
            )
        self.first_rows_ = first
        return self

    def predict(self, at_risk: pd.DataFrame, horizon: int) -> np.ndarray:
        if self.fitter_ is None or self.design_ is None or self.first_rows_ is None:
            raise RuntimeError("cox: call fit() first")
        ids = at_risk["atopid"].to_numpy()
        unknown = set(ids) - set(self.first_rows_.index)
        if unknown:
            raise InputError(f"cox: alliances {sorted(unknown)[:5]} are not in the training panel")
        x = self.design_.transform(self.first_rows_.loc[ids])
        survived = at_risk["age"].to_numpy(float) + 1.0
        # S(t | survived s) = S(t) / S(s) from the fitted baseline and each partial hazard.
        base = self.fitter_.baseline_survival_
        times = base.index.to_numpy(float)
        s0 = base.iloc[:, 0].to_numpy(float)

        def s_base(t: np.ndarray) -> np.ndarray:
            idx = np.searchsorted(times, t, side="right") - 1
            return np.where(idx >= 0, s0[np.clip(idx, 0, None)], 1.0)

        ph = self.fitter_.predict_partial_hazard(x).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = s_base(survived + horizon) / s_base(survived)
        cond = np.where(np.isfinite(ratio), ratio, 1.0) ** ph
        return np.clip(1.0 - cond, 0.0, 1.0)


def all_baselines() -> list[Baseline]:
    """Fresh instances of the baselines, in table order (the recent-window climatologies
    are one number per origin: they know the era and nothing else)."""
    return [
        Climatology(),
        Climatology(years=30),
        Climatology(years=10),
        Climatology(years=5),
        LifeTable(),
        LogisticHazard(),
        CoxModel(),
    ]
