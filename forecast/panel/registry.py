"""The one registry of panel covariates: every model-usable column, its family and meaning.

This is the contract between the data layer and the model/API: the model builds its spec
from it and the API lists each covariate with ``name, family, unit, description,
scenario`` and the family's ``data_through``. Fields:

* ``family``: driver group (design, power, spending, threat, domestic, foreign_policy);
* ``unit``: burden-sharing covariates say "% of GDP" in their unit;
* ``scenario``: True where a what-if scenario may change the value (a state's policy or
  situation); False for treaty facts, systemic structure and deprecated columns;
* ``kind``: ``level`` (a state that persists: hold it over a forecast horizon) or
  ``event`` (something that happens in a year: over a horizon it follows its base rate);
* ``inputs``: the ``Sources`` attributes it is computed from (its data edge is theirs);
* ``lag``: 1 if the value at year t uses data up to t−1 (0: the treaty in force at t);
* ``data_from``: first year of t−1 for which the value is computed at all (None: the
  inputs' own coverage);
* ``deprecated``: kept in the panel only so that models fitted on it still serve; not for
  new specs (``model_usable`` excludes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FAMILIES = ("design", "power", "spending", "threat", "domestic", "foreign_policy")

#: First t−1 year of the % of GDP measures: before 1992 SIPRI's share of GDP misses the
#: Warsaw Pact states, whose alliances ended in 1989–91, so coverage would predict the end.
GDP_SHARE_FROM = 1992


@dataclass(frozen=True, slots=True)
class Covariate:
    """One model-usable panel column (see the module docstring for the fields)."""

    name: str
    family: str
    unit: str
    description: str
    scenario: bool
    kind: Literal["level", "event"]
    inputs: tuple[str, ...]
    source: str
    lag: int = 1
    data_from: int | None = None
    deprecated: bool = False


_ATOP = ("atop_members", "events")
_ATOP_SRC = "ATOP v5.1 (to 2018) + recorded events (data/events/events.csv)"
_NMC = "COW NMC v7.0 (CINC to 2022)"
_SPEND = ("sipri", "wdi", "nmc")
_SPEND_SRC = "SIPRI 2025 (1949–2024), WDI GDP (1960–2023), NMC milex before 1949"
_GDP_SRC = "SIPRI 2025 share of GDP; else SIPRI current US$ / WDI current US$ GDP"
_RIV = "Thompson–Sakuwa–Suhas rivalries (to 2020; ongoing rivalries held to the edge)"
_CONF = "UCDP/PRIO ACD v25.1 (1946–2024); GML MIDs (hostility ≥ 4) before 1946"


def _design(name: str, unit: str, description: str) -> Covariate:
    return Covariate(name, "design", unit, description, False, "level", _ATOP, _ATOP_SRC, lag=0)


COVARIATES: tuple[Covariate, ...] = (
    # --- design: the treaty in force on 1 January of t ---
    _design("bilateral", "indicator (0/1)", "Two members in force."),
    _design("log_n_members", "log(members)", "Log of the number of members in force."),
    _design("asymm", "indicator (0/1)", "Obligations differ between members."),
    Covariate("milinst", "design", "ATOP scale 0–2", "ATOP's military institutionalisation of "
              "the phase in force (atopinst5_1.csv): 0 none, 1 moderate, 2 high.", False,
              "level", ("atop_phases", "events"), "ATOP v5.1 institutionalisation file", lag=0),
    _design("organ1", "indicator (0/1)", "The treaty creates a formal organisation."),
    _design("intcom", "indicator (0/1)", "Integrated military command."),
    _design("base", "indicator (0/1)", "Provision for bases or troops on another's soil."),
    _design("milaid", "indicator (0/1)", "Provision for military aid."),
    _design("contrib", "indicator (0/1)", "Specified contributions of forces or money."),
    _design("nomicoop", "indicator (0/1)", "Non-military (economic, cultural) cooperation."),
    _design("compag", "indicator (0/1)", "Members promise not to join competing alliances."),
    _design("speclgth", "indicator (0/1)", "The treaty specifies its length."),
    _design("years_to_scheduled_end", "years", "Years from t to the end of the treaty's "
            "stated term (phase start + length); NaN when no length is set."),
    _design("renounce", "indicator (0/1)", "The treaty has a renunciation clause."),
    _design("wartime", "indicator (0/1)", "Signed during a war a member fought."),
    _design("specthrt", "indicator (0/1)", "The treaty names a specific threat."),
    Covariate("depth", "design", "latent score (sd units)", "Benson–Clinton depth (alliances "
              "signed to 2000; NaN after).", False, "level", ("depth",),
              "Benson & Clinton (2016)", lag=0),
    Covariate("scope", "design", "latent score (sd units)", "Benson–Clinton scope (alliances "
              "signed to 2000; NaN after).", False, "level", ("depth",),
              "Benson & Clinton (2016)", lag=0),
    Covariate("hub_spoke", "foreign_policy", "indicator (0/1)", "At most 3 members, one a "
              "major power holding ≥ 3 bilateral defence pacts at t−1.", False, "level",
              ("atop_members", "events", "majors"), _ATOP_SRC),
    # --- power (COW NMC, CINC to 2022) ---
    Covariate("alliance_cinc_share", "power", "share of world CINC (0–1)", "Members' combined "
              "share of world capabilities at t−1.", True, "level", ("nmc",), _NMC),
    Covariate("leader_cinc_share", "power", "share of members' CINC (0–1)", "Strongest "
              "member's share of the members' capabilities at t−1.", True, "level", ("nmc",), _NMC),
    Covariate("cap_shift", "power", "share (0–1)", "Largest change in a member's capability "
              "share since the year before signature.", True, "level", ("nmc",), _NMC),
    Covariate("cap_asym", "power", "log ratio", "log(strongest member's CINC / the others' "
              "CINC) at t−1.", True, "level", ("nmc",), _NMC),
    Covariate("sys_con", "power", "index (0–1)", "Ray–Singer concentration of capabilities "
              "among the major powers at t−1.", False, "level", ("nmc", "majors"), _NMC),
    Covariate("major_member", "power", "indicator (0/1)", "A member is a COW major power at "
              "t−1.", False, "level", ("majors",), "COW major powers (v2016, held to the edge)"),
    # --- spending and burden sharing ---
    Covariate("leader_milex_share", "spending", "share of members' spending (0–1)",
              "Largest member's share of the members' military spending at t−1 (SIPRI current "
              "US$; NMC before 1949).", True, "level", _SPEND, _SPEND_SRC),
    Covariate("leader_milex_share_d5", "spending", "change in share (t−1 vs t−6)",
              "Change in the leader's spending share over 5 years, same roster.", True,
              "level", _SPEND, _SPEND_SRC),
    Covariate("log_milex_total", "spending", "log(1 + US$ thousands, current)", "Members' "
              "total military spending at t−1.", True, "level", _SPEND, _SPEND_SRC),
    Covariate("share_at_2pct", "spending", "share of members at ≥ 2 % of GDP (0–1)",
              "Share of the members with data spending at least 2 % of GDP at t−1.", True,
              "level", ("sipri", "wdi"), _GDP_SRC, data_from=GDP_SHARE_FROM),
    Covariate("alliance_milex_gdp", "spending", "% of GDP", "Members' total military spending "
              "over their total GDP at t−1 (the GDP-weighted mean of their % of GDP).", True,
              "level", ("sipri", "wdi"), _GDP_SRC, data_from=GDP_SHARE_FROM),
    Covariate("alliance_milex_gdp_d3", "spending", "change in % of GDP (points, 3 years)",
              "alliance_milex_gdp at t−1 minus at t−4, same roster.", True, "level",
              ("sipri", "wdi"), _GDP_SRC, data_from=GDP_SHARE_FROM),
    Covariate("leader_milex_gdp", "spending", "% of GDP", "The leader's (strongest member's) "
              "military spending in % of its GDP at t−1.", True, "level", ("sipri", "wdi"),
              _GDP_SRC, data_from=GDP_SHARE_FROM),
    Covariate("others_milex_gdp", "spending", "% of GDP", "The other members' GDP-weighted "
              "mean spending in % of GDP at t−1.", True, "level", ("sipri", "wdi"), _GDP_SRC,
              data_from=GDP_SHARE_FROM),
    Covariate("leader_burden_gap", "spending", "% of GDP (points, leader minus others)",
              "leader_milex_gdp − others_milex_gdp: how much more of its GDP the leader "
              "spends.", True, "level", ("sipri", "wdi"), _GDP_SRC, data_from=GDP_SHARE_FROM),
    Covariate("junior_milex_gdp", "spending", "% of GDP", "Bilateral pacts: the junior (weaker) "
              "partner's spending in % of its GDP at t−1; NaN for multilaterals.", True,
              "level", ("sipri", "wdi"), _GDP_SRC, data_from=GDP_SHARE_FROM),
    Covariate("frac_free_riders", "spending", "share of members (0–1)", "DEPRECATED (review "
              "§7: 0.5 in every bilateral pact). Share of members whose spending share is below "
              "their GDP share (nominal GDP).", False, "level", ("sipri", "wdi"), _GDP_SRC,
              data_from=GDP_SHARE_FROM, deprecated=True),
    Covariate("cv_burden", "spending", "coefficient of variation", "DEPRECATED with "
              "frac_free_riders: spread of the burden ratios (nominal GDP).", False, "level",
              ("sipri", "wdi"), _GDP_SRC, data_from=GDP_SHARE_FROM, deprecated=True),
    # --- threat ---
    Covariate("lsthreat_max", "threat", "score (0–1)", "Highest Leeds–Savun external threat "
              "among members at t−1 (source valid to 2002).", True, "level", ("lsthreat",),
              "Leeds & Savun threat (to 2002)"),
    Covariate("lsthreat_mean", "threat", "score (0–1)", "Mean Leeds–Savun threat of members.",
              True, "level", ("lsthreat",), "Leeds & Savun threat (to 2002)"),
    Covariate("terrthreat_max", "threat", "latent score", "Highest latent territorial threat "
              "among members at t−1.", True, "level", ("terrthreat",), "Miller (to 2010)"),
    Covariate("terrthreat_mean", "threat", "latent score", "Mean latent territorial threat.",
              True, "level", ("terrthreat",), "Miller (to 2010)"),
    Covariate("terrthreat_d5", "threat", "change in latent score", "Mean territorial threat at "
              "t−1 minus t−6, same roster.", True, "level", ("terrthreat",), "Miller (to 2010)"),
    Covariate("shared_mid_5y", "threat", "disputes (count, 5 years)", "MIDs in t−5..t−1 with "
              "≥ 2 members on one side against a non-member.", True, "event",
              ("gml_mids", "cow_mids"), "GML MIDs (to 2010), COW MIDs 2011–2014"),
    Covariate("intra_mid_5y", "threat", "disputes (count, 5 years)", "MIDs in t−5..t−1 with "
              "members on both sides.", True, "event", ("gml_mids", "cow_mids"),
              "GML MIDs (to 2010), COW MIDs 2011–2014"),
    Covariate("member_conflict", "threat", "indicator (0/1)", "A member fought an interstate "
              "or internationalised armed conflict in t−1.", True, "event",
              ("ucdp", "gml_mids"), _CONF),
    Covariate("conflict_between_members", "threat", "indicator (0/1)", "Two members fought on "
              "opposite sides of an armed conflict in t−1.", True, "event",
              ("ucdp", "gml_mids"), _CONF),
    Covariate("conflict_with_rival", "threat", "indicator (0/1)", "A member fought a state that "
              "is its strategic rival in t−1.", True, "event",
              ("ucdp", "gml_mids", "rivalries"), _CONF + "; " + _RIV),
    Covariate("common_rival", "threat", "indicator (0/1)", "A non-member is a rival of ≥ 2 "
              "members at t−1.", True, "level", ("rivalries",), _RIV),
    Covariate("lost_common_rival", "threat", "indicator (0/1)", "A common rival of t−6..t−2 is "
              "no longer one at t−1.", True, "event", ("rivalries",), _RIV),
    Covariate("rival_rise", "threat", "change in log CINC (10 years)", "Largest 10-year growth "
              "of capabilities among members' non-member rivals.", True, "level",
              ("rivalries", "nmc"), _RIV + "; " + _NMC),
    Covariate("strongest_rival_growth", "threat", "change in log CINC (5 years)", "Rising "
              "rival: 5-year capability growth of the strongest non-member rival of any member "
              "at t−1.", True, "level", ("rivalries", "nmc"), _RIV + "; " + _NMC),
    Covariate("named_threat_alive", "threat", "indicator (0/1)", "A state the treaty names as "
              "the threat still exists at t−1.", False, "level", ("atop_members", "states"),
              _ATOP_SRC),
    # --- domestic politics of the members ---
    Covariate("regime_change", "domestic", "indicator (0/1)", "A member's regime changed in "
              "t−1 (|Δpolity2| ≥ 3, a Polity transition, or |Δpolyarchy| ≥ 0.1).", True,
              "event", ("polity", "vdem"), "Polity5 (to 2018), V-Dem v14 (to 2023)"),
    Covariate("sols_change_any", "domestic", "indicator (0/1)", "A member's leader-support "
              "coalition changed in t−1 (CHISOLS).", True, "event", ("chisols",),
              "CHISOLS 5.0 (1919–2018)"),
    Covariate("sols_change_nondem", "domestic", "indicator (0/1)", "The same for a "
              "non-democratic member.", True, "event", ("chisols",), "CHISOLS 5.0 (1919–2018)"),
    Covariate("irregular_turnover", "domestic", "indicator (0/1)", "A member's leader entered "
              "irregularly in t−1.", True, "event", ("archigos",), "Archigos 4.1 (to 2015)"),
    Covariate("min_polity2", "domestic", "Polity scale (−10..10)", "Lowest member polity2 at "
              "t−1.", True, "level", ("polity",), "Polity5 (to 2018)"),
    Covariate("dem_share", "domestic", "share of members (0–1)", "Share of democracies among "
              "members at t−1 (polity2 > 5, else polyarchy > 0.5).", True, "level",
              ("polity", "vdem"), "Polity5, V-Dem v14"),
    Covariate("min_polyarchy", "domestic", "index (0–1)", "Lowest member V-Dem electoral "
              "democracy index at t−1.", True, "level", ("vdem",), "V-Dem v14 (to 2023)"),
    # --- foreign policy ---
    Covariate("new_outside_alliance", "foreign_policy", "alliances (count)", "Alliances signed "
              "in t−1 by a member with a non-member (after 2018 only the recorded new "
              "alliances count: fewer than ATOP would code).", True, "event", _ATOP, _ATOP_SRC),
)  # fmt: skip

BY_NAME: dict[str, Covariate] = {c.name: c for c in COVARIATES}


def covariate(name: str) -> Covariate:
    """The registry entry of ``name`` (KeyError names the known covariates)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown covariate {name!r}; known: {sorted(BY_NAME)}") from None


def groups(*, include_deprecated: bool = True) -> dict[str, tuple[str, ...]]:
    """Family -> covariate names, in registry order."""
    return {
        f: tuple(
            c.name for c in COVARIATES if c.family == f and (include_deprecated or not c.deprecated)
        )
        for f in FAMILIES
    }


def model_usable() -> tuple[str, ...]:
    """Names of the covariates a new model spec may use (deprecated ones excluded)."""
    return tuple(c.name for c in COVARIATES if not c.deprecated)


def family_data_through(data_dir=None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Family -> last year with data (from ``data/manifest.json``; see ``edge``)."""
    from forecast.panel.edge import data_through

    return data_through(data_dir)["families"]
