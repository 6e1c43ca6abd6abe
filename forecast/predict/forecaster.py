"""Survival, cumulative incidence, exact drivers and scenarios from stored draws.

Everything goes through the numpy hazard core (``forecast.model.hazard``). For an
alliance in force at the end of ``as_of`` and horizon ``h``: per draw, the cause hazards
of year ``as_of + k`` are the multinomial-logit probabilities of ``eta[k, c]``;
``S(h) = prod_{k<=h} (1 - sum_c h_c(k))`` and ``F_c(h) = sum_{k<=h} S(k-1) h_c(k)``.

* Covariates are those of the alliance's row in ``as_of`` after the staleness rule of
  the spec (level covariates carried forward from their last observed value, at most
  ``max_carry_years``; each value's source year is shown). Level covariates are held
  at those values over the horizon; **event** covariates (a regime change, a new
  outside alliance) take their observed value in the first year and their base rate
  (the training mean) afterwards.
* Age advances one year per step; the era effect follows the calendar year (an era
  unseen in training uses the last modelled era); the 1990-92 shock never enters a
  forecast. Member-state effects: the posterior draw of each member state, a fresh
  draw from N(0, sd_state) (seeded by COW code) for a state unseen in training.
* Drivers: exact group Shapley values of the any-end log-odds in the first forecast
  year, from the **reference** (this alliance with every covariate at the average over
  the alliances in force at ``as_of``) to the alliance's own values. Per draw they sum
  to ``drivers_total - drivers_reference``.

Summaries: posterior mean and 90% equal-tailed interval.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.model import hazard
from forecast.model.covariates import family_of
from forecast.model.design import (
    OBSERVED,
    Scaling,
    add_interactions,
    age_bin_of,
    calendar_era,
    carry_forward,
    encode_covariates,
    level_index,
    member_matrix,
)
from forecast.model.manifest import Manifest
from forecast.model.members import MEMBERS, ModelPanels
from forecast.model.spec import ModelSpec
from forecast.panel import registry
from forecast.predict import scenarios
from forecast.predict.types import (
    Driver,
    Forecast,
    Interval,
    MemberExit,
    MemberForecast,
    Scenario,
)
from forecast.store.registry import Artifact

LO, HI = 0.05, 0.95
MAX_HORIZON = 30
#: (alliance, horizon) member-exit tables a forecaster remembers (the pages ask for them)
MEMBER_EXITS_KEPT = 128


class NotInForceError(InputError):
    """The alliance is unknown or not in force at the end of ``as_of``."""


@dataclass(frozen=True, slots=True)
class ForecastTable:
    """Baseline forecasts of many alliances x horizons 1..H (arrays, for precomputing).

    ``p_persist``: (3, a, H) = mean, lo, hi; ``causes``: (3, a, H, K);
    ``drivers``: (3, a, G) for groups ``groups``; ``drivers_total`` and
    ``drivers_reference``: (3, a); ``per_cause``: (3, a, G, K).
    """

    atopids: np.ndarray
    as_of: int
    p_persist: np.ndarray
    causes: np.ndarray
    drivers: np.ndarray
    cause_names: tuple[str, ...]
    groups: tuple[str, ...]
    drivers_total: np.ndarray
    drivers_reference: np.ndarray
    per_cause: np.ndarray


def _summ(x: np.ndarray) -> np.ndarray:
    """(3, ...) mean, 5% and 95% quantiles over axis 0 (draws)."""
    q = np.quantile(x, (LO, HI), axis=0)
    return np.concatenate([x.mean(axis=0)[None], q], axis=0)


def _iv(m: float, lo: float, hi: float) -> Interval:
    return Interval(float(m), float(lo), float(hi))


def manifest_of(artifact: Artifact) -> Manifest:
    """The artifact's manifest, typed."""
    man = artifact.manifest
    return man if isinstance(man, Manifest) else Manifest.model_validate(man)


#: Driver groups in display order (member-panel inputs without a family last).
FAMILIES = (*registry.FAMILIES, "member")


class Forecaster:
    """Forecasts for the units at risk at the end of ``as_of`` (default: last panel year).

    One interface for both levels: an alliance-level model forecasts the alliances in
    force (``forecast``, ``table``), a member-level model (``spec.unit == "member"``) the
    exit of each current member of an alliance (``members``). ``panel`` is the model's
    panel (``forecast.model.members.load_unit_panel``), possibly truncated at a backtest
    origin, or a ``ModelPanels`` from which the model's unit is picked.
    """

    def __init__(
        self,
        artifact: Artifact,
        panel: pd.DataFrame | ModelPanels,
        *,
        as_of: int | None = None,
    ):
        man = manifest_of(artifact)
        spec = ModelSpec.from_dict(man.spec)
        if isinstance(panel, ModelPanels):
            panel = panel.for_unit(spec.unit)
        self.unit = spec.unit
        self.spec, self.manifest = spec, man
        self.model, self.version = artifact.model, artifact.version
        self.causes = spec.causes
        self.scaling = {
            c.name: Scaling(c.mean, c.sd, c.lo, c.hi, c.kind, c.used, c.reason, c.imputed_share)
            for c in man.covariates
        }
        #: covariates the fit used (= design columns, interactions ``a:b`` included)
        self.covariates = man.used_covariates
        #: covariates a scenario may change (an interaction follows its parts)
        self.scenario_covariates = tuple(c for c in self.covariates if ":" not in c)
        self.train_until = man.train_until
        self.eff = hazard.Effects.from_posterior(artifact.posterior, spec.pooling)
        self.states = tuple(int(s) for s in artifact.posterior["state"].to_numpy())
        state_sd = artifact.posterior.get("state_sd")
        self.state_sd = (
            np.asarray(state_sd, dtype=np.float64)
            if state_sd is not None
            else np.zeros(self.eff.n_draws)
        )
        self.n_draws = self.eff.n_draws
        families = [family_of(c) for c in self.covariates]
        self.groups = tuple(g for g in FAMILIES if g in families)
        self._group_mask = np.array(
            [[f == g for f in families] for g in self.groups], dtype=float
        ).reshape(len(self.groups), len(self.covariates))
        self._event_products = self._base_rate_products()
        recomputed = {j for j, _, _ in self._event_products}
        self._event_cols = np.array(
            [self.scaling[c].kind == "event" and j not in recomputed
             for j, c in enumerate(self.covariates)]
        )  # fmt: skip
        self.data_through = _family_through(man)
        self._set_panel(panel, as_of)

    def _base_rate_products(self) -> list[tuple[int, list, tuple[float, float]]]:
        """Interactions with an event part: (column, [(part column, is event, mean, sd)],
        (mean, sd) of the product). After the first forecast year the event part takes
        its base rate (training mean), so the product is that rate times the level part."""
        out = []
        for j, name in enumerate(self.covariates):
            parts = name.split(":")
            if len(parts) < 2 or not any(self.scaling[p].kind == "event" for p in parts):
                continue
            if not all(p in self.covariates for p in parts):
                continue  # a part is not in the model: the product is an event as a whole
            cols = [(self.covariates.index(p), self.scaling[p].kind == "event",
                     self.scaling[p].mean, self.scaling[p].sd) for p in parts]  # fmt: skip
            out.append((j, cols, (self.scaling[name].mean, self.scaling[name].sd)))
        return out

    # ---- set-up ---------------------------------------------------------------------
    def _set_panel(self, panel: pd.DataFrame, as_of: int | None) -> None:
        if panel.empty:
            raise InputError("the panel is empty: nothing to forecast")
        self.as_of = int(as_of if as_of is not None else panel["year"].max())
        known = carry_forward(panel[panel["year"] <= self.as_of], self.spec)
        at_risk = known[self.spec.event_column].fillna(0) == 0
        now = known[(known["year"] == self.as_of) & at_risk]
        if self.unit == "member":
            self.rows = now.sort_values(["atopid", "ccode"]).reset_index(drop=True)
            keys = zip(self.rows["atopid"], self.rows["ccode"], strict=True)
            self._pos = {(int(a), int(c)): i for i, (a, c) in enumerate(keys)}
        else:
            self.rows = now.sort_values("atopid").set_index("atopid", drop=False)
            self._pos = {int(a): i for i, a in enumerate(self.rows.index)}
        self.atopids = self.rows["atopid"].to_numpy(dtype=np.int64)
        self._by_alliance = pd.Series(np.arange(len(self.rows))).groupby(self.atopids).agg(list)
        self._member_exits: dict[tuple[int, int], dict[int, MemberExit]] = {}
        self._member_exits_lock = threading.Lock()
        self.X = encode_covariates(self.rows, self.spec.covariates, self.scaling)
        #: reference covariates: the average alliance in force at as_of (standardised)
        self.x_ref = self.X.mean(axis=0) if len(self.X) else np.zeros(len(self.covariates))
        what = "member" if self.unit == "member" else "alliance"
        self.reference = (
            f"this {what} with every covariate at the average of the {len(self.rows)} "
            f"{what}s at risk at the end of {self.as_of}"
        )
        steps = np.arange(1, MAX_HORIZON + 1)
        self._era_k = calendar_era(self.as_of + steps)
        age0 = self.rows["age"].to_numpy(dtype=float)
        self._age_bin = age_bin_of(age0[:, None] + steps, self.spec.age_bins)
        self._lvl = {c: level_index(self.rows[c], c) for c in self.spec.pooling}
        self._set_states()

    def _set_states(self) -> None:
        """Extend the state effects with fresh draws for member states unseen in training."""
        if MEMBERS not in self.rows:
            raise InputError(
                "the panel has no member lists: load it with "
                "forecast.model.members.load_model_panel (member-state effects need them)"
            )
        lists = self.rows[MEMBERS]
        known = set(self.states)
        new = sorted({int(m) for ms in lists for m in ms} - known)
        fresh = [
            np.random.default_rng(ccode).standard_normal(self.n_draws) * self.state_sd
            for ccode in new
        ]
        if fresh:
            state = np.concatenate([self.eff.state, np.column_stack(fresh)], axis=1)
            self.eff = replace(self.eff, state=state)
        self._all_states = (*self.states, *new)
        self._members = member_matrix(lists.reset_index(drop=True), self._all_states)

    def _index(self, key: int | tuple[int, int]) -> int:
        """Row of an alliance (``atopid``) or, for a member model, a ``(atopid, ccode)``."""
        try:
            return self._pos[tuple(int(k) for k in key) if isinstance(key, tuple) else int(key)]
        except (KeyError, TypeError, ValueError):
            what, state = (
                ("member", "at risk") if self.unit == "member" else ("alliance", "in force")
            )
            raise NotInForceError(
                f"{what} {key} is not {state} at the end of {self.as_of} "
                f"({len(self._pos)} {what}s are)"
            ) from None

    # ---- core -------------------------------------------------------------------------
    def _rows(self, idx: np.ndarray, X: np.ndarray, H: int) -> hazard.Rows:
        """Core rows of alliances ``idx`` (covariates ``X``, one row each) x steps 1..H."""
        a = len(idx)
        Xk = np.repeat(X[:, None, :], H, axis=1)  # (a, H, p)
        if H > 1 and self._event_cols.any():
            Xk[:, 1:, self._event_cols] = 0.0  # events follow their base rate
            for j, parts, (mean, sd) in self._event_products:
                raw = np.prod([X[:, i] * s_ + m if not ev else np.full(a, m)
                               for i, ev, m, s_ in parts], axis=0)  # fmt: skip
                Xk[:, 1:, j] = ((raw - mean) / sd)[:, None]
        return hazard.Rows(
            X=Xk.reshape(a * H, -1),
            era=np.tile(self._era_k[:H], a),
            levels={c: np.repeat(v[idx], H) for c, v in self._lvl.items()},
            age_bin=self._age_bin[idx, :H].reshape(-1),
            shock=np.zeros(a * H),
            members=np.repeat(self._members[idx], H, axis=0),
        )

    def _eta(self, idx: np.ndarray, X: np.ndarray, H: int) -> np.ndarray:
        """Linear predictors (draws, a, H, K)."""
        e = hazard.eta(self.eff, self._rows(idx, X, H))
        return e.reshape(e.shape[0], len(idx), H, -1)

    def _drivers(
        self, idx: np.ndarray, X: np.ndarray, eta1: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(phi (d, a, G), total (d, a), reference (d, a), per-cause deltas (d, a, G, K)).

        ``eta1``: linear predictors of the first forecast year, (d, a, K).
        """
        era1 = np.full(len(idx), self._era_k[0])
        diff = X - self.x_ref[None, :]  # (a, p)
        parts = [hazard.covariate_eta(self.eff, diff * m[None, :], era1) for m in self._group_mask]
        empty = np.zeros((self.n_draws, len(idx), 0, len(self.causes)))
        deltas = np.stack(parts, axis=2) if parts else empty
        reference = eta1 - hazard.covariate_eta(self.eff, diff, era1)
        phi = hazard.group_shapley(reference, deltas)
        return (
            phi,
            hazard.any_end_logodds(eta1),
            hazard.any_end_logodds(reference),
            deltas,
        )

    def _encode(self, atopid: int, scenario: Scenario | None) -> np.ndarray:
        i = self._index(atopid)
        if scenario is None or not scenario.overrides:
            return self.X[i : i + 1]
        return self.encode_values([self.scenario_values(atopid, scenario)])

    def encode_values(self, values: list[dict[str, float | None]]) -> np.ndarray:
        """Standardised design rows of natural-unit covariate values (interactions
        recomputed from their parts), shape (len(values), p)."""
        frame = pd.DataFrame([{k: (np.nan if v is None else v) for k, v in d.items()}
                              for d in values])  # fmt: skip
        frame = add_interactions(frame, self.spec.covariates)
        return encode_covariates(frame, self.spec.covariates, self.scaling)

    # ---- public -----------------------------------------------------------------------
    def covariate_values(self, atopid: int | tuple[int, int]) -> dict[str, float | None]:
        """Natural-unit covariates of the unit at ``as_of`` (after carrying forward;
        None = never observed for it), for every covariate the model uses."""
        row = self.rows.iloc[self._index(atopid)]
        out: dict[str, float | None] = {}
        for c in self.covariates:
            v = pd.to_numeric(row[c], errors="coerce")
            out[c] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
        return out

    def observed_years(self, atopid: int | tuple[int, int]) -> dict[str, int | None]:
        """Last source year behind each covariate value (the row year it was observed in,
        minus the covariate's lag; None = no value)."""
        from forecast.panel.registry import BY_NAME

        row = self.rows.iloc[self._index(atopid)]
        out: dict[str, int | None] = {}
        for c in self.covariates:
            v = row.get(c + OBSERVED)
            lag = BY_NAME[c.split(":")[0]].lag if c.split(":")[0] in BY_NAME else 1
            out[c] = None if v is None or pd.isna(v) else int(v) - lag
        return out

    def scenario_values(self, atopid: int, scenario: Scenario) -> dict[str, float | None]:
        """Covariate values after ``scenario`` (validated, range-checked)."""
        scenarios.validate(scenario, self.scenario_covariates)
        old = self.covariate_values(atopid)
        new = scenarios.apply(old, scenario, self.scaling)
        scenarios.check_range(old, new, scenario, self.scaling)
        return new

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
        idx = np.array([i])
        X = self._encode(atopid, scenario)
        eta = self._eta(idx, X, H)  # (d, 1, H, K)
        surv, cif = hazard.curves(hazard.hazards(eta))
        K = len(self.causes)
        cols = [surv[:, 0], 1.0 - surv[:, 0, -1:], cif[:, 0, -1]]
        if with_drivers:
            phi, total, ref, deltas = self._drivers(idx, X, eta[:, :, 0])
            cols += [phi[:, 0], total[:, :1], ref[:, :1], deltas[:, 0].reshape(self.n_draws, -1)]
        summ = _summ(np.concatenate(cols, axis=1))
        extra: dict = {}
        if with_drivers:
            G = len(self.groups)
            o = H + 1 + K
            extra = {
                "drivers": self._driver_list(atopid, summ[:, o : o + G], summ[:, o + G + 2 :]),
                "drivers_total": _iv(*summ[:, o + G]),
                "drivers_reference": _iv(*summ[:, o + G + 1]),
                "reference": self.reference,
                "data_through": dict(self.data_through),
            }
        return Forecast(
            atopid=int(atopid),
            as_of=self.as_of,
            horizon=H,
            p_persist=_iv(*summ[:, H - 1]),
            p_end=_iv(*summ[:, H]),
            causes={c: _iv(*summ[:, H + 1 + k]) for k, c in enumerate(self.causes)},
            survival=tuple(_iv(*summ[:, h]) for h in range(H)),
            **extra,
        )

    def _driver_list(
        self, atopid: int | tuple[int, int], phi: np.ndarray, per_cause: np.ndarray
    ) -> tuple[Driver, ...]:
        """Drivers of one unit from summaries (3, G) and (3, G*K)."""
        values = self.covariate_values(atopid)
        seen = self.observed_years(atopid)
        K = len(self.causes)
        out = []
        for gi, g in enumerate(self.groups):
            names = [c for c in self.covariates if family_of(c) == g]
            years = [seen[c] for c in names if seen[c] is not None]
            out.append(
                Driver(
                    g,
                    _iv(*phi[:, gi]),
                    {c: values[c] for c in names},
                    {c: _iv(*per_cause[:, gi * K + k]) for k, c in enumerate(self.causes)},
                    min(years) if years else None,
                )
            )
        return tuple(out)

    def survival_draws(
        self, atopid: int, horizon: int, scenario: Scenario | None = None
    ) -> np.ndarray:
        """Per-draw survival S(1..horizon) of one alliance, shape (draws, horizon)."""
        return self.curve_draws(atopid, horizon, scenario)[0]

    def curve_draws(
        self, atopid: int, horizon: int, scenario: Scenario | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-draw survival (draws, horizon) and cumulative incidence (draws, horizon, K)
        of one alliance."""
        H = _check_horizon(horizon)
        eta = self._eta(np.array([self._index(atopid)]), self._encode(atopid, scenario), H)
        surv, cif = hazard.curves(hazard.hazards(eta))
        return surv[:, 0], cif[:, 0]

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
        eb, es = self._eta(idx, xb, H), self._eta(idx, xs, H)
        (sb, cb), (ss, cs) = hazard.curves(hazard.hazards(eb)), hazard.curves(hazard.hazards(es))
        ds = _summ(ss[:, 0] - sb[:, 0])  # (3, H)
        dc = _summ(cs[:, 0, -1] - cb[:, 0, -1])  # (3, K)
        pb, tb, _, _ = self._drivers(idx, xb, eb[:, :, 0])
        ps, ts, _, _ = self._drivers(idx, xs, es[:, :, 0])
        dd = _summ(ps[:, 0] - pb[:, 0])
        dt = _summ(ts[:, 0] - tb[:, 0])
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
            drivers_total=_iv(*dt),
            drivers_reference=_iv(0.0, 0.0, 0.0),
            reference="the baseline forecast of this alliance",
            data_through=dict(self.data_through),
        )
        return base, what_if, diff

    def forecast_many(
        self, atopids: list[int], horizon: int, scenario: Scenario | None = None
    ) -> list[Forecast]:
        """``forecast`` for several alliances (each must be in force)."""
        return [self.forecast(a, horizon, scenario) for a in atopids]

    def table(self, horizon: int = MAX_HORIZON, chunk: int = 16) -> ForecastTable:
        """Baseline forecasts of every alliance in force x horizons 1..``horizon``."""
        H = _check_horizon(horizon)
        a, K, G = len(self.atopids), len(self.causes), len(self.groups)
        pp, cc = np.empty((3, a, H)), np.empty((3, a, H, K))
        dd, pc = np.empty((3, a, G)), np.empty((3, a, G, K))
        tot, ref = np.empty((3, a)), np.empty((3, a))
        for s in range(0, a, chunk):
            idx = np.arange(s, min(s + chunk, a))
            eta = self._eta(idx, self.X[idx], H)
            surv, cif = hazard.curves(hazard.hazards(eta))
            pp[:, idx], cc[:, idx] = _summ(surv), _summ(cif)
            phi, t, r, deltas = self._drivers(idx, self.X[idx], eta[:, :, 0])
            dd[:, idx], tot[:, idx], ref[:, idx], pc[:, idx] = (
                _summ(phi), _summ(t), _summ(r), _summ(deltas)
            )  # fmt: skip
        return ForecastTable(
            self.atopids.copy(), self.as_of, pp, cc, dd, self.causes, self.groups, tot, ref, pc
        )

    def population_values(self) -> pd.DataFrame:
        """Natural-unit covariates (plain ones, no interactions) of every unit at risk at
        ``as_of``, one row each (NaN = never observed)."""
        plain = [c for c in self.covariates if ":" not in c]
        return self.rows[plain].apply(pd.to_numeric, errors="coerce").reset_index(drop=True)

    def mean_survival(self, values: pd.DataFrame, horizon: int, chunk: int = 32) -> np.ndarray:
        """Per-draw survival to ``horizon`` averaged over every unit at risk, with their
        covariates replaced by ``values`` (one row per unit, as ``population_values``),
        shape (draws,)."""
        H = _check_horizon(horizon)
        X = self.encode_values(values.to_dict("records"))
        total = np.zeros(self.n_draws)
        for s in range(0, len(X), chunk):
            idx = np.arange(s, min(s + chunk, len(X)))
            surv, _ = hazard.curves(hazard.hazards(self._eta(idx, X[idx], H)))
            total += surv[:, :, -1].sum(axis=1)
        return total / max(len(X), 1)

    def _member_curves(
        self, atopid: int, horizon: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows of the members of ``atopid`` at risk at ``as_of``, their per-draw linear
        predictors (d, m, H, K), and the summaries (3, m) of P(exit) and (3, m, K) by cause
        within ``horizon`` years."""
        if self.unit != "member":
            raise InputError(f"model {self.model!r} is not a member-level model")
        H = _check_horizon(horizon)
        if int(atopid) not in self._by_alliance.index:
            raise NotInForceError(
                f"alliance {atopid} has no members at risk in the member panel at the end of "
                f"{self.as_of} (the member model covers alliances with 3 or more members)"
            )
        idx = np.asarray(self._by_alliance[int(atopid)], dtype=np.int64)
        eta = self._eta(idx, self.X[idx], H)
        surv, cif = hazard.curves(hazard.hazards(eta))
        return idx, eta, _summ(1.0 - surv[:, :, -1]), _summ(cif[:, :, -1])

    def members(self, atopid: int, horizon: int) -> list[MemberForecast]:
        """Exit forecasts of every current member of alliance ``atopid`` (member models):
        P(the member leaves within ``horizon`` years while the alliance continues), by
        cause, with exact drivers against the average member at risk."""
        idx, eta, p_exit, causes = self._member_curves(atopid, horizon)
        phi, total, ref, deltas = self._drivers(idx, self.X[idx], eta[:, :, 0])
        phi_s, tot_s, ref_s = _summ(phi), _summ(total), _summ(ref)
        pc = _summ(deltas.reshape(*deltas.shape[:2], -1))
        out = []
        for j, i in enumerate(idx):
            key = (int(atopid), int(self.rows["ccode"].iloc[i]))
            out.append(
                MemberForecast(
                    atopid=key[0],
                    ccode=key[1],
                    as_of=self.as_of,
                    horizon=int(horizon),
                    p_exit=_iv(*p_exit[:, j]),
                    causes={c: _iv(*causes[:, j, k]) for k, c in enumerate(self.causes)},
                    drivers=self._driver_list(key, phi_s[:, j], pc[:, j]),
                    drivers_total=_iv(*tot_s[:, j]),
                    drivers_reference=_iv(*ref_s[:, j]),
                    reference=self.reference,
                )
            )
        return out

    def member_exits(self, atopid: int, horizon: int) -> dict[int, MemberExit]:
        """P(exit) and its causes of every current member of ``atopid`` (ccode -> ...), as
        :meth:`members` without drivers, remembered per (alliance, horizon): pages list
        them beside each alliance forecast."""
        key = (int(atopid), int(horizon))
        hit = self._member_exits.get(key)
        if hit is not None:
            return hit
        idx, _, p_exit, causes = self._member_curves(atopid, horizon)
        ccodes = self.rows["ccode"].to_numpy()[idx]
        hit = {
            int(cc): MemberExit(
                p_exit=_iv(*p_exit[:, j]),
                causes={c: _iv(*causes[:, j, k]) for k, c in enumerate(self.causes)},
            )
            for j, cc in enumerate(ccodes)
        }
        with self._member_exits_lock:  # the oldest goes first: a bounded memory
            self._member_exits[key] = hit
            while len(self._member_exits) > MEMBER_EXITS_KEPT:
                del self._member_exits[next(iter(self._member_exits))]
        return hit

    def exit_probabilities(self, horizon: int, chunk: int = 64) -> pd.DataFrame:
        """Member backtest rows: ``atopid, ccode, origin, horizon, p_exit, p_exit_lo,
        p_exit_hi`` for every member at risk at ``as_of`` (member models)."""
        if self.unit != "member":
            raise InputError(f"model {self.model!r} is not a member-level model")
        H = _check_horizon(horizon)
        p = np.empty((3, len(self.rows)))
        for s in range(0, len(self.rows), chunk):
            idx = np.arange(s, min(s + chunk, len(self.rows)))
            surv, _ = hazard.curves(hazard.hazards(self._eta(idx, self.X[idx], H)))
            p[:, idx] = _summ(1.0 - surv[:, :, -1])
        return pd.DataFrame(
            {
                "atopid": self.rows["atopid"].to_numpy(dtype=np.int64),
                "ccode": self.rows["ccode"].to_numpy(dtype=np.int64),
                "origin": self.as_of,
                "horizon": H,
                "p_exit": p[0],
                "p_exit_lo": p[1],
                "p_exit_hi": p[2],
            }
        )

    def drivers_of_table(self, table: ForecastTable, atopid: int) -> tuple[Driver, ...]:
        """Drivers of one alliance from a precomputed ``table``."""
        i = self._index(atopid)
        return self._driver_list(atopid, table.drivers[:, i], table.per_cause[:, i].reshape(3, -1))

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


def _family_through(man: Manifest) -> dict[str, int]:
    """Covariate family -> last source year of its freshest used covariate."""
    out: dict[str, int] = {}
    for c in man.covariates:
        if c.used and c.data_through is not None:
            out[c.family] = max(out.get(c.family, c.data_through), c.data_through)
    return out


def _check_horizon(horizon: int) -> int:
    if not isinstance(horizon, (int, np.integer)) or not 1 <= horizon <= MAX_HORIZON:
        raise InputError(f"horizon must be an integer in 1..{MAX_HORIZON}, got {horizon!r}")
    return int(horizon)
