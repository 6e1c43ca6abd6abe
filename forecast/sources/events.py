"""Reader of the hand-recorded alliance events since ATOP's last year (``data/events/events.csv``).

Nothing public codes alliance events after 2018 (ATOP v5.1's last year), so the project
records them by hand, one row per event, each with its date, a citation (treaty text,
depositary notice, official statement) and a confidence. The coding rules are in
``data/README.md`` ("Events recorded since 2018"); the panel applies the rows on top of
ATOP (``forecast.panel.events``). The first line names the schema version:
``# ... schema 1``. Kinds:

* ``accession``: ``members`` (one COW code) joins alliance ``atopid`` on ``date``;
* ``exit``: ``members`` (one code) leaves ``atopid`` on ``date``; ``cause`` required;
* ``end``: alliance ``atopid`` ends on ``date``; ``cause`` (abrogation, replacement,
  natural, exogenous) required;
* ``new_alliance``: a treaty signed on ``date`` by ``members`` (``;``-separated codes),
  with its obligations (``defense offense neutral nonagg consul`` as 0/1) and ``name``;
  ``atopid`` in the recorded range :data:`RECORDED_IDS` (ATOP ids stay below 9000).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from forecast.config import REPO_ROOT
from forecast.errors import DataValidationError
from forecast.sources._io import check_unique, read_csv, validate

DEFAULT_FILE = REPO_ROOT / "data" / "events" / "events.csv"
SCHEMA_VERSION = 1
KINDS = ("accession", "exit", "end", "new_alliance")
CAUSES = ("abrogation", "replacement", "natural", "exogenous")
CONFIDENCE = ("high", "medium", "low")
OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
#: atopids of hand-recorded new alliances: disjoint from ATOP's (1000–8999).
RECORDED_IDS = (9001, 9999)
FIRST_DATE = pd.Timestamp("2019-01-01")  # the day after ATOP v5.1's last day

_HEADER = re.compile(r"^#.*\bschema (\d+)\b")

SCHEMA = pa.DataFrameSchema(
    {
        "event_id": pa.Column(str, pa.Check.str_matches(r"^R\d{4}-[A-Z0-9-]+$"), unique=True),
        "kind": pa.Column(str, pa.Check.isin(list(KINDS))),
        "date": pa.Column("datetime64[ns]", pa.Check.ge(FIRST_DATE)),
        "atopid": pa.Column(int, pa.Check.in_range(1000, RECORDED_IDS[1])),
        "members": pa.Column(str, pa.Check.str_matches(r"^(\d{1,3}(;\d{1,3})*)?$")),
        "cause": pa.Column(str, pa.Check.isin(["", *CAUSES])),
        **{o: pa.Column(str, pa.Check.isin(["", "0", "1"])) for o in OBLIGATIONS},
        "name": pa.Column(str),
        "citation": pa.Column(str, pa.Check.str_length(min_value=40)),
        "confidence": pa.Column(str, pa.Check.isin(list(CONFIDENCE))),
        "note": pa.Column(str),
    },
    coerce=True,
)


def _fail(path: Path, row: pd.Series, what: str) -> DataValidationError:
    return DataValidationError(f"{path}: event {row['event_id']} ({row['kind']}): {what}")


def check_rows(df: pd.DataFrame, path: Path) -> None:
    """Per-kind rules: who, what cause, which obligations, which id range."""
    for _, r in df.iterrows():
        members = [m for m in r["members"].split(";") if m]
        new = r["kind"] == "new_alliance"
        in_range = RECORDED_IDS[0] <= r["atopid"] <= RECORDED_IDS[1]
        if new and not in_range:
            raise _fail(
                path,
                r,
                f"atopid {r['atopid']} must be in {RECORDED_IDS[0]}..{RECORDED_IDS[1]} "
                "(the recorded range; ATOP's ids stay below 9000)",
            )
        if r["kind"] in ("accession", "exit") and len(members) != 1:
            raise _fail(path, r, "give exactly one COW code in 'members'")
        if r["kind"] in ("exit", "end") and not r["cause"]:
            raise _fail(path, r, f"'cause' is required (one of {', '.join(CAUSES)})")
        if r["kind"] == "end" and members:
            raise _fail(path, r, "an end names no members (leave 'members' empty)")
        if new:
            if len(set(members)) < 2:
                raise _fail(path, r, "a new alliance needs at least two distinct members")
            flags = [r[o] for o in OBLIGATIONS]
            if "" in flags or "1" not in flags:
                raise _fail(path, r, "give every obligation as 0/1, at least one of them 1")
            if not r["name"].strip():
                raise _fail(path, r, "a new alliance needs a 'name'")


def read_events(path: Path | None = None) -> pd.DataFrame:
    """The recorded events, validated, sorted by date: one row per event with ``members``
    as a list of COW codes and obligations as ints (``NA`` where not applicable)."""
    path = Path(path) if path is not None else DEFAULT_FILE
    if not path.is_file():
        raise DataValidationError(
            f"{path}: recorded-events file not found; restore data/events/events.csv "
            "or pass --events FILE"
        )
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    m = _HEADER.match(first)
    if not m or int(m.group(1)) != SCHEMA_VERSION:
        raise DataValidationError(
            f"{path}: first line must be '# ... schema {SCHEMA_VERSION}' (found {first[:60]!r}); "
            "this code reads schema version 1 only."
        )
    df = read_csv(path, skiprows=1, dtype=str, keep_default_na=False)
    df = df.apply(lambda s: s.str.strip())
    df = validate(df, SCHEMA, path)
    check_unique(df, ["event_id"], path)
    check_rows(df, path)
    dup = df[df["kind"].isin(["accession", "exit"])].duplicated(["kind", "atopid", "members"])
    if dup.any():
        raise DataValidationError(
            f"{path}: the same member event is recorded twice: "
            f"{df.loc[dup[dup].index, 'event_id'].tolist()}"
        )
    out = df.copy()
    out["members"] = out["members"].map(lambda s: [int(m) for m in s.split(";") if m])
    for o in OBLIGATIONS:
        out[o] = pd.array(pd.to_numeric(out[o].replace("", None)), dtype="Int64")
    return out.sort_values(["date", "event_id"]).reset_index(drop=True)
