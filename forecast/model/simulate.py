"""Synthetic alliance-year panels drawn from known hierarchical hazards.

Used by the recovery test and for development before the real panel exists: the frame
has the columns of ``forecast.panel.columns`` and lifetimes drawn year by year from the
multinomial-logit hazard that ``build_model`` fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.model.spec import ModelSpec
from forecast.panel import columns as C


@dataclass(frozen=True, slots=True)
class Truth:
    """True parameters (cause order = ``spec.causes``)."""

    intercept: np.ndarray  # (K,)
    era: np.ndarray  # (n_eras, K), 0 in the reference era
    obligation: np.ndarray  # (n_types, K), 0 for the first type
    age: np.ndarray  # (n_age_bins, K), 0 for bin 0
    beta: np.ndarray  # (p, K) per training-sd of each covariate
    frailty_sd: float


def default_truth(spec: ModelSpec, seed: int = 1) -> Truth:
    """A plausible truth: base rates near domain.md §2.3, moderate covariate effects."""
    rng = np.random.default_rng(seed)
    K, p = len(spec.causes), len(spec.covariates)
    intercept = np.log([spec.base_rate(c) * 2.0 for c in spec.causes])
    era = np.zeros((len(C.ERAS), K))
    era[0], era[1], era[3] = 0.9, 0.9, -0.8
    obligation = np.zeros((len(C.OBLIGATION_TYPES), K))
    obligation[3] = -0.7  # non-aggression pacts last longer
    age = np.zeros((len(spec.age_bins), K))
    age[1:] = np.linspace(0.2, -0.6, len(spec.age_bins) - 1)[:, None]
    beta = rng.normal(0.0, 0.4, size=(p, K))
    return Truth(intercept, era, obligation, age, beta, frailty_sd=0.2)


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

    Covariates are alliance-level standard normals plus small yearly noise (so the
    training sd is about 1 and ``truth.beta`` is on the scale the model estimates);
    ``missing_rate`` of covariate values are NaN. Region and the 1990-92 shock carry no
    effect. Alliances still alive in ``last_year`` are right-censored.
    """
    truth = truth or default_truth(spec, seed + 1)
    rng = np.random.default_rng(seed)
    K, p = len(spec.causes), len(spec.covariates)
    # more alliances in later years, as in ATOP
    begyr = np.sort(
        first_year + ((last_year - first_year) * rng.beta(1.6, 1.0, n_alliances)).astype(int)
    )
    ob_type = rng.choice(len(C.OBLIGATION_TYPES), n_alliances, p=[0.35, 0.05, 0.05, 0.35, 0.2])
    region = rng.choice(len(C.REGIONS), n_alliances)
    base_x = rng.normal(size=(n_alliances, p))
    frailty = rng.normal(0.0, truth.frailty_sd, n_alliances)
    rows = []
    for a in range(n_alliances):
        for year in range(begyr[a], last_year + 1):
            age = year - begyr[a]
            x = base_x[a] + rng.normal(0.0, 0.1, p)
            e = C.ERAS.index(C.era_of(year))
            ab = int(np.searchsorted(spec.age_bins, age, side="right") - 1)
            eta = (
                truth.intercept
                + truth.era[e]
                + truth.obligation[ob_type[a]]
                + truth.age[ab]
                + x @ truth.beta
                + frailty[a]
            )
            probs = np.exp(np.concatenate([[0.0], eta]))
            outcome = rng.choice(K + 1, p=probs / probs.sum())
            row = {
                "atopid": 1000 + a,
                "year": year,
                "begyr": int(begyr[a]),
                "age": age,
                "phase": 1,
                "obligation_type": C.OBLIGATION_TYPES[ob_type[a]],
                "era": C.era_of(year),
                "region": C.REGIONS[region[a]],
                "n_members": 2,
                "event": int(outcome > 0),
                "cause": spec.causes[outcome - 1] if outcome else C.CAUSE_NONE,
                "n_member_exits": 0,
            }
            row.update(dict(zip(spec.covariates, x, strict=True)))
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
