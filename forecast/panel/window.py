"""Time windows of the panel: what was known at the end of a given year."""

from __future__ import annotations

import pandas as pd

from forecast.errors import InputError


def truncate(panel: pd.DataFrame, until: int) -> pd.DataFrame:
    """The panel as known at the end of ``until``: rows with ``year <= until``.

    Outcomes after ``until`` are invisible (an alliance that ended later simply has no
    event yet), and every covariate at ``year <= until`` already uses data up to
    ``year - 1`` only, so no later information leaks in. ``endyr`` (an extra column that
    reveals future ends) is blanked for ends after ``until``.
    """
    if "year" not in panel.columns:
        raise InputError("truncate: the frame has no 'year' column; pass the alliance-year panel")
    first = int(panel["year"].min()) if len(panel) else until
    if until < first:
        raise InputError(f"truncate: until={until} is before the first panel year {first}")
    out = panel.loc[panel["year"] <= until].copy()
    if "endyr" in out.columns:
        out["endyr"] = out["endyr"].where(out["endyr"] <= until)
    return out.reset_index(drop=True)
