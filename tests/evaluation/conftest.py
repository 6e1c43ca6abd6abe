"""Fixtures for the jobs tests: small synthetic panels that follow the panel column contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.panel.columns import CAUSE_NONE, CAUSES, OBLIGATION_TYPES, era_of, region_of


def synthetic_panel(n_alliances: int = 120, seed: int = 0, end_year: int = 2016) -> pd.DataFrame:
    """Alliance-year rows with a known hazard that falls with age and after 1990."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_alliances):
        atopid = 1000 + 5 * i
        begyr = int(rng.integers(1900, 2010))
        otype = OBLIGATION_TYPES[int(rng.integers(0, len(OBLIGATION_TYPES)))]
        threat = rng.normal()
        n_members = int(rng.integers(2, 8))
        for year in range(begyr, end_year + 1):
            age = year - begyr
            base = 0.08 if year < 1990 else 0.02
            h = base * np.exp(0.5 * threat) / (1 + 0.05 * age)
            event = int(rng.random() < h)
            rows.append(
                {
                    "atopid": atopid,
                    "year": year,
                    "begyr": begyr,
                    "age": age,
                    "phase": 0,
                    "obligation_type": otype,
                    "era": era_of(year),
                    "region": region_of(200),
                    "n_members": n_members,
                    "event": event,
                    "cause": CAUSES[int(rng.integers(0, 4))] if event else CAUSE_NONE,
                    "n_member_exits": 0,
                    "bilateral": float(n_members == 2),
                    "log_n_members": float(np.log(n_members)),
                    "lsthreat_max": threat + 0.1 * rng.normal() if year > 1920 else np.nan,
                }
            )
            if event:
                break
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    return synthetic_panel()


def perturb_after(panel: pd.DataFrame, origin: int, seed: int = 99) -> pd.DataFrame:
    """Scramble every record after ``origin``: outcomes, causes, covariates, structure.

    Rows up to ``origin`` are left byte-identical, so a forecaster that uses only what was
    known at the end of ``origin`` must give identical predictions on both panels.
    """
    rng = np.random.default_rng(seed)
    out = panel.copy()
    late = out["year"] > origin
    n = int(late.sum())
    out.loc[late, "event"] = rng.integers(0, 2, n)
    out.loc[late, "cause"] = rng.choice([*CAUSES, CAUSE_NONE], n)
    skip = {"atopid", "year", "event", "cause", "begyr", "age"}
    for col in out.columns:
        if col in skip:
            continue
        if pd.api.types.is_bool_dtype(out[col]):
            out.loc[late, col] = rng.integers(0, 2, n).astype(bool)
        elif pd.api.types.is_integer_dtype(out[col]):
            out.loc[late, col] = rng.integers(0, 5, n)
        elif pd.api.types.is_float_dtype(out[col]):
            out.loc[late, col] = rng.normal(0, 10, n)
        elif isinstance(out[col].dtype, pd.CategoricalDtype):
            cats = out[col].cat.categories
            out.loc[late, col] = rng.choice(cats, n)
        else:
            values = out[col].dropna().unique()
            if len(values):
                out.loc[late, col] = rng.choice(values, n)
    return out
