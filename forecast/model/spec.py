"""Model specifications as data: every variant is a frozen ``ModelSpec``.

A spec names the covariates, which of them get era-varying slopes, the pooling levels
of the intercept, the prior scales and the age bins. ``build_model(spec, design)`` is the
only place that turns a spec into a PyMC model, so variants differ only here.
This module is pure Python (no PyMC) so the serving path can check ``spec_hash``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from forecast.errors import InputError
from forecast.panel import columns as C

#: Bumped whenever the meaning of a stored posterior changes (variables, coding).
ARTIFACT_FORMAT = 2


@dataclass(frozen=True, slots=True)
class Priors:
    """Prior scales (on the log-odds scale, covariates standardised to training sd).

    * ``base_rates``: per-cause yearly rates in the reference era that centre the cause
      intercepts (domain.md §2.3, 1946-89 column: abrogation 1.54 %, replacement 1.13 %,
      natural 0.26 %, exogenous 0.05 %; exogenous is floored at 0.1 %). A
      Normal(logit(rate), ``intercept_sd``) prior lets the data move each rate by a
      factor of ~e^2 either way.
    * ``era_sd``: era offsets from the reference era (fixed effects: four levels are too
      few for a variance); §2.3 shows era rate ratios of 0.1-4, so sd 1.5.
    * ``group_sd_scale``: HalfNormal scale of the estimated sd of each sum-to-zero batch
      of intercept offsets (obligation type, region); §2.3 shows type hazards 3-5x
      apart, i.e. |log RR| <= 1.6, so a scale of 1.
    * ``cell_sd_scale``: HalfNormal scale of the estimated sd of the sum-to-zero
      type x era interaction.
    * ``state_sd_scale``: HalfNormal scale of the estimated sd of the member-state
      effects (multiple membership: an alliance-year gets the mean effect of its
      members). 0.5 puts 95 % prior mass on state hazard ratios below ~2.7.
    * ``age_step_sd``: random-walk step between adjacent age bins; §2.4 shows the
      hazard changing by < 2x between bins, so 0.3 per step.
    * ``slope_sd``: covariate log-odds ratio per sd; 0.5 keeps |effect| < 1 (IRR 0.37-2.7,
      the range of §2.6) with 95 % prior mass.
    * ``era_slope_sd``: era deviation of a slope from its reference-era value.
    * ``shock_sd``: the 1990-92 period shock (45 ends in 3 years vs ~10/yr expected).

    Every variance component (type, region, cell and state sds) is estimated; none is
    fixed. The prior-sensitivity note of each is in ``forecast.model.hierarchy``.
    """

    base_rates: tuple[tuple[str, float], ...] = (
        ("abrogation", 0.0154),
        ("replacement", 0.0113),
        ("natural", 0.0026),
        ("exogenous", 0.001),
    )
    intercept_sd: float = 1.0
    era_sd: float = 1.5
    group_sd_scale: float = 1.0
    cell_sd_scale: float = 0.5
    state_sd_scale: float = 0.5
    age_step_sd: float = 0.3
    slope_sd: float = 0.5
    era_slope_sd: float = 0.5
    shock_sd: float = 1.5


@dataclass(frozen=True, slots=True)
class Staleness:
    """The one rule for covariates whose source stops (applied per origin, also in backtests).

    At a forecast origin T (the served ``as_of``, or a backtest origin):

    1. a **level** covariate is carried forward within each alliance from its last
       observed value for at most ``max_carry_years`` years (its ``data_through`` and
       years since observed are shown with every forecast);
    2. a covariate enters that origin's model only if, after step 1, it has a value for
       at least ``min_origin_coverage`` of the alliances in force at T; otherwise its
       source has ended (or not begun) and it is left out of the fit and the forecast;
    3. the remaining gaps (a value never observed for that alliance) take the training
       mean, i.e. contribute nothing. No missing-data indicator ever enters the design.

    **Event** covariates (a regime change, a conflict in the year) are never carried:
    an unobserved event is unknown, and over a forecast horizon an event covariate
    follows its base rate (the training mean) after the first year.
    """

    max_carry_years: int = 10
    min_origin_coverage: float = 0.5


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model variant declared as data.

    ``covariates``: standardised inputs (names from ``columns.COVARIATE_GROUPS``);
    ``events``: the subset that are events (see ``Staleness``).
    ``era_slopes``: the subset whose slope differs by era (deviation from
    ``reference_era``). ``pooling``: structural columns whose levels get sum-to-zero
    intercept offsets with an estimated sd; ``pool_cells`` adds the sum-to-zero
    obligation type x era interaction. ``member_effects``: a member-state effect shared
    by all the alliances a state belongs to (multiple membership, estimated sd).
    ``age_bins``: lower edges of the age bins of the baseline hazard.
    ``min_era_years``: an era with fewer training years than this is merged into the
    era before it (a new era is not estimable from one year, and at the 1990 origin
    it would be collinear with the 1990-92 shock). ``outcome_complete_through``: the
    last year whose outcomes are coded (ATOP v5.1, see ``benchmarks/results/coding_lag.json``);
    later rows give covariates and recorded events but no likelihood terms.
    ``unit``: ``alliance`` or ``member``; ``event_column`` names its 0/1 outcome column.
    A covariate named ``a:b`` is the interaction (product, in natural units) of the
    covariates ``a`` and ``b``, which must be in the spec too
    (``forecast.model.design.add_interactions`` computes it).
    """

    name: str
    covariates: tuple[str, ...]
    events: tuple[str, ...] = ()
    era_slopes: tuple[str, ...] = ()
    causes: tuple[str, ...] = C.CAUSES
    pooling: tuple[str, ...] = ("obligation_type", "region")
    pool_cells: bool = True
    member_effects: bool = True
    reference_era: str = "1946-1989"
    age_bins: tuple[int, ...] = (0, 1, 3, 6, 11, 21, 41)
    shock_years: tuple[int, ...] = (1990, 1991, 1992)
    min_era_years: int = 5
    outcome_complete_through: int | None = 2018
    staleness: Staleness = field(default_factory=Staleness)
    unit: str = "alliance"
    event_column: str = "event"
    priors: Priors = field(default_factory=Priors)

    def __post_init__(self) -> None:
        known = set(C.COVARIATES) if self.unit == "alliance" else set(MEMBER_COVARIATES)
        unknown = [c for c in self.covariates if not set(interaction_parts(c)) <= known]
        if unknown:
            raise InputError(f"spec {self.name!r}: unknown covariates {unknown}")
        for label, subset in (("era_slopes", self.era_slopes), ("events", self.events)):
            stray = [c for c in subset if c not in self.covariates]
            if stray:
                raise InputError(f"spec {self.name!r}: {label} {stray} are not in covariates")
        loose = [
            c for c in self.covariates
            if ":" in c and not set(interaction_parts(c)) <= set(self.covariates)
        ]  # fmt: skip
        if loose:
            raise InputError(f"spec {self.name!r}: interactions {loose} need their main effects")
        if self.reference_era not in C.ERAS:
            raise InputError(f"spec {self.name!r}: reference_era must be one of {C.ERAS}")
        if self.pool_cells and "obligation_type" not in self.pooling:
            raise InputError(f"spec {self.name!r}: pool_cells needs obligation_type pooling")

    def to_dict(self) -> dict:
        """Plain-JSON form (stored in every manifest)."""
        d = asdict(self)
        d["priors"]["base_rates"] = dict(self.priors.base_rates)
        return d

    @property
    def spec_hash(self) -> str:
        """Stable hash of the spec and the artifact format (changes = refit needed)."""
        payload = json.dumps(
            {"spec": self.to_dict(), "format": ARTIFACT_FORMAT}, sort_keys=True, default=list
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, d: dict) -> ModelSpec:
        """Rebuild a spec from its ``to_dict`` form (as stored in a manifest)."""
        d = dict(d)
        pr = dict(d.pop("priors", {}))
        pr["base_rates"] = tuple((k, float(v)) for k, v in dict(pr.get("base_rates", {})).items())
        st = d.pop("staleness", {})
        tuples = {k: tuple(v) for k, v in d.items() if isinstance(v, list)}
        return cls(**{**d, **tuples}, priors=Priors(**pr), staleness=Staleness(**st))

    def base_rate(self, cause: str) -> float:
        """Prior-centre yearly rate of ``cause`` (falls back to 0.5 %)."""
        return dict(self.priors.base_rates).get(cause, 0.005)


#: Member-year covariates of ``data/member_year.parquet`` (member panel, lagged one year).
MEMBER_COVARIATES = (
    "cinc_share",
    "milex_share",
    "milex_gdp",
    "burden_ratio",
    "polity2",
    "democracy",
    "regime_change",
    "sols_change",
    "sols_change_nondem",
    "irregular_turnover",
    "new_outside_alliance",
    "n_members",
)
#: Member-panel event covariates (the alliance panel's come from the registry's ``kind``).
MEMBER_EVENTS = (
    "regime_change",
    "sols_change",
    "sols_change_nondem",
    "irregular_turnover",
    "new_outside_alliance",
)
#: Causes of a member's exit while its alliance continues: ``withdrawal`` (the state
#: leaves: ATOP termmode abrogation, replacement or natural) and ``independence_lost``
#: (the state ceases to exist: FRG/GDR, Czechoslovakia, the Yemens; termmode 4/6).
MEMBER_CAUSES = ("withdrawal", "independence_lost")

#: Design controls shared by every alliance variant (treaty form, not a theory's claim;
#: review model.md §6.1): the theory blocks are compared on top of the same controls.
CONTROLS = ("bilateral", "asymm", "wartime", "speclgth", "hub_spoke")
#: Realism: power-structure shifts since formation, concentration, a rising rival,
#: threat and its change, the costs of burden sharing (in % of GDP).
REALIST = (
    "leader_cinc_share",
    "cap_shift",
    "cap_asym",
    "major_member",
    "sys_con",
    "leader_milex_share",
    "alliance_milex_gdp",
    "share_at_2pct",
    "leader_burden_gap",
    "lsthreat_max",
    "terrthreat_max",
    "terrthreat_d5",
    "common_rival",
    "lost_common_rival",
    "strongest_rival_growth",
    "member_conflict",
    "conflict_between_members",
)
#: Institutionalism: institutionalisation (military institutions, organisation,
#: integrated command, bases, depth, issue linkage).
INSTITUTIONS = ("milinst", "organ1", "intcom", "base", "depth", "nomicoop")
#: Change in threat x institutionalisation: the institutionalist hypothesis that
#: institutionalised alliances persist when the common threat falls (a lost common rival;
#: the 5-year fall of territorial threat, to 2010). A realist sees the hazard rise with a
#: falling threat whatever the institutions (interaction 0).
THREAT_X_INSTITUTIONS = ("lost_common_rival:milinst", "terrthreat_d5:milinst")
#: Domestic politics (Leeds & Savun; Leeds, Mattes & Vogel): regime change, a change in
#: the source of leader support, irregular turnover, democracy, new outside alliances.
DOMESTIC = (
    "regime_change",
    "sols_change_any",
    "sols_change_nondem",
    "irregular_turnover",
    "min_polity2",
    "dem_share",
    "min_polyarchy",
    "new_outside_alliance",
)
ERA_SLOPES = ("leader_milex_share", "lsthreat_max")


def interaction_parts(name: str) -> tuple[str, ...]:
    """The covariates of an interaction ``a:b`` (``(name,)`` for a plain covariate)."""
    return tuple(name.split(":"))


def _events(covariates: tuple[str, ...]) -> tuple[str, ...]:
    """Covariates the registry marks as events; an interaction is an event when one of
    its parts is (it is zero once the event has passed)."""
    from forecast.panel.registry import BY_NAME

    def is_event(c: str) -> bool:
        return c in BY_NAME and BY_NAME[c].kind == "event"

    return tuple(c for c in covariates if any(is_event(p) for p in interaction_parts(c)))


def _alliance_spec(name: str, *blocks: tuple[str, ...], slopes: tuple[str, ...] = ()) -> ModelSpec:
    covariates = tuple(dict.fromkeys(c for block in blocks for c in block))
    return ModelSpec(name, covariates, events=_events(covariates), era_slopes=slopes)


#: Alliance-level variants of the debate (``full`` encompasses them) and the member model.
THEORIES = ("realist", "institutionalist", "domestic", "full")
VARIANTS: dict[str, ModelSpec] = {
    "realist": _alliance_spec("realist", CONTROLS, REALIST, slopes=ERA_SLOPES),
    "institutionalist": _alliance_spec(
        "institutionalist",
        CONTROLS,
        INSTITUTIONS,
        ("lost_common_rival", "terrthreat_d5"),
        THREAT_X_INSTITUTIONS,
    ),
    "domestic": _alliance_spec("domestic", CONTROLS, DOMESTIC),
    "full": _alliance_spec(
        "full",
        CONTROLS,
        REALIST,
        INSTITUTIONS,
        THREAT_X_INSTITUTIONS,
        DOMESTIC,
        slopes=ERA_SLOPES,
    ),
    "member_exit": ModelSpec(
        "member_exit",
        MEMBER_COVARIATES,
        events=MEMBER_EVENTS,
        causes=MEMBER_CAUSES,
        pooling=("obligation_type",),
        pool_cells=False,
        unit="member",
        event_column="exit",
        priors=Priors(base_rates=(("withdrawal", 0.0025), ("independence_lost", 0.001))),
    ),
}


def get_spec(name: str) -> ModelSpec:
    """The spec of variant ``name``; raises ``InputError`` listing the known variants."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise InputError(f"unknown model {name!r}; choose one of {sorted(VARIANTS)}") from None
