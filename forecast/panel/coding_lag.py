"""ATOP's coding lag: alliance ends (and formations) per year as ATOP v4.01 and v5.1 code them.

v4.01 (to 2016) under-codes its last years: ends and formations that v5.1 (to 2018) adds
for the same years measure how long ATOP takes to record what happened (review model.md
§1: 8 ends in 2003–2016 in v4.01). The model side estimates its reporting delay from this
table; it is the only user of the v4.01 reader.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.sources.atop import read_atop_alliances, read_atop_v4_alliances


def ends_by_year(raw_dir: Path | None = None) -> pd.DataFrame:
    """One row per year 1815–2018: ``ends_v401, ends_v51, formed_v401, formed_v51`` (counts
    of alliances ending / signed that year in each release; v4.01 is NaN after 2016)."""
    if raw_dir is None:
        from forecast.config import get_settings

        raw_dir = get_settings().raw_dir
    out = pd.DataFrame(index=pd.RangeIndex(1815, 2019, name="year"))
    for label, frame, last in (
        ("v401", read_atop_v4_alliances(raw_dir), 2016),
        ("v51", read_atop_alliances(raw_dir), 2018),
    ):
        ended = frame[frame["ineffect"] == 0]
        ends = ended.groupby("endyr").size().reindex(out.index, fill_value=0)
        formed = frame.groupby("begyr").size().reindex(out.index, fill_value=0)
        out[f"ends_{label}"] = ends.astype(float).where(out.index <= last)
        out[f"formed_{label}"] = formed.astype(float).where(out.index <= last)
    return out.reset_index()
