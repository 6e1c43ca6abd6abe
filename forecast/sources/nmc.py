"""COW National Material Capabilities v7.0 reader (``cow/nmc.csv``).

Source: Singer, Bremer & Stuckey (1972), "Capability Distribution, Uncertainty, and Major
Power War, 1820–1965"; Correlates of War Project, National Material Capabilities v7.0
(1816–2022). ``milex`` is military expenditure in thousands of current US dollars,
``milper`` thousands of personnel, ``tpop``/``upop`` thousands of people, ``cinc`` the
state's share of system capabilities (0..1). Missing values are empty cells.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import read_keyed_table

FILE = "cow/nmc.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "ccode": pa.Column(int, pa.Check.in_range(2, 999)),
        "year": pa.Column(int, pa.Check.in_range(1816, 2100)),
        "milex": pa.Column(float, pa.Check.ge(0), nullable=True),
        "milper": pa.Column(float, pa.Check.ge(0), nullable=True),
        "tpop": pa.Column(float, pa.Check.ge(0), nullable=True),
        "cinc": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
    },
    coerce=True,
)


def read_nmc(raw_dir: Path) -> pd.DataFrame:
    """NMC state-years: ``ccode, year, milex, milper, tpop, cinc`` (one row per state-year)."""
    return read_keyed_table(raw_dir, FILE, SCHEMA, ["ccode", "year"])
