"""The typed manifest of a stored fit (pydantic; no PyMC, safe for the serving path).

``fit_model`` builds a ``Manifest``; the store writes ``manifest.model_dump(mode="json")``
and every reader parses it back with ``Manifest.model_validate`` instead of picking keys
out of a dict.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from forecast.model.config import GatePolicy, SamplerConfig


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CovariateRecord(_Model):
    """One covariate of the spec at the fit's origin: status, scaling and provenance."""

    name: str
    family: str
    unit: str = ""
    description: str = ""
    kind: str  # level | event
    used: bool
    reason: str | None = None
    mean: float
    sd: float
    lo: float
    hi: float
    imputed_share: float = 0.0
    data_through: int | None = None
    scenario: bool = False


class VarianceComponent(_Model):
    """Posterior of one estimated sd, its prior, and a note on prior sensitivity."""

    name: str
    mean: float
    sd: float
    q05: float
    q95: float
    prior: str
    prior_mean: float
    prior_sd: float
    contraction: float  # 1 - posterior sd / prior sd
    note: str


class Diagnostics(_Model):
    """Convergence diagnostics and the gate verdict."""

    max_rhat: float
    max_rhat_var: str | None = None
    min_ess_bulk: float
    min_ess_bulk_var: str | None = None
    min_ess_tail: float
    divergences: int
    bfmi_min: float
    passed: bool
    failed_gates: list[str] = []
    sampling_wall_s: float | None = None


class ParetoK(_Model):
    good_k: float
    max: float
    n_good: int
    n_bad: int
    n_very_bad: int


class LooSummary(_Model):
    """PSIS-LOO over the training alliance-years."""

    elpd: float
    se: float
    p_loo: float
    n_data_points: int
    n_samples: int
    pareto_k: ParetoK
    warning: bool


class Manifest(_Model):
    """What a stored fit is: spec, data, covariates, sampler, gates, diagnostics, LOO."""

    model: str
    spec_hash: str
    spec: dict[str, Any]
    format: int
    created_at: str
    train_until: int  # the forecast origin (as_of) the covariates were judged at
    outcome_through: int  # last year whose outcomes entered the likelihood
    train_first_year: int
    n_rows: int
    n_events: dict[str, int]
    n_states: int = 0
    data_manifest_sha256: str | None = None
    covariates: list[CovariateRecord]
    design_columns: list[str]
    era_map: list[int]
    sampler: SamplerConfig
    gates: GatePolicy
    diagnostics: Diagnostics
    variance_components: list[VarianceComponent] = []
    loo: LooSummary | None = None
    libraries: dict[str, str] = {}
    fit_wall_s: float | None = None
    version: str | None = None
    files: dict[str, str] | None = None

    def covariate(self, name: str) -> CovariateRecord:
        """The record of covariate ``name`` (KeyError when the spec has none)."""
        for c in self.covariates:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def used_covariates(self) -> tuple[str, ...]:
        """Covariates that entered the design (= the design columns)."""
        return tuple(c.name for c in self.covariates if c.used)
