"""Read every raw dataset once, into one bundle of validated frames for the panel builders."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from forecast.sources.atop import read_atop_alliances, read_atop_members
from forecast.sources.depth import read_depth
from forecast.sources.nmc import read_nmc
from forecast.sources.states import read_majors, read_states, spells_to_years


@dataclass
class RawBundle:
    """Validated raw frames (one attribute per dataset) plus derived year tables."""

    atop_alliances: pd.DataFrame
    atop_members: pd.DataFrame
    nmc: pd.DataFrame
    states: pd.DataFrame
    majors: pd.DataFrame
    depth: pd.DataFrame
    extra: dict[str, pd.DataFrame]

    @property
    def major_years(self) -> pd.DataFrame:
        """``ccode, year`` of major powers (from the COW spells)."""
        return spells_to_years(self.majors)

    @property
    def state_years(self) -> pd.DataFrame:
        """``ccode, year`` of COW system members."""
        return spells_to_years(self.states)

    def names(self) -> list[str]:
        """Names of the datasets held."""
        return [f.name for f in fields(self) if f.name != "extra"] + sorted(self.extra)


#: Readers of the core datasets, in build order (name, reader).
CORE_READERS = (
    ("atop_alliances", read_atop_alliances),
    ("atop_members", read_atop_members),
    ("nmc", read_nmc),
    ("states", read_states),
    ("majors", read_majors),
    ("depth", read_depth),
)


def read_core(raw_dir: Path) -> RawBundle:
    """Read the core datasets (ATOP, NMC, states, majors, depth)."""
    frames = {name: reader(raw_dir) for name, reader in CORE_READERS}
    return RawBundle(**frames, extra={})
