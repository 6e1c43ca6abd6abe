"""Survival, cumulative incidence and drivers from stored draws (numpy only).

For an alliance in force at the end of ``as_of`` and horizon ``h``: per draw, the
cause-specific hazards of year ``as_of + k`` are the multinomial-logit probabilities of
``eta[k, c]`` (see ``forecast.model.build``); ``S(h) = prod_{k<=h} (1 - sum_c h_c(k))``
and ``F_c(h) = sum_{k<=h} S(k-1) h_c(k)``. Covariates stay at the alliance's last row
(scenarios override them), age advances one year per step, and the era effect follows the
calendar year, capped at the last era seen in training (an unseen era's effect is prior
noise). The 1990-92 shock enters a forecast only for shock years inside the training
window, i.e. never for a genuine forecast. Frailty: the posterior draw for alliances seen
in training, a fresh draw from N(0, frailty_sd) (seeded by atopid) for the others.
Summaries: posterior mean and 90% equal-tailed interval.

Drivers: the contribution of covariate group ``g`` to the any-end log-odds in the first
forecast year, ``sum_c w_c sum_{k in g} z_k beta_kc`` with ``w_c`` the cause's share of the
hazard; ``z`` is the standardised covariate, so the **reference alliance is the
training-mean covariate vector with no missing values** (contribution 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.model.design import MISSING_SUFFIX, Scaling, age_bin_of, encode_covariates
from forecast.panel import columns as C
from forecast.predict import scenarios
from forecast.predict.types import Driver, Forecast, Interval, Scenario
from forecast.store.registry import Artifact

LO, HI = 0.05, 0.95
MAX_HORIZON = 30


class NotInForceError(InputError):
    """The alliance is unknown or not in force at the end of ``as_of``."""


@dataclass(frozen=True, slots=True)
class ForecastTable:
    """Baseline forecasts of many alliances x horizons 1..H (arrays, for precomputing).

    ``p_persist``: (3, a, H) = mean, lo, hi; ``causes``: (3, a, H, K);
    ``drivers``: (3, a, G) for groups ``groups``.
    """

    atopids: np.ndarray
    as_of: int
    p_persist: np.ndarray
    causes: np.ndarray
    drivers: np.ndarray
    cause_names: tuple[str, ...]
    groups: tuple[str, ...]


def _summ(x: np.ndarray) -> np.ndarray:
    """(3, ...) mean, 5% and 95% quantiles over axis 0 (draws)."""
    q = np.quantile(x, (LO, HI), axis=0)
    return np.concatenate([x.mean(axis=0)[None], q], axis=0)


def _iv(m: float, lo: float, hi: float) -> Interval:
    return Interval(float(m), float(lo), float(hi))


class Forecaster:
    """Forecasts for the alliances in force at the end of ``as_of`` (default: last panel year).

    ``panel`` is the alliance-year panel, possibly truncated at a backtest origin T.
    """

    def __init__(self, artifact: Artifact, panel: pd.DataFrame, *, as_of: int | None = None):
        man = artifact.manifest
        spec = man["spec"]
        if spec.get("unit", "alliance") != "alliance":
            raise InputError(f"model {artifact.model!r} is not an alliance-level model")
        self.model, self.version = artifact.model, artifact.version
        self.causes = tuple(spec["causes"])
        self.spec_covariates = tuple(man["covariates"]["names"])
        self.scaling = {k: Scaling(**v) for k, v in man["covariates"]["scaling"].items()}
        #: covariates the fit used (had data in its training window): scenarios may set them
        self.covariates = tuple(c for c in self.spec_covariates if self.scaling[c].used)
        self.x_names = tuple(man["covariates"]["design_columns"])
        self.pooling = tuple(spec["pooling"])
        self.age_bins = tuple(spec["age_bins"])
        self.train_until = int(man["train_until"])
        self.shock_years = tuple(spec.get("shock_years", ()))
        ds = artifact.posterior
        f = lambda v: np.ascontiguousarray(ds[v].to_numpy(), dtype=np.float64)  # noqa: E731
        self.intercept = f("intercept")
        self.era_eff = f("era_effect")
        self.level_eff = {c: f(f"{c}_effect") for c in self.pooling}
        self.age_eff = f("age_effect")
        self.beta = f("beta")
        self.era_slope = f("era_slope")
        self.shock = f("shock")
        cell = f("cell_effect")
        n_draws, K = self.intercept.shape
        self.cell_eff = np.concatenate([cell, np.zeros((n_draws, 1, K))], axis=1)  # -1 -> 0
        self.cell_index = {str(c): i for i, c in enumerate(ds["cell"].to_numpy())}
        self.frailty = f("frailty")
        self.frailty_sd = f("frailty_sd")
        self.unit_index = {int(u): i for i, u in enumerate(ds["unit"].to_numpy())}
        self.slope_cols = np.array(
            [self.x_names.index(str(n)) for n in ds["era_slope_x"].to_numpy()], dtype=np.int64
        )
        self.n_draws = n_draws
        self.groups = tuple(
            g for g, cols in C.COVARIATE_GROUPS.items() if any(c in self.covariates for c in cols)
        )
        self._group_cols = {
            g: np.array(
                [
                    i
                    for i, n in enumerate(self.x_names)
                    if n.removesuffix(MISSING_SUFFIX) in C.COVARIATE_GROUPS[g]
                ],
                dtype=int,
            )
            for g in self.groups
        }
        self._set_panel(panel, as_of)

    # ---- set-up ---------------------------------------------------------------------
    def _set_panel(self, panel: pd.DataFrame, as_of: int | None) -> None:
        if panel.empty:
            raise InputError("the panel is empty: nothing to forecast")
        self.as_of = int(as_of if as_of is not None else panel["year"].max())
        known = panel[panel["year"] <= self.as_of]
        last = known.sort_values(["atopid", "year"]).groupby("atopid", sort=True).tail(1)
        in_force = last[(last["year"] == self.as_of) & (last["event"].fillna(0) == 0)]
        self.rows = in_force.set_index("atopid", drop=False)
        self.atopids = self.rows.index.to_numpy(dtype=np.int64)
        self._pos = {int(a): i for i, a in enumerate(self.atopids)}
        self.X = encode_covariates(self.rows, self.spec_covariates, self.scaling)
        # calendar terms for k = 1..MAX_HORIZON
        years = self.as_of + np.arange(1, MAX_HORIZON + 1)
        cap = C.ERAS.index(C.era_of(self.train_until))
        self._era_k = np.minimum([C.ERAS.index(C.era_of(int(y))) for y in years], cap)
        shock_years = set(self.shock_years)
        self._shock_k = np.array(
            [1.0 if (y in shock_years and y <= self.train_until) else 0.0 for y in years]
        )
        self._time = (
            self.era_eff[:, self._era_k] + self._shock_k[None, :, None] * self.shock[:, None]
        )  # (d, k, c)
        self._slope_k = self.era_slope[:, self._era_k]  # (d, k, j, c)
        # per alliance terms
        age0 = self.rows["age"].to_numpy(dtype=float)
        self._age_bin = age_bin_of(age0[:, None] + np.arange(1, MAX_HORIZON + 1), self.age_bins)
        self._lvl = {c: _levels(self.rows[c], c) for c in self.pooling}
        eras = [C.ERAS[e] for e in self._era_k]
        parts = [self.rows[c].astype(str).to_numpy() for c in self.pooling]
        self._cell = np.array(
            [
                [self.cell_index.get("|".join([*(p[i] for p in parts), e]), -1) for e in eras]
                for i in range(len(self.rows))
            ],
            dtype=np.int64,
        ).reshape(len(self.rows), MAX_HORIZON)
        self._frail = (
            np.column_stack([self._frailty_of(int(a)) for a in self.atopids])
            if len(self.atopids)
            else np.zeros((self.n_draws, 0))
        )
        # fast path of single forecasts: per-alliance constant terms and reshaped slopes
        static = self.intercept[:, None, :] + self._frail[:, :, None]
        for c in self.pooling:
            static = static + self.level_eff[c][:, self._lvl[c]]
        self._static = np.ascontiguousarray(static)  # (d, a, K)
        self._beta_t = np.ascontiguousarray(self.beta.transpose(0, 2, 1))  # (d, K, p)
        first = self.beta.copy()  # slopes in the first forecast year (drivers)
        if len(self.slope_cols):
            first[:, self.slope_cols] += self._slope_k[:, 0]
        self._beta_first = first
        self._group_matrix = np.zeros((len(self.x_names), len(self.groups)))
        for gi, g in enumerate(self.groups):
            self._group_matrix[self._group_cols[g], gi] = 1.0

    def _frailty_of(self, atopid: int) -> np.ndarray:
        i = self.unit_index.get(atopid)
        if i is not None:
            return self.frailty[:, i]
        rng = np.random.default_rng(atopid)
        return rng.standard_normal(self.n_draws) * self.frailty_sd

    def _index(self, atopid: int) -> int:
        try:
            return self._pos[int(atopid)]
        except KeyError:
            raise NotInForceError(
                f"alliance {atopid} is not in force at the end of {self.as_of} "
                f"({len(self._pos)} alliances are)"
            ) from None

    # ---- core -------------------------------------------------------------------------
    def _hazards(self, idx: np.ndarray, X: np.ndarray, H: int) -> np.ndarray:
        """Cause-specific hazards, shape (draws, a, H, K)."""
        base = self.intercept[:, None, :] + np.einsum("ap,dpc->dac", X, self.beta)
        for c in self.pooling:
            base = base + self.level_eff[c][:, self._lvl[c][idx]]
        base = base + self._frail[:, idx, None]
        eta = base[:, :, None, :] + self._time[:, None, :H]
        eta = eta + self.age_eff[:, self._age_bin[idx, :H]]
        eta = eta + self.cell_eff[:, self._cell[idx, :H]]
        if len(self.slope_cols):
            xs = X[:, self.slope_cols]
            eta = eta + np.einsum("aj,dkjc->dakc", xs, self._slope_k[:, :H])
        e = np.exp(eta)
        return e / (1.0 + e.sum(axis=-1, keepdims=True))

    @staticmethod
    def _curves(haz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Survival (d, a, H) and cumulative incidence (d, a, H, K) from hazards."""
        surv = np.cumprod(1.0 - haz.sum(axis=-1), axis=-1)
        prev = np.concatenate([np.ones_like(surv[..., :1]), surv[..., :-1]], axis=-1)
        cif = np.cumsum(prev[..., None] * haz, axis=-2)
        return surv, cif

    def _drivers(self, X: np.ndarray, haz1: np.ndarray) -> np.ndarray:
        """Group contributions to the any-end log-odds, (d, a, G)."""
        w = haz1 / haz1.sum(axis=-1, keepdims=True)  # (d, a, K)
        slope = self.beta[:, None].copy()  # (d, 1, p, K)
        if len(self.slope_cols):
            slope[:, 0, self.slope_cols] += self._slope_k[:, 0]
        contrib = X[None, :, :, None] * slope  # (d, a, p, K)
        out = np.empty((haz1.shape[0], X.shape[0], len(self.groups)))
        for gi, g in enumerate(self.groups):
            out[:, :, gi] = (contrib[:, :, self._group_cols[g]].sum(axis=2) * w).sum(axis=-1)
        return out

    def _encode(self, atopid: int, scenario: Scenario | None) -> np.ndarray:
        i = self._index(atopid)
        if scenario is None or not scenario.overrides:
            return self.X[i : i + 1]
        scenarios.validate(scenario, self.covariates)
        raw = self.covariate_values(atopid)
        means = {k: s.mean for k, s in self.scaling.items()}
        sds = {k: s.sd for k, s in self.scaling.items()}
        new = scenarios.apply(raw, scenario, means, sds)
        frame = pd.DataFrame([{k: (np.nan if v is None else v) for k, v in new.items()}])
        return encode_covariates(frame, self.spec_covariates, self.scaling)

    # ---- public -----------------------------------------------------------------------
    def covariate_values(self, atopid: int) -> dict[str, float | None]:
        """Natural-unit covariates of the alliance's last row (None = missing)."""
        row = self.rows.iloc[self._index(atopid)]
        out: dict[str, float | None] = {}
        for c in self.spec_covariates:
            v = pd.to_numeric(row[c], errors="coerce")
            out[c] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
        return out

    def forecast(
        self,
        atopid: int,
        horizon: int,
        scenario: Scenario | None = None,
        with_drivers: bool = True,
    ) -> Forecast:
        """Persistence forecast of one alliance over ``horizon`` years (1..30)."""
        H = _check_horizon(horizon)
        i = self._index(atopid)
        x = self._encode(atopid, scenario)[0]
        haz = self._hazards_one(i, x, H)  # (d, H, K)
        inv = 1.0 / (1.0 + np.exp(self._eta_one(i, x, H)).sum(axis=-1))  # 1 - sum_c h_c
        surv = np.cumprod(inv, axis=1)  # (d, H)
        prev = np.concatenate([np.ones((surv.shape[0], 1)), surv[:, :-1]], axis=1)
        cif_last = (prev[:, :, None] * haz).sum(axis=1)  # (d, K)
        cols = [surv, 1.0 - surv[:, -1:], cif_last]
        if with_drivers:
            cols.append(self._drivers_one(x, haz[:, 0]))
        summ = _summ(np.concatenate(cols, axis=1))  # (3, H + 1 + K [+ G])
        K = len(self.causes)
        drivers: tuple[Driver, ...] = ()
        if with_drivers:
            values = self.covariate_values(atopid)
            drivers = tuple(
                Driver(
                    g,
                    _iv(*summ[:, H + 1 + K + gi]),
                    {c: values[c] for c in C.COVARIATE_GROUPS[g] if c in values},
                )
                for gi, g in enumerate(self.groups)
            )
        return Forecast(
            atopid=int(atopid),
            as_of=self.as_of,
            horizon=H,
            p_persist=_iv(*summ[:, H - 1]),
            p_end=_iv(*summ[:, H]),
            causes={c: _iv(*summ[:, H + 1 + k]) for k, c in enumerate(self.causes)},
            survival=tuple(_iv(*summ[:, h]) for h in range(H)),
            drivers=drivers,
        )

    def _eta_one(self, i: int, x: np.ndarray, H: int) -> np.ndarray:
        """Linear predictors of one alliance, (draws, H, K) (fast path of ``_hazards``)."""
        base = self._static[:, i] + self._beta_t @ x  # (d, K)
        eta = base[:, None, :] + self._time[:, :H]
        eta = eta + self.age_eff[:, self._age_bin[i, :H]] + self.cell_eff[:, self._cell[i, :H]]
        if len(self.slope_cols):
            eta = eta + np.einsum("j,dkjc->dkc", x[self.slope_cols], self._slope_k[:, :H])
        return eta

    def _hazards_one(self, i: int, x: np.ndarray, H: int) -> np.ndarray:
        e = np.exp(self._eta_one(i, x, H))
        return e / (1.0 + e.sum(axis=-1, keepdims=True))

    def _drivers_one(self, x: np.ndarray, haz1: np.ndarray) -> np.ndarray:
        """Group contributions (draws, G) of one alliance (fast path of ``_drivers``)."""
        w = haz1 / haz1.sum(axis=-1, keepdims=True)  # (d, K)
        per_x = np.einsum("dpc,dc->dp", self._beta_first, w) * x  # (d, p)
        return per_x @ self._group_matrix

    def survival_draws(
        self, atopid: int, horizon: int, scenario: Scenario | None = None
    ) -> np.ndarray:
        """Per-draw survival S(1..horizon) of one alliance, shape (draws, horizon)."""
        H = _check_horizon(horizon)
        haz = self._hazards(np.array([self._index(atopid)]), self._encode(atopid, scenario), H)
        return self._curves(haz)[0][:, 0]

    def compare_scenario(
        self, atopid: int, horizon: int, scenario: Scenario
    ) -> tuple[Forecast, Forecast, Forecast]:
        """(baseline, scenario, scenario - baseline), the difference summarised per draw
        (``p_persist``/``survival``/``causes``/``drivers`` hold differences of probabilities
        and contributions; ``p_end`` is minus the ``p_persist`` difference)."""
        H = _check_horizon(horizon)
        base = self.forecast(atopid, H)
        what_if = self.forecast(atopid, H, scenario)
        idx = np.array([self._index(atopid)])
        xb, xs = self._encode(atopid, None), self._encode(atopid, scenario)
        hb, hs = self._hazards(idx, xb, H), self._hazards(idx, xs, H)
        (sb, cb), (ss, cs) = self._curves(hb), self._curves(hs)
        ds = _summ(ss[:, 0] - sb[:, 0])  # (3, H)
        dc = _summ(cs[:, 0, -1] - cb[:, 0, -1])  # (3, K)
        dd = _summ(self._drivers(xs, hs[:, :, 0])[:, 0] - self._drivers(xb, hb[:, :, 0])[:, 0])
        dend = _summ(sb[:, 0, -1] - ss[:, 0, -1])
        diff = Forecast(
            atopid=base.atopid,
            as_of=base.as_of,
            horizon=H,
            p_persist=_iv(*ds[:, -1]),
            p_end=_iv(*dend),
            causes={c: _iv(*dc[:, k]) for k, c in enumerate(self.causes)},
            survival=tuple(_iv(*ds[:, h]) for h in range(H)),
            drivers=tuple(Driver(g, _iv(*dd[:, gi]), {}) for gi, g in enumerate(self.groups)),
        )
        return base, what_if, diff

    def forecast_many(
        self, atopids: list[int], horizon: int, scenario: Scenario | None = None
    ) -> list[Forecast]:
        """``forecast`` for several alliances (each must be in force)."""
        return [self.forecast(a, horizon, scenario) for a in atopids]

    def table(self, horizon: int = MAX_HORIZON, chunk: int = 32) -> ForecastTable:
        """Baseline forecasts of every alliance in force x horizons 1..``horizon``."""
        H = _check_horizon(horizon)
        a, K, G = len(self.atopids), len(self.causes), len(self.groups)
        pp = np.empty((3, a, H))
        cc = np.empty((3, a, H, K))
        dd = np.empty((3, a, G))
        for s in range(0, a, chunk):
            idx = np.arange(s, min(s + chunk, a))
            haz = self._hazards(idx, self.X[idx], H)
            surv, cif = self._curves(haz)
            pp[:, idx] = _summ(surv)
            cc[:, idx] = _summ(cif)
            dd[:, idx] = _summ(self._drivers(self.X[idx], haz[:, :, 0]))
        return ForecastTable(self.atopids.copy(), self.as_of, pp, cc, dd, self.causes, self.groups)

    def end_probabilities(self, horizon: int) -> pd.DataFrame:
        """Backtest rows: ``atopid, origin, horizon, p_end, p_end_lo, p_end_hi, p_<cause>``."""
        t = self.table(horizon)
        frame = pd.DataFrame(
            {
                "atopid": t.atopids,
                "origin": self.as_of,
                "horizon": horizon,
                "p_end": 1 - t.p_persist[0, :, -1],
                "p_end_lo": 1 - t.p_persist[2, :, -1],
                "p_end_hi": 1 - t.p_persist[1, :, -1],
            }
        )
        for k, c in enumerate(self.causes):
            frame[f"p_{c}"] = t.causes[0, :, -1, k]
        return frame


def _check_horizon(horizon: int) -> int:
    if not isinstance(horizon, (int, np.integer)) or not 1 <= horizon <= MAX_HORIZON:
        raise InputError(f"horizon must be an integer in 1..{MAX_HORIZON}, got {horizon!r}")
    return int(horizon)


def _levels(values: pd.Series, column: str) -> np.ndarray:
    from forecast.model.design import level_index

    return level_index(values, column)
