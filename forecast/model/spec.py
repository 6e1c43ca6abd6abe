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
ARTIFACT_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Priors:
    """Prior scales (on the log-odds scale, covariates standardised to training sd).

    * ``base_rates``: per-cause yearly rates in the reference era that centre the cause
      intercepts (domain.md §2.3, 1946-89 column: abrogation 1.54 %, replacement 1.13 %,
      natural 0.26 %, exogenous 0.05 %; exogenous is floored at 0.1 % because it is
      0.25 % after 1990). A Normal(logit(rate), ``intercept_sd``) prior lets the data
      move the rate by a factor of ~e^2 either way.
    * ``era_sd``: era offsets from the reference era. §2.3 shows era rate ratios of
      0.1-4 (abrogation 4.8 % -> 0.16 %), so sd 1.5 on the log scale.
    * ``group_sd``: obligation-type and region offsets; §2.3 shows type hazards 3-5x
      apart, i.e. |log RR| <= 1.6, so sd 1.
    * ``cell_sd_scale``: HalfNormal scale of the pooled type x era x region deviation
      (one sd shared by all causes: many cells, so the variance is learnable).
    * ``age_step_sd``: random-walk step between adjacent age bins; §2.4 shows the
      hazard changing by < 2x between bins, so 0.3 per step.
    * ``slope_sd``: covariate log-odds ratio per sd; 0.5 keeps |effect| < 1 (IRR 0.37-2.7,
      the range of §2.6) with 95 % prior mass.
    * ``era_slope_sd``: era deviation of a slope from its reference-era value.
    * ``shock_sd``: the 1990-92 period shock (45 ends in 3 years vs ~10/yr expected).
    * ``frailty_sd_scale``: HalfNormal scale of the alliance frailty sd, tight (0.3)
      because each alliance ends at most once: the frailty is only weakly identified,
      and a loose prior mixed badly (stack.md).
    * ``frailty_sd_fixed`` / ``cell_sd_fixed``: when set, that sd is fixed at the value
      instead of estimated (a ridge-type random effect). On the shipped panel the
      estimated sds were the slowest-mixing parameters (2 x 700 draws: min ESS 189,
      R-hat 1.016); fixing them at the prior scale keeps the non-centered effects and
      lets every gate pass within the fitting budget. Set to None to estimate them.
    """

    base_rates: tuple[tuple[str, float], ...] = (
        ("abrogation", 0.0154),
        ("replacement", 0.0113),
        ("natural", 0.0026),
        ("exogenous", 0.001),
    )
    intercept_sd: float = 1.0
    era_sd: float = 1.5
    group_sd: float = 1.0
    cell_sd_scale: float = 0.3
    age_step_sd: float = 0.3
    slope_sd: float = 0.5
    era_slope_sd: float = 0.5
    shock_sd: float = 1.5
    frailty_sd_scale: float = 0.3
    frailty_sd_fixed: float | None = 0.3
    cell_sd_fixed: float | None = 0.3


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model variant declared as data.

    ``covariates``: standardised inputs (names from ``columns.COVARIATE_GROUPS``).
    ``era_slopes``: the subset whose slope differs by era (deviation from
    ``reference_era``). ``pooling``: structural columns whose levels get intercept
    offsets (plus one pooled interaction cell over all of them when ``pool_cells``).
    ``age_bins``: lower edges of the age bins of the baseline hazard.
    ``unit``: ``alliance`` (alliance-year panel) or ``member`` (member-year panel);
    ``event_column`` names its 0/1 outcome column.
    """

    name: str
    covariates: tuple[str, ...]
    era_slopes: tuple[str, ...] = ()
    causes: tuple[str, ...] = C.CAUSES
    pooling: tuple[str, ...] = ("obligation_type", "region")
    pool_cells: bool = True
    reference_era: str = "1946-1989"
    age_bins: tuple[int, ...] = (0, 1, 3, 6, 11, 21, 41)
    frailty: bool = True
    shock_years: tuple[int, ...] = (1990, 1991, 1992)
    unit: str = "alliance"
    event_column: str = "event"
    priors: Priors = field(default_factory=Priors)

    def __post_init__(self) -> None:
        known = set(C.COVARIATES) if self.unit == "alliance" else set(MEMBER_COVARIATES)
        unknown = [c for c in self.covariates if c not in known]
        if unknown:
            raise InputError(f"spec {self.name!r}: unknown covariates {unknown}")
        stray = [c for c in self.era_slopes if c not in self.covariates]
        if stray:
            raise InputError(f"spec {self.name!r}: era_slopes {stray} are not in covariates")
        if self.reference_era not in C.ERAS:
            raise InputError(f"spec {self.name!r}: reference_era must be one of {C.ERAS}")

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

    def base_rate(self, cause: str) -> float:
        """Prior-centre yearly rate of ``cause`` (falls back to 0.5 %)."""
        return dict(self.priors.base_rates).get(cause, 0.005)


#: Member-year covariates of ``data/member_year.parquet`` (member panel, lagged one year).
MEMBER_COVARIATES = (
    "cinc_share",
    "milex_share",
    "burden_ratio",
    "polity2",
    "regime_change",
    "sols_change",
    "n_members",
)

REALIST = (
    "leader_cinc_share",
    "cap_shift",
    "cap_asym",
    "major_member",
    "leader_milex_share",
    "frac_free_riders",
    "lsthreat_max",
    "shared_mid_5y",
    "intra_mid_5y",
    "common_rival",
)
INSTITUTIONALIST = (
    "bilateral",
    "asymm",
    "milinst",
    "nomicoop",
    "speclgth",
    "wartime",
    "depth",
    "regime_change",
    "sols_change_nondem",
    "min_polity2",
    "new_outside_alliance",
)
ERA_SLOPES = ("leader_milex_share", "lsthreat_max")

VARIANTS: dict[str, ModelSpec] = {
    "realist": ModelSpec("realist", REALIST, era_slopes=ERA_SLOPES),
    "institutionalist": ModelSpec("institutionalist", INSTITUTIONALIST),
    "full": ModelSpec("full", REALIST + INSTITUTIONALIST, era_slopes=ERA_SLOPES),
    "member_exit": ModelSpec(
        "member_exit",
        ("cinc_share", "milex_share", "burden_ratio", "polity2", "regime_change", "sols_change"),
        causes=("exit",),
        pooling=("obligation_type",),
        pool_cells=False,
        frailty=False,
        unit="member",
        event_column="exit",
        priors=Priors(base_rates=(("exit", 0.0035),)),
    ),
}


def get_spec(name: str) -> ModelSpec:
    """The spec of variant ``name``; raises ``InputError`` listing the known variants."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise InputError(f"unknown model {name!r}; choose one of {sorted(VARIANTS)}") from None
