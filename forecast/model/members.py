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


#: Member exit cause (``member_year.exit_cause``, from ATOP's termmode) -> model cause.
EXIT_CAUSE = {
    "abrogation": "withdrawal",
    "replacement": "withdrawal",
    "natural": "withdrawal",
    "exogenous": "independence_lost",
}


def member_model_panel(member_year: pd.DataFrame) -> pd.DataFrame:
    """The member-year panel as the ``member_exit`` model reads it: ``cause`` is the exit
    cause (``EXIT_CAUSE``: withdrawal vs loss of independence, ``none`` otherwise) and
    ``members`` is ``(atopid,)``, so the shared random effect of the design is an
    alliance effect (member-years of one alliance share it)."""
    out = member_year.copy()
    cause = out["exit_cause"].map(EXIT_CAUSE).fillna("none")
    out["cause"] = cause.where(out["exit"].fillna(0).astype(int) > 0, "none")
    out[MEMBERS] = [(int(a),) for a in out["atopid"]]
    return out


def load_member_model_panel(data_dir: Path | None = None) -> pd.DataFrame:
    """The member-year panel prepared for the member model (see :func:`member_model_panel`)."""
    from forecast.panel.load import load_member_panel

    return member_model_panel(load_member_panel(data_dir))


class ModelPanels:
    """The panels forecasters read, one per unit (``alliance``, ``member``); the member
    panel is read on first use. ``Forecaster(artifact, panels)`` picks its model's unit."""

    def __init__(self, alliance: pd.DataFrame, data_dir: Path | None = None) -> None:
        self.alliance = alliance
        self.data_dir = data_dir
        self._member: pd.DataFrame | None = None

    def for_unit(self, unit: str) -> pd.DataFrame:
        """The panel of ``unit``."""
        if unit == "alliance":
            return self.alliance
        if self._member is None:
            self._member = load_member_model_panel(self.data_dir)
        return self._member


def load_unit_panel(unit: str, data_dir: Path | None = None) -> pd.DataFrame:
    """The panel a model of ``unit`` (``alliance`` or ``member``) is fitted on."""
    return load_model_panel(data_dir) if unit == "alliance" else load_member_model_panel(data_dir)
