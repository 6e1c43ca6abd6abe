"""Step 2: the state-year table, raw (unlagged) indicators per COW state and year.

One row per COW system member (1816 to the panel's end year) plus any other state-year
in NMC. The alliance and member panels read these values at t−1 (or windows ending at
t−1), so lags live in one place. Each column comes from one source, or from one declared
overlap rule (``data/README.md``), and stays NaN where no source has a value:

* ``cinc, milper, tpop``: COW NMC (to 2022); ``milex_nmc``: NMC spending (US$ thousands);
* ``milex``: military spending in US$ m at current prices: SIPRI where it has the
  state-year (1949–2024), else NMC/1000 (overlap rule: SIPRI wins);
* ``milex_constant``: SIPRI, constant 2023 US$ m;
* ``milex_gdp``: spending in **% of GDP**: SIPRI's share of GDP, else SIPRI current-US$
  spending over WDI current-US$ GDP (the same currency basis), never PPP GDP;
* ``gdp_current``: nominal GDP in US$ m: WDI, else SIPRI's implied GDP
  (spending / share of GDP);
* ``polity2, regtrans`` (Polity5), ``polyarchy, libdem`` (V-Dem v14 / older extract),
  ``solschdum, chisols_dem`` (CHISOLS 5.0), ``lsthreat``, ``terrthreat``,
  ``irregular_entry`` (Archigos), ``major``, ``system_member``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.inputs import Sources
from forecast.sources.states import spells_to_years


def archigos_state_years(arch: pd.DataFrame) -> pd.DataFrame:
    """``ccode, year, irregular_entry``: 1 if a leader entered irregularly (or by foreign
    imposition) that year, 0 if Archigos covers the state that year without one."""
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


def spending(src: Sources) -> pd.DataFrame:
    """``ccode, year, milex, milex_constant, milex_gdp, gdp_current`` by the overlap rules."""
    nmc = src.nmc[["ccode", "year", "milex"]].rename(columns={"milex": "milex_nmc"})
    s = src.sipri.merge(src.wdi, on=["ccode", "year"], how="outer")
    s = s.merge(nmc, on=["ccode", "year"], how="outer")
    implied = s["milex_current"] / (s["milex_gdp"] / 100.0)
    s["gdp_current"] = s["gdp_current"].fillna(implied.where(s["milex_gdp"] > 0))
    fallback = 100.0 * s["milex_current"] / s["gdp_current"]
    s["milex_gdp"] = s["milex_gdp"].fillna(fallback)
    s["milex"] = s["milex_current"].fillna(s["milex_nmc"] / 1000.0)
    s = s.replace([np.inf, -np.inf], np.nan)
    cols = ["ccode", "year", "milex", "milex_nmc", "milex_constant", "milex_gdp", "gdp_current"]
    return s[cols]


def build_state_year(src: Sources, end_year: int) -> pd.DataFrame:
    """The state-year table (see module docstring) for 1816..``end_year``."""
    system = spells_to_years(src.states, end_year)
    nmc = src.nmc[src.nmc["year"] <= end_year]
    base = pd.concat([system, nmc[["ccode", "year"]]]).drop_duplicates()
    out = base.merge(
        nmc[["ccode", "year", "cinc", "milper", "tpop"]], on=["ccode", "year"], how="left"
    )
    out["major"] = 0
    out["system_member"] = 0
    out = out.set_index(["ccode", "year"])
    majors = pd.MultiIndex.from_frame(spells_to_years(src.majors, end_year))
    out.loc[out.index.isin(majors), "major"] = 1
    out.loc[out.index.isin(pd.MultiIndex.from_frame(system)), "system_member"] = 1
    out = out.reset_index()
    frames = [
        spending(src),
        src.polity[["ccode", "year", "polity2", "regtrans"]],
        src.vdem[["ccode", "year", "polyarchy", "libdem"]],
        src.chisols[["ccode", "year", "solschdum", "dem"]].rename(columns={"dem": "chisols_dem"}),
        src.lsthreat,
        src.terrthreat,
        archigos_state_years(src.archigos),
    ]
    for frame in frames:
        out = out.merge(frame, on=["ccode", "year"], how="left", validate="one_to_one")
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)
