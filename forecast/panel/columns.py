"""The alliance-year panel contract: column names every later stage relies on.

One row per ``(atopid, year)`` from the signature year to the end year (event row) or
2016. Every time-varying covariate at year ``t`` is computed from information up to
``t-1`` (design columns come from the phase in force on 1 January of ``t``). Missing
values stay NaN; models add their own missing indicators. ``data/README.md`` documents
each column (definition, source, unit, lag, coverage).

The panel builder may add columns; it must not drop or rename these.
"""

from __future__ import annotations

KEYS = ("atopid", "year")

#: Outcome columns: never used as predictors.
OUTCOMES = ("event", "cause", "n_member_exits")

#: Competing causes of an alliance's end, in model order (``none`` = no end that year).
CAUSES = ("abrogation", "replacement", "natural", "exogenous")
CAUSE_NONE = "none"

#: ATOP termmode of the last-exiting members -> cause.
TERMMODE_TO_CAUSE = {
    3: "abrogation",
    2: "replacement",
    1: "natural",
    5: "natural",
    4: "exogenous",
    6: "exogenous",
}

#: Structural columns known at t (not outcomes, not scaled covariates).
STRUCTURE = (
    "begyr",  # signature year of the alliance (first member entry)
    "age",  # year - begyr (0 in the signature year)
    "phase",  # ATOP phase in force on 1 Jan of t (signature year: first phase)
    "obligation_type",  # defense | offense | neutrality | nonaggression | consultation
    "era",  # calendar era of t: 1815-1913 | 1914-1945 | 1946-1989 | 1990-2016
    "region",  # region of the strongest member: americas|europe|africa|middle_east|asia
    "n_members",  # members in force on 1 Jan of t (signature year: founders)
)

#: Covariate families (names of scaled model inputs), grouped as the drivers report them.
COVARIATE_GROUPS: dict[str, tuple[str, ...]] = {
    "design": (
        "bilateral",
        "log_n_members",
        "asymm",
        "milinst",
        "organ1",
        "intcom",
        "base",
        "milaid",
        "contrib",
        "nomicoop",
        "compag",
        "speclgth",
        "years_to_scheduled_end",
        "renounce",
        "wartime",
        "specthrt",
        "depth",
        "scope",
        "hub_spoke",
    ),
    "power": (
        "alliance_cinc_share",
        "leader_cinc_share",
        "cap_shift",
        "cap_asym",
        "sys_con",
        "major_member",
    ),
    "spending": (
        "leader_milex_share",
        "leader_milex_share_d5",
        "frac_free_riders",
        "cv_burden",
        "log_milex_total",
    ),
    "threat": (
        "lsthreat_max",
        "lsthreat_mean",
        "terrthreat_max",
        "terrthreat_mean",
        "terrthreat_d5",
        "shared_mid_5y",
        "intra_mid_5y",
        "common_rival",
        "lost_common_rival",
        "rival_rise",
        "named_threat_alive",
    ),
    "domestic": (
        "regime_change",
        "sols_change_any",
        "sols_change_nondem",
        "irregular_turnover",
        "min_polity2",
        "dem_share",
        "min_polyarchy",
    ),
    "foreign_policy": ("new_outside_alliance",),
}

COVARIATES = tuple(c for cols in COVARIATE_GROUPS.values() for c in cols)

ERAS = ("1815-1913", "1914-1945", "1946-1989", "1990-2016")
ERA_BREAKS = (1914, 1946, 1990)  # first year of each later era
OBLIGATION_TYPES = ("defense", "offense", "neutrality", "nonaggression", "consultation")
REGIONS = ("americas", "europe", "africa", "middle_east", "asia")


def era_of(year: int) -> str:
    """Calendar era label of ``year`` (years after 2016 belong to the last era)."""
    idx = sum(year >= b for b in ERA_BREAKS)
    return ERAS[idx]


def region_of(ccode: int) -> str:
    """Region of a COW country code (COW blocks: 2-165, 200-399, 402-626, 630-698, 700+)."""
    if ccode < 200:
        return "americas"
    if ccode < 400:
        return "europe"
    if ccode < 630:
        return "africa"
    if ccode < 700:
        return "middle_east"
    return "asia"
