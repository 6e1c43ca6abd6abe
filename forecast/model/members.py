"""Who belongs to each alliance in each year: the member lists of the multiple-membership
state effects (pandas only, safe for the serving path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MEMBERS = "members"


def member_lists(panel: pd.DataFrame, spells: pd.DataFrame) -> pd.Series:
    """Tuple of member COW codes of every ``(atopid, year)`` row of ``panel``.

    ``spells`` is ``alliance_members`` (one row per alliance x member x phase with
    ``yrent``, ``yrexit``, ``exit``): a state is a member in ``year`` when it entered by
    then and had not exited before it.
    """
    keys = panel[["atopid", "year"]].reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    sp = spells[["atopid", "ccode", "yrent", "yrexit", "exit"]]
    x = keys.merge(sp, on="atopid", how="left")
    exit_year = pd.to_numeric(x["yrexit"], errors="coerce")
    stays = ~x["exit"].fillna(False).astype(bool) | (exit_year >= x["year"])
    x = x[(x["yrent"] <= x["year"]) & stays]
    lists = x.groupby("_row")["ccode"].agg(lambda s: tuple(sorted({int(c) for c in s})))
    out = pd.Series([()] * len(keys), dtype=object)
    out.iloc[lists.index.to_numpy()] = lists.to_numpy()
    out.index = panel.index
    return out


def attach_members(panel: pd.DataFrame, spells: pd.DataFrame) -> pd.DataFrame:
    """``panel`` with a ``members`` column (see :func:`member_lists`)."""
    out = panel.copy()
    out[MEMBERS] = member_lists(panel, spells)
    return out


def load_model_panel(data_dir: Path | None = None) -> pd.DataFrame:
    """The alliance-year panel with its member lists: what fits and forecasts read."""
    from forecast.panel.load import load_alliance_members, load_panel

    return attach_members(load_panel(data_dir), load_alliance_members(data_dir))
