"""Step 1 of the build: read every raw input once into a typed, validated ``Sources``.

``INPUTS`` is the one list of inputs: the attribute each reader fills and the raw files
it reads (hashed into ``data/manifest.json``). Each reader validates its file and checks
it against the published file's declared minimums, so a truncated or mis-encoded file
stops the build with exit 2 naming the file, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecast.errors import InputError
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
    """One raw input: the ``Sources`` attribute, its reader and the raw files it reads."""

    name: str
    reader: Callable[[Path], pd.DataFrame]
    files: tuple[str, ...]


INPUTS: tuple[Input, ...] = (
    Input("atop_alliances", atop.read_atop_alliances, (atop.ALLIANCE_FILE,)),
    Input("atop_members", atop.read_atop_members, (atop.MEMBER_FILE,)),
    Input("atop_phases", atop.read_atop_phases, (atop.PHASE_FILE, atop.INST_FILE)),
    Input("nmc", nmc.read_nmc, (nmc.FILE,)),
    Input("states", states.read_states, (states.STATES_FILE,)),
    Input("majors", states.read_majors, (states.MAJORS_FILE,)),
    Input("depth", depth.read_depth, (depth.FILE,)),
    Input("sipri", sipri.read_sipri, (sipri.FILE,)),
    Input("wdi", wdi.read_wdi_gdp, (wdi.FILE,)),
    Input("polity", polity.read_polity, (polity.FILE,)),
    Input("vdem", vdem.read_vdem, (vdem.FILE, vdem.OLD_FILE)),
    Input("chisols", chisols.read_chisols, (chisols.FILE,)),
    Input("lsthreat", threat.read_lsthreat, (threat.LS_FILE,)),
    Input("terrthreat", threat.read_terrthreat, (threat.TERR_FILE,)),
    Input("gml_mids", mids.read_gml_mids, (mids.GML_FILE,)),
    Input("cow_mids", mids.read_cow_mids, (mids.COW_FILE,)),
    Input("rivalries", rivalries.read_rivalries, (rivalries.FILE,)),
    Input("archigos", archigos.read_archigos, (archigos.FILE,)),
    Input("ucdp", ucdp.read_ucdp, (ucdp.FILE,)),
)

#: Progress callback: (step description, steps done, steps total).
Progress = Callable[[str, int, int], None]


def raw_files() -> list[str]:
    """Every raw file the build reads (relative to the raw folder), sorted."""
    return sorted({f for i in INPUTS for f in i.files})


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
    frames["events"] = read_events(events_file)
    return Sources(**frames)
