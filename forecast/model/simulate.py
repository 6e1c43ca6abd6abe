"""Synthetic alliance-year panels drawn from known hierarchical hazards.

Used by the recovery test and the small test fits: the frame has the columns of
``forecast.panel.columns`` plus member lists, and lifetimes are drawn year by year from
the hazard of the numpy core (``forecast.model.hazard``), i.e. the formula
``build_model`` fits, with member-state effects shared across alliances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.model import hazard
from forecast.model.design import age_bin_of, calendar_era
from forecast.model.members import MEMBERS
from forecast.model.spec import ModelSpec
from forecast.panel import columns as C


@dataclass(frozen=True, slots=True)
class Truth:
    """True parameters (cause order = ``spec.causes``; sds of the hierarchy)."""

    intercept: np.ndarray  # (K,)
    era: np.ndarray  # (n_eras, K), 0 in the reference era
    obligation: np.ndarray  # (n_types, K), sums to 0 over types
    age: np.ndarray  # (n_age_bins, K), 0 for bin 0
    beta: np.ndarray  # (p, K) per unit of each (standard normal) covariate
    state_sd: float
    n_states: int = 60


def default_truth(spec: ModelSpec, seed: int = 1) -> Truth:
    """A plausible truth: base rates near domain.md §2.3, moderate covariate effects."""
    rng = np.random.default_rng(seed)
    K, p = len(spec.causes), len(spec.covariates)
    intercept = np.log([spec.base_rate(c) * 2.0 for c in spec.causes])
    era = np.zeros((len(C.ERAS), K))
    era[0], era[1], era[3] = 0.9, 0.9, -0.8
    obligation = np.zeros((len(C.OBLIGATION_TYPES), K))
    obligation[0], obligation[3] = 0.35, -0.35  # non-aggression pacts last longer
    age = np.zeros((len(spec.age_bins), K))
    age[1:] = np.linspace(0.2, -0.6, len(spec.age_bins) - 1)[:, None]
    beta = rng.normal(0.0, 0.4, size=(p, K))
    return Truth(intercept, era, obligation, age, beta, state_sd=0.5)


def _effects(spec: ModelSpec, truth: Truth, state: np.ndarray) -> hazard.Effects:
    K, T, E = len(spec.causes), len(C.OBLIGATION_TYPES), len(C.ERAS)
    levels = {"obligation_type": truth.obligation[None]}
    if "region" in spec.pooling:
        levels["region"] = np.zeros((1, len(C.REGIONS), K))
    return hazard.Effects(
        intercept=truth.intercept[None],
        era=truth.era[None],
        levels={k: v for k, v in levels.items() if k in spec.pooling},
        cell=np.zeros((1, T, E, K)),
        age=truth.age[None],
        beta=truth.beta[None],
        slope_cols=np.zeros(0, dtype=np.int64),
        era_slope=np.zeros((1, E, 0, K)),
        shock=np.zeros((1, K)),
        state=state[None],
    )


def simulate_panel(
    spec: ModelSpec,
    n_alliances: int = 300,
    *,
    truth: Truth | None = None,
    seed: int = 0,
    first_year: int = 1815,
    last_year: int = 2016,
    missing_rate: float = 0.05,
) -> tuple[pd.DataFrame, Truth]:
    """Alliance-year panel of ``n_alliances`` with lifetimes drawn from ``truth``.

    Covariates are alliance-level standard normals plus small yearly noise;
    ``missing_rate`` of covariate values are NaN at random (never by period). Each
    alliance has 2-4 members drawn from ``truth.n_states`` states whose effects are
    N(0, ``truth.state_sd``). Region and the shock carry no effect. Alliances still
    alive in ``last_year`` are right-censored.
    """
    truth = truth or default_truth(spec, seed + 1)
    rng = np.random.default_rng(seed)
    K, p = len(spec.causes), len(spec.covariates)
    begyr = np.sort(
        first_year + ((last_year - first_year) * rng.beta(1.6, 1.0, n_alliances)).astype(int)
    )
    ob_type = rng.choice(len(C.OBLIGATION_TYPES), n_alliances, p=[0.35, 0.05, 0.05, 0.35, 0.2])
    region = rng.choice(len(C.REGIONS), n_alliances)
    base_x = rng.normal(size=(n_alliances, p))
    state_eff = rng.normal(0.0, truth.state_sd, truth.n_states)
    states = np.arange(2, 2 + truth.n_states) * 10  # COW-like codes
    members = [
        tuple(sorted(states[rng.choice(truth.n_states, rng.integers(2, 5), replace=False)]))
        for _ in range(n_alliances)
    ]
    eff = _effects(spec, truth, state_eff)
    state_ix = {s: i for i, s in enumerate(states)}
    rows = []
    for a in range(n_alliances):
        years = np.arange(begyr[a], last_year + 1)
        n = len(years)
        x = base_x[a] + rng.normal(0.0, 0.1, (n, p))
        weights = np.zeros((n, truth.n_states))
        weights[:, [state_ix[m] for m in members[a]]] = 1.0 / len(members[a])
        core_rows = hazard.Rows(
            X=x,
            era=calendar_era(years),
            levels={"obligation_type": np.full(n, ob_type[a]), "region": np.full(n, region[a])},
            age_bin=age_bin_of(years - begyr[a], spec.age_bins),
            shock=np.zeros(n),
            members=weights,
        )
        haz = hazard.hazards(hazard.eta(eff, core_rows))[0]  # (n, K)
        probs = np.column_stack([1.0 - haz.sum(axis=1), haz])
        for t, year in enumerate(years):
            outcome = rng.choice(K + 1, p=probs[t] / probs[t].sum())
            row = {
                "atopid": 1000 + a,
                "year": int(year),
                "begyr": int(begyr[a]),
                "age": int(year - begyr[a]),
                "phase": 1,
                "obligation_type": C.OBLIGATION_TYPES[ob_type[a]],
                "era": C.era_of(int(year)),
                "region": C.REGIONS[region[a]],
                "n_members": len(members[a]),
                MEMBERS: members[a],
                "event": int(outcome > 0),
                "cause": spec.causes[outcome - 1] if outcome else C.CAUSE_NONE,
                "n_member_exits": 0,
            }
            row.update(dict(zip(spec.covariates, x[t], strict=True)))
            rows.append(row)
            if outcome:
                break
    frame = pd.DataFrame(rows)
    for name in C.COVARIATES:
        if name not in frame:
            frame[name] = rng.normal(size=len(frame))
        mask = rng.random(len(frame)) < missing_rate
        frame.loc[mask, name] = np.nan
    return frame, truth
