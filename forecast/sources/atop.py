"""ATOP readers: v5.1 (alliance, member, phase and institutionalisation files) and the
v4.01 alliance file (kept only for :func:`forecast.panel.coding_lag.ends_by_year`).

Source: Leeds, Ritter, Mitchell & Long (2002), "Alliance Treaty Obligations and
Provisions, 1815–1944", International Interactions 28:237–60; ATOP v5.1 codebook and
data files (atop.rice.edu), 1815–2018. Files (plain ASCII, read as latin-1 so that a
stray byte cannot stop the build):

* ``atop/atop5_1a.csv``: one row per alliance (789); ``endyr == 0`` = in effect on
  2018-12-31 (right censoring, not missing).
* ``atop/atop5_1m.csv``: one row per member × phase spell; ``yrexit == 0`` = still a
  member; a member re-entering gets a second row with the same ``(atopid, member,
  phase)``, so the key includes ``yrent`` and ``moent``.
* ``atop/atop5_1aph.csv``: one row per alliance phase (``atopidphase``).
* ``atop/atopinst5_1.csv``: ``milinst`` and ``formal`` per phase (moved out of the
  alliance file in v5; v4.01's ``formorg hinst milorg minst pubtreat`` are gone).

Every reader checks a declared minimum of rows and alliances (a truncated file fails).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.errors import DataValidationError
from forecast.sources._io import (
    check_unique,
    raw_path,
    read_csv,
    to_numeric,
    validate,
)

ALLIANCE_FILE = "atop/atop5_1a.csv"
MEMBER_FILE = "atop/atop5_1m.csv"
PHASE_FILE = "atop/atop5_1aph.csv"
INST_FILE = "atop/atopinst5_1.csv"
V4_ALLIANCE_FILE = "atop/atop-alliance-level.csv"

#: Last year ATOP v5.1 codes (alliances in force then are right-censored by ATOP).
ATOP_LAST_YEAR = 2018
V4_LAST_YEAR = 2016

#: Obligation flags, in the precedence used for ``obligation_type``.
OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")

#: Design provisions read from the phase rows of the member file.
DESIGN_FIELDS = (
    "wartime",
    "speclgth",
    "length",
    "renounce",
    "asymm",
    "milcon",
    "milaid",
    "intcom",
    "subord",
    "organ1",
    "base",
    "contrib",
    "nomicoop",
    "compag",
    "specthrt",
    "statthr1",
    "statthr2",
)


_flag = pa.Column(int, pa.Check.isin([0, 1]))
_code = pa.Column(float, pa.Check.ge(0), nullable=True)


def _year(last: int) -> pa.Check:
    return pa.Check(lambda s: (s == 0) | s.between(1815, last), error=f"0 or 1815..{last}")


def alliance_schema(last: int) -> pa.DataFrameSchema:
    """Schema of an ATOP alliance-level file whose data end in ``last``."""
    return pa.DataFrameSchema(
        {
            "atopid": pa.Column(int, pa.Check.in_range(1000, 8999)),
            "begyr": pa.Column(int, pa.Check.in_range(1815, last)),
            "endyr": pa.Column(int, _year(last)),
            "ineffect": _flag,
            "bilat": _flag,
            "maxphase": pa.Column(int, pa.Check.in_range(0, 9)),
            **{c: _flag for c in OBLIGATIONS},
        },
        checks=[
            pa.Check(
                lambda d: (d["endyr"] == 0) == (d["ineffect"] == 1),
                error="endyr == 0 iff ineffect == 1",
            )
        ],
        coerce=True,
    )


MEMBER_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 8999)),
        "member": pa.Column(int, pa.Check.in_range(2, 9999)),  # ATOP adds e.g. 8152 (Annam)
        "yrent": pa.Column(int, pa.Check.in_range(1815, ATOP_LAST_YEAR)),
        "moent": pa.Column(int, pa.Check.in_range(1, 12)),
        "dayent": pa.Column(float, pa.Check.in_range(0, 31), nullable=True),
        "yrexit": pa.Column(int, _year(ATOP_LAST_YEAR)),
        "moexit": pa.Column(int, pa.Check.in_range(0, 12)),
        "dayexit": pa.Column(float, pa.Check.in_range(0, 31), nullable=True),
        "ineffect": _flag,
        "phase": pa.Column(int, pa.Check.in_range(0, 9)),
        "termmode": pa.Column(int, pa.Check.in_range(0, 6)),
        "termcaus": pa.Column(float, pa.Check.in_range(0, 8), nullable=True),
        **{c: _flag for c in OBLIGATIONS},
        **{c: _code for c in DESIGN_FIELDS},
    },
    checks=[
        pa.Check(
            lambda d: (d["yrexit"] == 0) == (d["ineffect"] == 1),
            error="yrexit == 0 iff ineffect == 1",
        ),
        pa.Check(
            lambda d: (d["yrexit"] == 0) | (d["yrexit"] >= d["yrent"]), error="yrexit >= yrent"
        ),
    ],
    coerce=True,
)

PHASE_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 8999)),
        "atopidphase": pa.Column(float, pa.Check.in_range(1000, 8999.99)),
        "phase": pa.Column(int, pa.Check.in_range(0, 9)),
        "begyr": pa.Column(int, pa.Check.in_range(1815, ATOP_LAST_YEAR)),
        "endyr": pa.Column(int, _year(ATOP_LAST_YEAR)),
        **{c: _flag for c in OBLIGATIONS},
    },
    coerce=True,
)

INST_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 8999)),
        "atopidphase": pa.Column(float, pa.Check.in_range(1000, 8999.99)),
        "milinst": pa.Column(float, pa.Check.isin([0, 1, 2]), nullable=True),
        "formal": pa.Column(float, pa.Check.isin([0, 1, 2]), nullable=True),
    },
    coerce=True,
)


def _read(raw_dir: Path, relative: str, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, Path]:
    path = raw_path(raw_dir, relative)
    df = read_csv(path, encoding="latin-1", low_memory=False)
    df = to_numeric(df, [c for c in schema.columns if c in df.columns], path)
    return validate(df, schema, path), path


def read_atop_alliances(raw_dir: Path) -> pd.DataFrame:
    """ATOP v5.1 alliance-level rows (one per ``atopid``), validated."""
    df, path = _read(raw_dir, ALLIANCE_FILE, alliance_schema(ATOP_LAST_YEAR))
    check_unique(df, ["atopid"], path)
    return df.sort_values("atopid").reset_index(drop=True)


def read_atop_members(raw_dir: Path) -> pd.DataFrame:
    """ATOP v5.1 member × phase spells; key ``(atopid, member, phase, yrent, moent)``."""
    df, path = _read(raw_dir, MEMBER_FILE, MEMBER_SCHEMA)
    check_unique(df, ["atopid", "member", "phase", "yrent", "moent"], path)
    return df.sort_values(["atopid", "phase", "member", "yrent"]).reset_index(drop=True)


def read_atop_phases(raw_dir: Path) -> pd.DataFrame:
    """ATOP v5.1 alliance phases with ``milinst``/``formal`` from the institutionalisation file."""
    ph, path = _read(raw_dir, PHASE_FILE, PHASE_SCHEMA)
    check_unique(ph, ["atopidphase"], path)
    inst, ipath = _read(raw_dir, INST_FILE, INST_SCHEMA)
    check_unique(inst, ["atopidphase"], ipath)
    inst = inst.assign(atopidphase=inst["atopidphase"].round(1))
    ph = ph.assign(atopidphase=ph["atopidphase"].round(1))
    out = ph.merge(
        inst[["atopidphase", "milinst", "formal"]], on="atopidphase", how="left", indicator=True
    )
    lost = out["_merge"] != "both"
    if lost.any():
        raise DataValidationError(
            f"{ipath}: no institutionalisation row for phases "
            f"{out.loc[lost, 'atopidphase'].head(5).tolist()}; restore the published file."
        )
    cols = ["atopid", "atopidphase", "phase", "begyr", "endyr", *OBLIGATIONS, "milinst", "formal"]
    return out[cols].sort_values("atopidphase").reset_index(drop=True)


def read_atop_v4_alliances(raw_dir: Path) -> pd.DataFrame:
    """ATOP v4.01 alliance-level rows (745; 1815–2016): only for the coding-lag comparison."""
    df, path = _read(raw_dir, V4_ALLIANCE_FILE, alliance_schema(V4_LAST_YEAR))
    check_unique(df, ["atopid"], path)
    return df.sort_values("atopid").reset_index(drop=True)
