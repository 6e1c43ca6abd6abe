"""Registry of the covariate families beyond design and power.

``read_extra`` reads the raw sources those families need into ``RawBundle.extra``,
including the ``sy_*`` state-year indicator frames merged into the state-year table;
``GROUP_BUILDERS`` maps a family name to ``(panel, roster, raw) -> columns``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.panel.domestic import domestic_columns
from forecast.panel.foreign_policy import foreign_policy_columns
from forecast.panel.sources_bundle import RawBundle
from forecast.panel.spending import spending_columns
from forecast.panel.threat import threat_columns
from forecast.sources.archigos import read_archigos
from forecast.sources.chisols import read_chisols
from forecast.sources.contiguity import read_contdir
from forecast.sources.maddison import read_maddison
from forecast.sources.mids import read_cow_mids, read_gml_mids
from forecast.sources.polity import read_polity
from forecast.sources.rivalries import read_rivalries
from forecast.sources.sipri import read_sipri
from forecast.sources.threat import read_lsthreat, read_terrthreat
from forecast.sources.vdem import read_vdem

GROUP_BUILDERS = {
    "spending": spending_columns,
    "threat": threat_columns,
    "domestic": domestic_columns,
    "foreign_policy": foreign_policy_columns,
}

#: Readers of the covariate sources, in build order.
EXTRA_READERS = (
    ("sipri", read_sipri),
    ("maddison", read_maddison),
    ("polity", read_polity),
    ("vdem", read_vdem),
    ("chisols", read_chisols),
    ("lsthreat", read_lsthreat),
    ("terrthreat", read_terrthreat),
    ("gml_mids", read_gml_mids),
    ("cow_mids", read_cow_mids),
    ("rivalries", read_rivalries),
    ("archigos", read_archigos),
    ("contdir", read_contdir),
)


def archigos_state_years(arch: pd.DataFrame) -> pd.DataFrame:
    """``ccode, year, irregular_entry``: 1 if a leader entered irregularly (or by foreign
    imposition) that year, 0 if Archigos covers the state that year without one; state-years
    Archigos does not cover are absent (NaN after the merge)."""
    end_year = arch["enddate"].dt.year
    covered = pd.DataFrame(
        [
            (c, y)
            for c, s, e in zip(arch["ccode"], arch["start_year"], end_year, strict=True)
            for y in range(s, e + 1)
        ],
        columns=["ccode", "year"],
    ).drop_duplicates()
    starts = arch.groupby(["ccode", "start_year"], as_index=False)["irregular_entry"].max()
    starts = starts.rename(columns={"start_year": "year"})
    out = covered.merge(starts, on=["ccode", "year"], how="left")
    out["irregular_entry"] = out["irregular_entry"].fillna(0).astype(float)
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)


def state_year_frames(x: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``sy_*`` frames (one row per ccode-year) from the raw covariate sources."""
    irregular = archigos_state_years(x["archigos"])
    return {
        "sy_sipri": x["sipri"][["ccode", "year", "sipri_milex"]],
        "sy_maddison": x["maddison"][["ccode", "year", "gdp", "cgdppc"]],
        "sy_polity": x["polity"][["ccode", "year", "polity2", "regtrans"]],
        "sy_vdem": x["vdem"],
        "sy_chisols": x["chisols"][["ccode", "year", "solschdum", "dem"]].rename(
            columns={"dem": "chisols_dem"}
        ),
        "sy_lsthreat": x["lsthreat"],
        "sy_terrthreat": x["terrthreat"],
        "sy_archigos": irregular,
    }


def read_extra(raw_dir: Path, bundle: RawBundle) -> dict[str, pd.DataFrame]:
    """Read and validate every covariate source; add the ``sy_*`` state-year frames."""
    x = {name: reader(raw_dir) for name, reader in EXTRA_READERS}
    x.update(state_year_frames(x))
    return x
