"""Benson & Clinton alliance depth/scope/capacity scores (``depth/benson-clinton-scores.csv``).

Source: Benson, B. V. & Clinton, J. D. (2016), "Assessing the Variation of Formal
Military Alliances", Journal of Conflict Resolution 60(5):866–898. One row per ATOP
alliance formed 1816–2000 (492 rows; 487 match ATOP v4.01). Scores are posterior means
of latent traits, roughly N(0, 1). Static: one value per alliance, not per phase.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate

FILE = "depth/benson-clinton-scores.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 9999)),
        "Depth.score": pa.Column(float, pa.Check.in_range(-10, 10)),
        "Scope.score": pa.Column(float, pa.Check.in_range(-10, 10)),
        "PotMilCapacity.score": pa.Column(float, pa.Check.in_range(-10, 10)),
    },
    coerce=True,
)


def read_depth(raw_dir: Path) -> pd.DataFrame:
    """Benson–Clinton scores: ``atopid, depth, scope, capacity``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    check_unique(df, ["atopid"], path)
    out = df[list(SCHEMA.columns)].rename(
        columns={"Depth.score": "depth", "Scope.score": "scope", "PotMilCapacity.score": "capacity"}
    )
    return out.sort_values("atopid").reset_index(drop=True)
