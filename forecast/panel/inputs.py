"""Step 1 of the build: read every raw input once into a typed, validated ``Sources``.

``INPUTS`` is the one list of inputs: the attribute each reader fills, the raw files it
reads (hashed into ``data/manifest.json``) and the declared completeness of the published
file: a minimum number of rows, of distinct keys, and keys that must be present (key
states, conflicts). Each reader validates its file; :func:`check_complete` then compares
the result with the declaration, and :func:`check_consistent` checks the ATOP files
against each other (every alliance has member and phase rows). A truncated or
mis-encoded file that still parses therefore stops the build with exit 2, naming the
file, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecast.errors import DataValidationError, InputError
from forecast.sources import (
    archigos,
    atop,
    chisols,
    depth,
    mids,
    nmc,
    polity,
    rivalries,
    sipri,
    states,
    threat,
    ucdp,
    vdem,
    wdi,
)
from forecast.sources.events import read_events


@dataclass(frozen=True)
class Sources:
    """Validated raw frames, one attribute per input (see each reader for its columns)."""

    atop_alliances: pd.DataFrame
    atop_members: pd.DataFrame
    atop_phases: pd.DataFrame
    events: pd.DataFrame
    nmc: pd.DataFrame
    states: pd.DataFrame
    majors: pd.DataFrame
    depth: pd.DataFrame
    sipri: pd.DataFrame
    wdi: pd.DataFrame
    polity: pd.DataFrame
    vdem: pd.DataFrame
    chisols: pd.DataFrame
    lsthreat: pd.DataFrame
    terrthreat: pd.DataFrame
    gml_mids: pd.DataFrame
    cow_mids: pd.DataFrame
    rivalries: pd.DataFrame
    archigos: pd.DataFrame
    ucdp: pd.DataFrame


@dataclass(frozen=True)
class Input:
    """One raw input: the ``Sources`` attribute, its reader, the raw files it reads and
    the published file's declared completeness (rows after reading; distinct values of
    ``key``; values of ``key`` that must be present)."""

    name: str
    reader: Callable[[Path], pd.DataFrame]
    files: tuple[str, ...]
    min_rows: int
    key: str | None = None
    min_keys: int = 0
    required: frozenset[int] = frozenset()


#: Key states every state-year source of the present era must cover.
_KEY = frozenset({2, 200, 220, 255, 365, 640, 710})

INPUTS: tuple[Input, ...] = (
    Input("atop_alliances", atop.read_atop_alliances, (atop.ALLIANCE_FILE,), 780, "atopid", 780,
          frozenset({3180, 3375, 4735})),
    Input("atop_members", atop.read_atop_members, (atop.MEMBER_FILE,), 2450, "atopid", 780,
          frozenset({3180, 3375, 4735})),
    Input("atop_phases", atop.read_atop_phases, (atop.PHASE_FILE, atop.INST_FILE), 840,
          "atopid", 780),
    Input("nmc", nmc.read_nmc, (nmc.FILE,), 16800, "ccode", 200, _KEY),
    Input("states", states.read_states, (states.STATES_FILE,), 240, "ccode", 215, _KEY),
    Input("majors", states.read_majors, (states.MAJORS_FILE,), 14, "ccode", 8),
    Input("depth", depth.read_depth, (depth.FILE,), 485, "atopid", 485),
    Input("sipri", sipri.read_sipri, (sipri.FILE,), 8600, "ccode", 165, _KEY | {260, 20}),
    Input("wdi", wdi.read_wdi_gdp, (wdi.FILE,), 10100, "ccode", 170, _KEY),
    Input("polity", polity.read_polity, (polity.FILE,), 17000, "ccode", 160, _KEY),
    Input("vdem", vdem.read_vdem, (vdem.FILE, vdem.OLD_FILE), 26000, "ccode", 160,
          _KEY | {260, 265}),
    Input("chisols", chisols.read_chisols, (chisols.FILE,), 11000, "ccode", 150, _KEY),
    Input("lsthreat", threat.read_lsthreat, (threat.LS_FILE,), 14000, "ccode", 180, _KEY),
    Input("terrthreat", threat.read_terrthreat, (threat.TERR_FILE,), 14400, "ccode", 180, _KEY),
    Input("gml_mids", mids.read_gml_mids, (mids.GML_FILE,), 4500, "year", 180),
    Input("cow_mids", mids.read_cow_mids, (mids.COW_FILE,), 5000, "year", 180),
    Input("rivalries", rivalries.read_rivalries, (rivalries.FILE,), 255),
    Input("archigos", archigos.read_archigos, (archigos.FILE,), 3300, "ccode", 180, _KEY),
    Input("ucdp", ucdp.read_ucdp, (ucdp.FILE,), 6100, "year", 79),
)  # fmt: skip

#: Progress callback: (step description, steps done, steps total).
Progress = Callable[[str, int, int], None]


def raw_files() -> list[str]:
    """Every raw file the build reads (relative to the raw folder), sorted."""
    return sorted({f for i in INPUTS for f in i.files})


def check_complete(inp: Input, df: pd.DataFrame, raw_dir: Path) -> None:
    """Raise if ``df`` (as read from ``inp.files``) falls short of the declaration."""
    short = []
    if len(df) < inp.min_rows:
        short.append(f"{len(df)} rows < {inp.min_rows}")
    if inp.key is not None:
        keys = set(df[inp.key].dropna().astype(int))
        if len(keys) < inp.min_keys:
            short.append(f"{len(keys)} distinct {inp.key} < {inp.min_keys}")
        missing = sorted(inp.required - keys)
        if missing:
            short.append(f"{inp.key} {missing[:8]} missing")
    if short:
        files = ", ".join(str(Path(raw_dir) / f) for f in inp.files)
        raise DataValidationError(
            f"{files}: incomplete ({'; '.join(short)}; the published file has them). The "
            "file looks truncated or damaged: restore the published original "
            "(../shared/data/SOURCES.md). The previous panel is left as it was."
        )


def check_consistent(frames: dict[str, pd.DataFrame], raw_dir: Path) -> None:
    """Every ATOP alliance has member rows and phase rows (a cut member file fails)."""
    ids = set(frames["atop_alliances"]["atopid"])
    for name, f in (("atop_members", atop.MEMBER_FILE), ("atop_phases", atop.PHASE_FILE)):
        lost = sorted(ids - set(frames[name]["atopid"]))
        if lost:
            raise DataValidationError(
                f"{Path(raw_dir) / f}: no rows for {len(lost)} ATOP alliances (e.g. {lost[:5]}); "
                "the file looks truncated: restore the published original."
            )


def read_sources(
    raw_dir: Path, events_file: Path | None = None, progress: Progress | None = None
) -> Sources:
    """Read and validate every raw input and the recorded-events file."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(
            f"raw data folder {raw_dir} not found; "
            "pass --raw DIR (the folder holding atop/, cow/, ...)"
        )
    frames: dict[str, pd.DataFrame] = {}
    for k, inp in enumerate(INPUTS):
        if progress:
            progress(f"reading {inp.name}", k, len(INPUTS) + 1)
        frames[inp.name] = inp.reader(raw_dir)
        check_complete(inp, frames[inp.name], raw_dir)
    check_consistent(frames, raw_dir)
    frames["events"] = read_events(events_file)
    return Sources(**frames)
