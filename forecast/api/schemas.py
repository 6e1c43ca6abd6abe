"""Request and response bodies of the HTTP API (pydantic models, shown in OpenAPI).

Requests forbid unknown fields (a typo is a 422, never silently ignored). Responses use
``None`` (JSON ``null``) for missing values, never 0.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecast.panel.columns import CAUSES, OBLIGATION_TYPES

MAX_HORIZON = 30

ObligationType = Literal[OBLIGATION_TYPES]  # type: ignore[valid-type]


class Strict(BaseModel):
    """Request model base: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- alliances
class Member(BaseModel):
    ccode: int = Field(description="Correlates of War country code.")
    stateabb: str | None = Field(description="COW state abbreviation.")
    iso3: str | None = Field(description="ISO 3166 alpha-3 code, null where none exists.")
    name: str


class MemberSpell(Member):
    phase: int | None
    entered: int | None = Field(description="Year the member entered (signature date).")
    exited: int | None = Field(description="Year the member left; null while a member.")
    exit_cause: str | None


class Obligations(BaseModel):
    defense: bool | None
    offense: bool | None
    neutral: bool | None
    nonagg: bool | None
    consul: bool | None


class AllianceSummary(BaseModel):
    atopid: int = Field(description="ATOP alliance id.")
    label: str = Field(description="Readable name: curated for well-known alliances.")
    begyr: int
    endyr: int | None = Field(description="Year the alliance ended; null while in force.")
    in_force: bool = Field(description="In force at the end of the data (2016-12-31).")
    status: Literal["in force", "ended"]
    end_cause: str | None = Field(description="abrogation | replacement | natural | exogenous")
    obligation_type: str | None
    obligations: Obligations
    bilateral: bool | None
    n_members: int | None
    region: str | None
    members: list[Member] = Field(description="Members in force (or at the end).")


class AllianceDetail(AllianceSummary):
    member_history: list[MemberSpell]


class AlliancePage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[AllianceSummary]


# ---------------------------------------------------------------- forecasts
class IntervalOut(BaseModel):
    mean: float
    lo: float = Field(description="5% posterior quantile (90% interval).")
    hi: float = Field(description="95% posterior quantile (90% interval).")


class SurvivalPoint(IntervalOut):
    year: int
    h: int


class DriverOut(BaseModel):
    group: str
    contribution: IntervalOut = Field(
        description="Exact group Shapley contribution to the log-odds of ending (any cause) "
        "in the first forecast year, relative to the reference; the contributions of all "
        "groups sum, draw by draw, to drivers_total - drivers_reference."
    )
    per_cause: dict[str, IntervalOut] = Field(
        description="The group's exact contribution to each cause's log-odds (linear)."
    )
    covariates: dict[str, float | None] = Field(
        description="Covariate values at as_of (level covariates carried forward from their "
        "last observation; null = never observed, held at the training mean)."
    )
    data_through: int | None = Field(
        description="Oldest source year behind the values shown (staleness)."
    )


class Provenance(BaseModel):
    name: str
    version: str
    data_manifest_sha256: str | None = Field(
        description="Hash of the data build these numbers were computed on (the one served)."
    )
    model_data_manifest_sha256: str | None = Field(
        description="Hash of the data build the model was fitted on."
    )
    data_matches_model: bool = Field(
        description="False while the model is served on a newer data build than it was "
        "fitted on (a refit is due)."
    )
    train_until: int | None
    computed_at: str = Field(description="UTC time these numbers were computed.")


class ForecastOut(BaseModel):
    kind: Literal["baseline", "scenario", "difference"]
    atopid: int
    label: str
    as_of: int = Field(description="Last data year: the forecast starts at its end.")
    horizon: int
    target_year: int
    interval: float = Field(0.9, description="Credible mass of every lo/hi.")
    p_persist: IntervalOut
    p_end: IntervalOut
    causes: dict[str, IntervalOut] = Field(description=f"Cumulative incidence of {CAUSES}.")
    survival: list[SurvivalPoint]
    drivers: list[DriverOut]
    drivers_total: IntervalOut | None = Field(
        description="Log-odds of ending (any cause) in the first forecast year."
    )
    drivers_reference: IntervalOut | None = Field(
        description="The same log-odds at the reference (see drivers_reference_is)."
    )
    drivers_reference_is: str | None = Field(description="What the reference is.")
    drivers_scale: str
    data_through: dict[str, int] = Field(
        description="Last source year of each covariate family the model uses."
    )
    model: Provenance
    note: str | None = None


class EndedOut(BaseModel):
    error: dict


# ---------------------------------------------------------------- batch + scenarios
class OverrideIn(Strict):
    covariate: str = Field(description="A model covariate; see GET /v1/models/{name}.")
    op: Literal["set", "add", "scale"]
    value: float = Field(allow_inf_nan=False, ge=-1e12, le=1e12)
    unit: Literal["natural", "sd"] = "natural"
    member: str | None = Field(
        None, description="Optional member (COW code, ISO3 or name) the change is about."
    )


class ScenarioIn(Strict):
    """Either explicit ``overrides`` or a named ``preset`` (with ``member``/``amount``)."""

    name: str | None = Field(None, min_length=1, max_length=100)
    preset: (
        Literal[
            "leader_spending_cut",
            "members_at_gdp_share",
            "regime_change",
            "threat_up",
            "rival_rise",
            "threat_gone",
        ]
        | None
    ) = Field(
        None,
        description="leader_spending_cut: the leading member cuts its own military spending "
        "by `amount` (default 0.3), others unchanged; its spending share, the alliance's and "
        "its own % of GDP and the burden gap are recomputed. members_at_gdp_share: every "
        "member spends `amount` % of its GDP (default 2). regime_change: regime change in "
        "`member` (an event: first forecast year). threat_up: threat scores + amount sd "
        "(default 1). rival_rise: the strongest rival's capabilities grow by `amount` "
        "(default 0.5 = +50 %) and a common rival is present. threat_gone: no common rival, "
        "threat score, conflict or dispute; a common rival present today is recorded as "
        "lost.",
    )
    member: str | None = Field(
        None, max_length=100, description="Member for regime_change (COW code, ISO3 or name)."
    )
    amount: float | None = Field(None, allow_inf_nan=False, ge=-1e6, le=1e6)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _one_kind(self) -> ScenarioIn:
        if (self.preset is None) == (not self.overrides):
            raise ValueError("give either a preset or a non-empty list of overrides")
        return self


class BatchIn(Strict):
    atopids: list[int] = Field(min_length=1, description="Alliances to forecast (in force).")
    horizon: int = Field(10, ge=1, le=MAX_HORIZON)
    model: str | None = None
    scenario: ScenarioIn | None = None


class AppliedOverride(BaseModel):
    covariate: str
    op: str
    value: float
    unit: str


class ScenarioResult(BaseModel):
    atopid: int
    applied: list[AppliedOverride] = Field(description="Covariate changes actually applied.")
    baseline: ForecastOut
    scenario: ForecastOut
    difference: ForecastOut


class BatchOut(BaseModel):
    model: Provenance
    horizon: int
    scenario: ScenarioIn | None
    label: str | None = Field(description="What-if label on scenario results.")
    forecasts: list[ForecastOut] | None = None
    results: list[ScenarioResult] | None = None
    errors: list[dict] = Field(description="Alliances that could not be forecast, with why.")


# ---------------------------------------------------------------- models
class ModelVersion(BaseModel):
    version: str
    live: bool
    created_at: str | None = None
    train_until: int | None = None
    passed: bool | None = Field(None, description="Passed its diagnostics gates.")
    failed_gates: list[str] = Field(default_factory=list)


class ModelSummary(BaseModel):
    name: str
    live_version: str | None
    served_version: str | None
    versions: list[ModelVersion]


class LooRow(BaseModel):
    model: str
    version: str
    elpd: float | None
    se: float | None
    p_loo: float | None
    elpd_diff: float | None = Field(description="elpd minus the best model's (0 for the best).")
    data_manifest_sha256: str | None


class CovariateOut(BaseModel):
    name: str
    family: str
    unit: str
    description: str
    kind: str = Field(description="level (carried forward) or event (base rate over a horizon).")
    scenario: bool = Field(description="Whether a scenario may change it.")
    data_through: int | None = Field(description="Last source year of its values.")
    allowed_range: list[float] | None = Field(
        description="[min, max] a scenario may set (training range plus a margin)."
    )


class VarianceOut(BaseModel):
    name: str
    mean: float
    sd: float
    q05: float
    q95: float
    prior: str
    contraction: float = Field(description="1 - posterior sd / prior sd.")
    note: str = Field(description="Prior sensitivity.")


class ModelDetail(ModelSummary):
    manifest: dict | None = Field(description="Manifest of the live version.")
    covariates: list[CovariateOut] = Field(
        default_factory=list, description="Covariates the live version uses."
    )
    variance_components: list[VarianceOut] = Field(
        default_factory=list, description="Posterior of every estimated sd of the hierarchy."
    )
    loo_comparison: list[LooRow] = Field(description="Live versions of all models by PSIS-LOO.")
