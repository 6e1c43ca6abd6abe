"""Militarized interstate dispute readers (dyad-year files).

Sources:
* ``mids/gml_mid_ddydisps.csv``: Gibler, Miller & Little (2016), "An Analysis of the
  Militarized Interstate Dispute (MID) Dataset, 1816–2001", International Studies
  Quarterly 60(4); GML MID data, dispute dyad-years 1816–2010.
* ``mids/cow_mid_ddydisps.csv``: Palmer et al., COW MID data, dispute dyad-years 1816–2014.

Quirks: both files hold **directed** duplicates (every dyad twice, ccode1/ccode2 swapped);
we order each dyad as ``ccode1 < ccode2`` and keep one row per dispute-dyad-year.
``fatality`` −9 means unknown (NaN). ``sidea1/sidea2`` say which side each state was on
(1 = side A).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import raw_path, read_csv, validate

GML_FILE = "mids/gml_mid_ddydisps.csv"
COW_FILE = "mids/cow_mid_ddydisps.csv"
GML_LAST_YEAR = 2010
COW_LAST_YEAR = 2014

SCHEMA = pa.DataFrameSchema(
    {
        "dispnum": pa.Column(int, pa.Check.ge(1)),
        "ccode1": pa.Column(int, pa.Check.in_range(2, 999)),
        "ccode2": pa.Column(int, pa.Check.in_range(2, 999)),
        "year": pa.Column(int, pa.Check.in_range(1816, 2100)),
        "sidea1": pa.Column(int, pa.Check.isin([0, 1])),
        "sidea2": pa.Column(int, pa.Check.isin([0, 1])),
        "hostlev": pa.Column(int, pa.Check.in_range(1, 5)),
        "fatality": pa.Column(int, pa.Check.in_range(-9, 6)),
    },
    checks=[pa.Check(lambda d: d["ccode1"] != d["ccode2"], error="ccode1 != ccode2")],
    coerce=True,
)

COLUMNS = ["dispnum", "ccode1", "ccode2", "year", "sidea1", "sidea2", "hostlev", "fatality"]


def _read(raw_dir: Path, relative: str) -> pd.DataFrame:
    path = raw_path(raw_dir, relative)
    df = validate(read_csv(path), SCHEMA, path)
    swap = df["ccode1"] > df["ccode2"]
    df = df.copy()
    for a, b in (("ccode1", "ccode2"), ("sidea1", "sidea2")):
        df.loc[swap, [a, b]] = df.loc[swap, [b, a]].to_numpy()
    und = df.drop_duplicates(["dispnum", "ccode1", "ccode2", "year"]).copy()
    und["fatality"] = und["fatality"].where(und["fatality"] >= 0, np.nan)
    return und[COLUMNS].sort_values(["year", "dispnum", "ccode1", "ccode2"]).reset_index(drop=True)


def read_gml_mids(raw_dir: Path) -> pd.DataFrame:
    """GML MID dyad-years, undirected (``ccode1 < ccode2``), 1816–2010."""
    return _read(raw_dir, GML_FILE)


def read_cow_mids(raw_dir: Path) -> pd.DataFrame:
    """COW MID dyad-years, undirected (``ccode1 < ccode2``), 1816–2014."""
    return _read(raw_dir, COW_FILE)
