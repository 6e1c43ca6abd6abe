"""State-year indicator table: raw (unlagged) indicators per COW state and year.

The alliance and member panels read these values at t−1 (or windows ending at t−1);
this table keeps them at their own year so that lags are explicit in one place. Each
column comes from one source and stays NaN where the source has no value.
"""

from __future__ import annotations

import pandas as pd

from forecast.config import DATA_END_YEAR
from forecast.panel.sources_bundle import RawBundle

FIRST_YEAR = 1814  # one year before the first ATOP signature (t-1 of 1815)


def build_state_year(raw: RawBundle) -> pd.DataFrame:
    """``ccode, year`` for COW system members 1816–2016 plus any state-year in NMC,
    with indicator columns from every available source."""
    base = pd.concat(
        [raw.state_years, raw.nmc.loc[raw.nmc["year"] <= DATA_END_YEAR, ["ccode", "year"]]]
    ).drop_duplicates()
    out = base.merge(
        raw.nmc[["ccode", "year", "cinc", "milex", "milper", "tpop"]],
        on=["ccode", "year"],
        how="left",
    )
    majors = raw.major_years.assign(major=1)
    out = out.merge(majors, on=["ccode", "year"], how="left")
    out["major"] = out["major"].fillna(0).astype("int64")
    system = raw.state_years.assign(system_member=1)
    out = out.merge(system, on=["ccode", "year"], how="left")
    out["system_member"] = out["system_member"].fillna(0).astype("int64")
    for name, frame in sorted(raw.extra.items()):
        if name.startswith("sy_"):  # state-year indicator frames prepared by the readers
            out = out.merge(frame, on=["ccode", "year"], how="left", validate="one_to_one")
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
