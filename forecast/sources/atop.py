"""ATOP v4.01 readers: alliance-level and member-level files.

Source: Leeds, Ritter, Mitchell & Long (2002), "Alliance Treaty Obligations and
Provisions, 1815–1944", International Interactions 28:237–60; ATOP v4.01 data files
(atop.rice.edu). Files: ``atop/atop-alliance-level.csv`` (745 alliances) and
``atop/atop-member-level.csv`` (2,398 member × phase spells). Both are pure ASCII; we
read them as latin-1 (harmless) so a stray byte cannot stop the build.

Quirks handled: ``endyr == 0`` / ``yrexit == 0`` mean "in effect on 2016-12-31" (right
censoring, not missing); a member re-entering an alliance gets a second row with the same
``(atopid, member, phase)``, so the member key includes ``yrent`` and ``moent``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.sources._io import check_unique, raw_path, read_csv, to_numeric, validate

ALLIANCE_FILE = "atop/atop-alliance-level.csv"
MEMBER_FILE = "atop/atop-member-level.csv"

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

ALLIANCE_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 9999)),
        "begyr": pa.Column(int, pa.Check.in_range(1815, 2016)),
        "endyr": pa.Column(
            int, pa.Check(lambda s: (s == 0) | s.between(1815, 2016), error="0 or 1815..2016")
        ),
        "ineffect": _flag,
        "bilat": _flag,
        "maxphase": pa.Column(int, pa.Check.in_range(0, 9)),
        **{c: _flag for c in OBLIGATIONS},
    },
    coerce=True,
)

MEMBER_SCHEMA = pa.DataFrameSchema(
    {
        "atopid": pa.Column(int, pa.Check.in_range(1000, 9999)),
        "member": pa.Column(int, pa.Check.in_range(2, 9999)),  # ATOP adds e.g. 8152 (Annam)
        "yrent": pa.Column(int, pa.Check.in_range(1815, 2016)),
        "moent": pa.Column(int, pa.Check.in_range(1, 12)),
        "yrexit": pa.Column(
            int, pa.Check(lambda s: (s == 0) | s.between(1815, 2016), error="0 or 1815..2016")
        ),
        "moexit": pa.Column(int, pa.Check.in_range(0, 12)),
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


def read_atop_alliances(raw_dir: Path) -> pd.DataFrame:
    """ATOP alliance-level rows (one per ``atopid``), validated."""
    path = raw_path(raw_dir, ALLIANCE_FILE)
    df = read_csv(path, encoding="latin-1", low_memory=False)
    df = to_numeric(df, [c for c in ALLIANCE_SCHEMA.columns if c in df.columns], path)
    df = validate(df, ALLIANCE_SCHEMA, path)
    check_unique(df, ["atopid"], path)
    return df.sort_values("atopid").reset_index(drop=True)


def read_atop_members(raw_dir: Path) -> pd.DataFrame:
    """ATOP member × phase spells, validated; key ``(atopid, member, phase, yrent, moent)``."""
    path = raw_path(raw_dir, MEMBER_FILE)
    df = read_csv(path, encoding="latin-1", low_memory=False)
    df = to_numeric(df, [c for c in MEMBER_SCHEMA.columns if c in df.columns], path)
    df = validate(df, MEMBER_SCHEMA, path)
    check_unique(df, ["atopid", "member", "phase", "yrent", "moent"], path)
    return df.sort_values(["atopid", "phase", "member", "yrent"]).reset_index(drop=True)
