"""UCDP/PRIO Armed Conflict Dataset v25.1 reader (state-level expansion).

Source: Gleditsch, Wallensteen, Eriksson, Sollenberg & Strand (2002), "Armed Conflict
1946–2001: A New Dataset", Journal of Peace Research 39(5); Davies et al. (2025), UCDP/PRIO
Armed Conflict Dataset v25.1 (CC BY 4.0). File ``conflict/ucdp_acd_v25_1.csv``: one row per
conflict-year × participating state (``gwno_a``, ``gwno_a_2nd`` on side A, ``gwno_b``,
``gwno_b_2nd`` on side B; one code per row), 1946–2024. ``type_of_conflict``:
``interstate``, ``intrastate``, ``II`` (internationalised intrastate), ``extrasystemic``.
Quirks: codes are Gleditsch–Ward (recoded to COW through ``crosswalks/recodes.csv``:
GW 260 from 1990 -> 255, 678 from 1990 -> 679, 340 -> 345); numbers are stored as floats
("750.0"); a conflict-year appears once per participating state.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import raw_path, read_csv, validate
from forecast.sources.crosswalk import to_cow

FILE = "conflict/ucdp_acd_v25_1.csv"
TYPES = ("interstate", "intrastate", "II", "extrasystemic")

SCHEMA = pa.DataFrameSchema(
    {
        "conflict_id": pa.Column(int, pa.Check.ge(1)),
        "year": pa.Column(int, pa.Check.in_range(1946, 2100)),
        "gwno_a": pa.Column(float, pa.Check.in_range(2, 999), nullable=True),
        "gwno_a_2nd": pa.Column(float, pa.Check.in_range(2, 999), nullable=True),
        "gwno_b": pa.Column(float, pa.Check.in_range(2, 999), nullable=True),
        "gwno_b_2nd": pa.Column(float, pa.Check.in_range(2, 999), nullable=True),
        "intensity_level": pa.Column(int, pa.Check.isin([1, 2])),
        "type_of_conflict": pa.Column(str, pa.Check.isin(list(TYPES))),
    },
    coerce=True,
)


def read_ucdp(raw_dir: Path) -> pd.DataFrame:
    """Conflict-year participants in COW codes: ``conflict_id, year, ccode, side`` (A/B),
    ``primary`` (True for ``gwno_a``/``gwno_b``), ``type_of_conflict``, ``intensity_level``."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    parts = []
    for col, side, primary in (
        ("gwno_a", "A", True),
        ("gwno_a_2nd", "A", False),
        ("gwno_b", "B", True),
        ("gwno_b_2nd", "B", False),
    ):
        p = df.loc[df[col].notna(), ["conflict_id", "year", "type_of_conflict", "intensity_level"]]
        parts.append(
            p.assign(gw=df.loc[df[col].notna(), col].astype(int), side=side, primary=primary)
        )
    long = pd.concat(parts, ignore_index=True)
    out = to_cow(long, "gw", "gw")
    out = out.drop_duplicates(["conflict_id", "year", "ccode", "side"])
    cols = [
        "conflict_id",
        "year",
        "ccode",
        "side",
        "primary",
        "type_of_conflict",
        "intensity_level",
    ]
    return out[cols].sort_values(["year", "conflict_id", "ccode"]).reset_index(drop=True)
