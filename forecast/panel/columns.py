"""The alliance-year panel contract: column names every later stage relies on.

One row per ``(atopid, year)`` from the signature year to the end year (event row) or
the panel's end year (``forecast.panel.edge.data_edge``). Every time-varying covariate
at year ``t`` is computed from information up to
``t-1`` (design columns come from the phase in force on 1 January of ``t``). Missing
values stay NaN; models add their own missing indicators. ``data/README.md`` documents
each column (definition, source, unit, lag, coverage).

The panel builder may add columns; it must not drop or rename these.
"""

from __future__ import annotations

from forecast.panel import registry as _registry

KEYS = ("atopid", "year")

#: Outcome columns: never used as predictors. ``outcome_source`` says who coded the
#: row's outcome: ``atop`` (ATOP v5.1, years to 2018) or ``recorded`` (data/events/).
OUTCOMES = ("event", "cause", "n_member_exits", "outcome_source")
OUTCOME_SOURCES = ("atop", "recorded")

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
    "era",  # calendar era of t: 1815-1913 | 1914-1945 | 1946-1989 | 1990-2016 (label; runs on)
    "region",  # region of the strongest member: americas|europe|africa|middle_east|asia
    "n_members",  # members in force on 1 Jan of t (signature year: founders)
)

#: Covariate families (names of scaled model inputs), grouped as the drivers report them;
#: the registry (``forecast.panel.registry``) is the source, deprecated columns included.
COVARIATE_GROUPS: dict[str, tuple[str, ...]] = _registry.groups()

COVARIATES = tuple(c for cols in COVARIATE_GROUPS.values() for c in cols)

ERAS = ("1815-1913", "1914-1945", "1946-1989", "1990-2016")
ERA_BREAKS = (1914, 1946, 1990)  # first year of each later era
OBLIGATION_TYPES = ("defense", "offense", "neutrality", "nonaggression", "consultation")
REGIONS = ("americas", "europe", "africa", "middle_east", "asia")


def era_of(year: int) -> str:
    """Calendar era label of ``year`` (years after 2016 belong to the last era, whose label
    the stored models know as "1990-2016")."""
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
