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
