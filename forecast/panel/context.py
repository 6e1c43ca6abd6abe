"""The typed intermediate tables every covariate family reads (built once per build)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.panel.inputs import Sources
from forecast.panel.roster import Roster


@dataclass(frozen=True)
class Context:
    """What a covariate family builder may read.

    * ``frame``: the alliance-year rows with keys, structure and design columns;
    * ``roster``: membership (members on 1 Jan t, phase rows, ends, spells);
    * ``state_year``: the state-year indicator table (unlagged);
    * ``weights``: CINC per ``(ccode, year)`` carried forward from the latest NMC year,
      used only to pick the leader and to weigh data coverage, never as a covariate;
    * ``sources``: the validated raw inputs (dyadic ones: MIDs, UCDP, rivalries);
    * ``end_year``: the panel's last year.
    """

    frame: pd.DataFrame
    roster: Roster
    state_year: pd.DataFrame
    weights: pd.Series
    sources: Sources
    end_year: int
