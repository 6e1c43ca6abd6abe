"""Value types of the forecast core: the interface the API, CLI and jobs consume.

Everything here is plain data (no NumPy arrays in public fields) so that it can be
serialised directly by the API. Probabilities are in [0, 1]; intervals are 90% equal-tailed
credible intervals over posterior draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Op = Literal["set", "add", "scale"]


@dataclass(frozen=True, slots=True)
class Interval:
    """Posterior mean and 90% credible interval of one quantity."""

    mean: float
    lo: float
    hi: float


@dataclass(frozen=True, slots=True)
class Override:
    """One covariate change in a scenario; ``value`` is in the covariate's natural units.

    ``op``: ``set`` replaces the value, ``add`` adds to it, ``scale`` multiplies it.
    ``add`` with unit ``"sd"`` adds ``value`` training standard deviations.
    """

    covariate: str
    op: Op
    value: float
    unit: Literal["natural", "sd"] = "natural"


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, model-based what-if: covariate overrides held over the whole horizon."""

    name: str
    overrides: tuple[Override, ...]


@dataclass(frozen=True, slots=True)
class Driver:
    """Exact contribution of one covariate group to the log-odds of ending (any cause) in
    the first forecast year, relative to the reference (group Shapley value; positive =
    raises the risk). The contributions of all groups sum, draw by draw, to the total
    minus the reference log-odds. ``per_cause``: the group's exact contribution to each
    cause's log-odds. ``data_through``: the oldest source year behind the values shown."""

    group: str
    contribution: Interval
    covariates: dict[str, float | None] = field(default_factory=dict)  # values at as_of
    per_cause: dict[str, Interval] = field(default_factory=dict)
    data_through: int | None = None


@dataclass(frozen=True, slots=True)
class Forecast:
    """Persistence forecast for one alliance from the end of ``as_of`` over ``horizon`` years."""

    atopid: int
    as_of: int
    horizon: int
    p_persist: Interval  # survival to as_of + horizon
    p_end: Interval  # 1 - p_persist
    causes: dict[str, Interval]  # cumulative incidence per cause by as_of + horizon
    survival: tuple[Interval, ...]  # S(h) for h = 1..horizon
    drivers: tuple[Driver, ...] = ()
    drivers_total: Interval | None = None  # any-end log-odds in the first forecast year
    drivers_reference: Interval | None = None  # the same at the reference covariates
    reference: str = ""  # what the reference is
    data_through: dict[str, int] = field(default_factory=dict)  # covariate family -> year


@dataclass(frozen=True, slots=True)
class MemberExit:
    """A member's probability of leaving within the horizon while the alliance continues,
    in all and by cause (a :class:`MemberForecast` without drivers)."""

    p_exit: Interval
    causes: dict[str, Interval]


@dataclass(frozen=True, slots=True)
class MemberForecast:
    """Exit forecast of one member of an alliance from the end of ``as_of``: the
    probability it leaves within ``horizon`` years while the alliance continues
    (``p_exit``), by cause (``withdrawal`` or ``independence_lost``), with drivers."""

    atopid: int
    ccode: int
    as_of: int
    horizon: int
    p_exit: Interval
    causes: dict[str, Interval]
    drivers: tuple[Driver, ...] = ()
    drivers_total: Interval | None = None
    drivers_reference: Interval | None = None
    reference: str = ""
