"""External-threat readers: Leeds–Savun ``lsthreat`` and Miller's latent territorial threat.

Sources:
* ``threat/leeds-savun-threat.csv``: state-year external-threat score (0..0.98) from the
  replication data of Alley, "arms-allies" (after Leeds & Savun 2007, "Terminating
  Alliances: Why Do States Abrogate Agreements?", Journal of Politics 69(4)). Built from
  alliance-portfolio S-scores, so it moves with ATOP ties. Artefacts after 2002 (zero
  share drops from 17 % to 0 and the mean jumps 0.23→0.47 in 2003; all zeros in 2008):
  values after :data:`LSTHREAT_LAST_VALID` are set to NaN, and the 2009–2015 rows with
  no country code are dropped.
* ``threat/terrthreat.csv``: Miller's latent territorial threat ``lterrthreat`` with
  posterior ``sd`` (1816–2010); values after :data:`TERRTHREAT_LAST_VALID` are NaN.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, validate

LS_FILE = "threat/leeds-savun-threat.csv"
TERR_FILE = "threat/terrthreat.csv"
LSTHREAT_LAST_VALID = 2002
TERRTHREAT_LAST_VALID = 2010

LS_SCHEMA = pa.DataFrameSchema(
    {
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "year": pa.Column(int, pa.Check.in_range(1800, 2100)),
        "lsthreat": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
    },
    coerce=True,
)

TERR_SCHEMA = pa.DataFrameSchema(
    {
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "year": pa.Column(int, pa.Check.in_range(1800, 2100)),
        "lterrthreat": pa.Column(float, pa.Check.in_range(-10, 20), nullable=True),
        "sd": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    coerce=True,
)


def read_lsthreat(raw_dir: Path) -> pd.DataFrame:
    """Leeds–Savun threat: ``ccode, year, lsthreat`` (NaN after 2002)."""
    path = raw_path(raw_dir, LS_FILE)
    df = read_csv(path)
    if {"ccode", "year"} <= set(df.columns):
        # 2009–2015 each carry one artefact row with no country code and lsthreat 0.
        df = df[~(df["ccode"].isna() & (df["year"] > LSTHREAT_LAST_VALID))]
    df = validate(df, LS_SCHEMA, path)
    check_unique(df, ["ccode", "year"], path)
    df["lsthreat"] = df["lsthreat"].where(df["year"] <= LSTHREAT_LAST_VALID, np.nan)
    return df[["ccode", "year", "lsthreat"]].sort_values(["ccode", "year"]).reset_index(drop=True)


def read_terrthreat(raw_dir: Path) -> pd.DataFrame:
    """Latent territorial threat: ``ccode, year, terrthreat, terrthreat_sd`` (NaN after 2010)."""
    path = raw_path(raw_dir, TERR_FILE)
    df = validate(read_csv(path), TERR_SCHEMA, path)
    check_unique(df, ["ccode", "year"], path)
    late = df["year"] > TERRTHREAT_LAST_VALID
    out = pd.DataFrame(
        {
            "ccode": df["ccode"],
            "year": df["year"],
            "terrthreat": df["lterrthreat"].where(~late, np.nan),
            "terrthreat_sd": df["sd"].where(~late, np.nan),
        }
    )
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
