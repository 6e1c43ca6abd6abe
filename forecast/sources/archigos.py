"""Archigos 4.1 leaders reader (``leaders/archigos.csv``).

Source: Goemans, Gleditsch & Chiozza (2009), "Introducing Archigos: A Dataset of
Political Leaders", Journal of Peace Research 46(2):269–283; version 4.1 (1840–2015).
One row per leader spell. Quirk: countries use **Gleditsch–Ward** codes, recoded to COW
(GW 260 from 1990 → COW 255, GW 678 from 1990 → 679, GW 340 → 345; see
``crosswalks/recodes.csv``); GW-only units without a COW state are dropped.
``entry`` is Regular, Irregular, Foreign Imposition or Unknown.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate
from forecast.sources.crosswalk import to_cow

FILE = "leaders/archigos.csv"
ENTRY = ("Regular", "Irregular", "Foreign Imposition", "Unknown")

SCHEMA = pa.DataFrameSchema(
    {
        "obsid": pa.Column(str),
        "gwcode": pa.Column(int, pa.Check.in_range(2, 999)),
        "startdate": pa.Column("datetime64[ns]"),
        "enddate": pa.Column("datetime64[ns]"),
        "entry": pa.Column(str, pa.Check.isin(list(ENTRY))),
        "exit": pa.Column(str),
    },
    checks=[pa.Check(lambda d: d["enddate"] >= d["startdate"], error="enddate >= startdate")],
    coerce=True,
)


def read_archigos(raw_dir: Path) -> pd.DataFrame:
    """Leader spells with COW codes: ``ccode, gwcode, leader, startdate, enddate, entry, exit,
    start_year, irregular_entry`` (entry Irregular or Foreign Imposition)."""
    path = raw_path(raw_dir, FILE)
    df = validate(read_csv(path), SCHEMA, path)
    check_unique(df, ["obsid"], path)
    df["start_year"] = df["startdate"].dt.year
    out = to_cow(df, "gw", "gwcode", year_col="start_year")
    out["irregular_entry"] = out["entry"].isin(["Irregular", "Foreign Imposition"]).astype(int)
    cols = [
        "ccode",
        "gwcode",
        "leader",
        "startdate",
        "enddate",
        "entry",
        "exit",
        "start_year",
        "irregular_entry",
    ]
    return out[cols].sort_values(["ccode", "startdate"]).reset_index(drop=True)
