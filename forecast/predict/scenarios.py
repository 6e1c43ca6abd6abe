"""Scenarios: validated changes to covariate *values*, and the named presets.

Overrides act on natural units before standardisation (``unit="sd"`` adds training
standard deviations). They never touch missingness: a covariate with no value for the
alliance sits at the training mean, and ``add``/``scale`` act on that mean, so
``add 0`` (or ``scale 1``) leaves every input, and so the forecast, exactly unchanged.
A resulting value outside the training range widened by ``RANGE_MARGIN`` of its width
on each side is refused (the model would extrapolate), naming the allowed range.
Event covariates (``kind="event"``) changed by a scenario take the new value in the
first forecast year and their base rate afterwards, as in every forecast.

Presets are stated in natural quantities and recompute the covariates derived from
them (``leader_spending_cut``: the leader's share of alliance spending after a cut of
its own spending, others unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

from forecast.errors import InputError
from forecast.panel import columns as C
from forecast.predict.types import Override, Scenario

#: Threat covariates moved by the "threat +1 sd" preset.
THREAT_LEVELS = ("lsthreat_max", "lsthreat_mean", "terrthreat_max", "terrthreat_mean")
#: Share of the observed range a scenario value may go beyond it, on each side.
RANGE_MARGIN = 0.25


class _Scale(Protocol):
    mean: float
    sd: float
    lo: float
    hi: float


class ScenarioRangeError(InputError):
    """A scenario value lies outside the range the model can speak to."""

    def __init__(self, covariate: str, value: float, lo: float, hi: float) -> None:
        self.covariate, self.value, self.lo, self.hi = covariate, value, lo, hi
        super().__init__(
            f"scenario value {value:.4g} for {covariate} is outside the allowed range "
            f"[{lo:.4g}, {hi:.4g}] (the training range widened by {RANGE_MARGIN:.0%} of "
            "its width on each side); choose a value inside it",
            field=f"scenario.{covariate}",
            allowed={"min": lo, "max": hi},
        )


def validate(scenario: Scenario, allowed: tuple[str, ...]) -> None:
    """Raise ``InputError`` naming unknown covariates, ops or non-finite values."""
    for ov in scenario.overrides:
        if ov.covariate not in allowed:
            raise InputError(
                f"scenario {scenario.name!r}: covariate {ov.covariate!r} is not used by this "
                f"model; allowed: {', '.join(allowed)}"
            )
        if ov.op not in ("set", "add", "scale"):
            raise InputError(f"scenario {scenario.name!r}: op must be set, add or scale")
        if ov.unit not in ("natural", "sd"):
            raise InputError(f"scenario {scenario.name!r}: unit must be 'natural' or 'sd'")
        if ov.unit == "sd" and ov.op == "scale":
            raise InputError(
                f"scenario {scenario.name!r}: 'scale' takes a natural factor, not sd units"
            )
        if not math.isfinite(ov.value):
            raise InputError(f"scenario {scenario.name!r}: value of {ov.covariate} must be finite")


def allowed_range(s: _Scale) -> tuple[float, float]:
    """Values a scenario may set: the training range widened by ``RANGE_MARGIN``."""
    width = s.hi - s.lo
    return s.lo - RANGE_MARGIN * width, s.hi + RANGE_MARGIN * width


def apply(
    values: Mapping[str, float | None], scenario: Scenario, scaling: Mapping[str, _Scale]
) -> dict[str, float | None]:
    """Covariate values (natural units) after the scenario's overrides."""
    out = dict(values)
    for ov in scenario.overrides:
        s = scaling[ov.covariate]
        cur = out.get(ov.covariate)
        if cur is None or (isinstance(cur, float) and math.isnan(cur)):
            if (ov.op == "add" and ov.value == 0) or (ov.op == "scale" and ov.value == 1):
                continue  # a null change leaves the value (and its absence) as it is
            cur = s.mean
        step = ov.value * (s.sd if ov.unit == "sd" else 1.0)
        if ov.op == "set":
            out[ov.covariate] = step if ov.unit == "natural" else s.mean + step
        elif ov.op == "add":
            out[ov.covariate] = cur + step
        else:
            out[ov.covariate] = cur * ov.value
    return out


def check_range(
    before: Mapping[str, float | None],
    after: Mapping[str, float | None],
    scenario: Scenario,
    scaling: Mapping[str, _Scale],
) -> None:
    """Raise ``ScenarioRangeError`` for a value the scenario changed to outside its allowed
    range (a value it leaves as it is, e.g. ``add 0``, is never refused)."""
    for ov in scenario.overrides:
        v = after.get(ov.covariate)
        if v is None or v == before.get(ov.covariate):
            continue
        lo, hi = allowed_range(scaling[ov.covariate])
        if not lo <= v <= hi:
            raise ScenarioRangeError(ov.covariate, float(v), lo, hi)


def _keep(overrides: list[Override], allowed: tuple[str, ...]) -> tuple[Override, ...]:
    return tuple(o for o in overrides if o.covariate in allowed)


def leader_share_after_cut(share: float, fraction: float) -> float:
    """The leader's share of alliance spending after it cuts its own spending by
    ``fraction``, the others' spending unchanged: ``(1-f) s / (1 - f s)``."""
    return (1 - fraction) * share / (1 - fraction * share)


def _known(values: Mapping[str, float | None], name: str) -> float | None:
    v = values.get(name)
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def leader_spending_cut(
    allowed: tuple[str, ...], values: Mapping[str, float | None], fraction: float = 0.3
) -> Scenario:
    """ "Leader spending -30%": the leader cuts its own military spending by ``fraction``,
    the others' spending and every GDP unchanged. Recomputed from the alliance's values:
    the leader's spending share ``s' = (1-f) s / (1 - f s)`` (and its 5-year change),
    the alliance's % of GDP ``A' = A (1 - f s)``, the leader's % of GDP ``(1-f) a_L`` and
    the burden gap ``a_L' - others``."""
    if not 0 < fraction < 1:
        raise InputError("fraction must be in (0, 1)")
    share = _known(values, "leader_milex_share")
    if share is None:
        raise InputError(
            "leader_spending_cut needs the leader's share of alliance spending, which is "
            "not known for this alliance"
        )
    new = leader_share_after_cut(share, fraction)
    ovs = [
        Override("leader_milex_share", "set", new),
        Override("leader_milex_share_d5", "add", new - share),
    ]
    total, leader = _known(values, "alliance_milex_gdp"), _known(values, "leader_milex_gdp")
    if total is not None:
        ovs.append(Override("alliance_milex_gdp", "set", total * (1 - fraction * share)))
    if leader is not None:
        ovs.append(Override("leader_milex_gdp", "set", (1 - fraction) * leader))
        others = _known(values, "others_milex_gdp")
        if others is not None:
            ovs.append(Override("leader_burden_gap", "set", (1 - fraction) * leader - others))
    return Scenario(f"leader spending -{fraction:.0%}", _keep(ovs, allowed))


def members_at_gdp_share(
    allowed: tuple[str, ...], values: Mapping[str, float | None], target: float = 2.0
) -> Scenario:
    """ "Every member at 2 % of GDP": each member spends ``target`` % of its GDP. The
    alliance's, the leader's, the others' and the junior partner's % of GDP become
    ``target``, the burden gap 0, the share of members at >= 2 % 1 or 0, and the
    leader's spending share becomes its GDP share ``s A / a_L`` (spending proportional
    to GDP), when those values are known."""
    if not 0 < target <= 20:
        raise InputError("target must be a % of GDP in (0, 20]")
    ovs = [
        Override(name, "set", target)
        for name in ("alliance_milex_gdp", "leader_milex_gdp", "others_milex_gdp")
    ]
    ovs.append(Override("leader_burden_gap", "set", 0.0))
    ovs.append(Override("share_at_2pct", "set", 1.0 if target >= 2.0 else 0.0))
    if _known(values, "junior_milex_gdp") is not None:
        ovs.append(Override("junior_milex_gdp", "set", target))
    share = _known(values, "leader_milex_share")
    total, leader = _known(values, "alliance_milex_gdp"), _known(values, "leader_milex_gdp")
    if share is not None and total is not None and leader:
        gdp_share = min(1.0, share * total / leader)
        ovs.append(Override("leader_milex_share", "set", gdp_share))
        ovs.append(Override("leader_milex_share_d5", "add", gdp_share - share))
    return Scenario(f"every member at {target:g} % of GDP", _keep(ovs, allowed))


def regime_change(allowed: tuple[str, ...], member_is_democracy: bool) -> Scenario:
    """ "Regime change in member X": regime change and a change in the leader's source of
    support; ``sols_change_nondem`` too when X is not a democracy (events: first year)."""
    ovs = [Override("regime_change", "set", 1.0), Override("sols_change_any", "set", 1.0)]
    if not member_is_democracy:
        ovs.append(Override("sols_change_nondem", "set", 1.0))
    return Scenario("regime change in a member", _keep(ovs, allowed))


def threat_up(allowed: tuple[str, ...], sds: float = 1.0) -> Scenario:
    """ "Threat +1 sd": adds ``sds`` training sds to each threat score the model uses."""
    ovs = [Override(c, "add", sds, "sd") for c in THREAT_LEVELS]
    return Scenario(f"threat +{sds:g} sd", _keep(ovs, allowed))


#: Covariates of a rival's capability growth (log CINC change), moved by ``rival_rise``.
RIVAL_GROWTH = ("strongest_rival_growth", "rival_rise")
#: Threat covariates set to "no threat" by ``threat_gone`` (levels to 0, events to none).
THREAT_OFF = (
    "lsthreat_max", "lsthreat_mean", "common_rival", "member_conflict",
    "conflict_with_rival", "shared_mid_5y", "intra_mid_5y",
)  # fmt: skip


def rival_rise(allowed: tuple[str, ...], growth: float = 0.5) -> Scenario:
    """ "The rival's capabilities grow 50 %": the strongest non-member rival's capabilities
    (CINC) grow by ``growth`` on top of their recent growth: ``log(1 + growth)`` is added to
    its 5-year and 10-year log-CINC growth (``strongest_rival_growth``, ``rival_rise``),
    and a common rival is present (``common_rival`` = 1)."""
    if not -1 < growth <= 10:
        raise InputError("growth must be a fraction in (-1, 10], e.g. 0.5 for +50 %")
    step = math.log1p(growth)
    ovs = [Override(c, "add", step) for c in RIVAL_GROWTH]
    ovs.append(Override("common_rival", "set", 1.0))
    return Scenario(f"rival capabilities +{growth:.0%}", _keep(ovs, allowed))


def threat_gone(allowed: tuple[str, ...], values: Mapping[str, float | None]) -> Scenario:
    """ "The threat disappears": no common rival, no threat score, no armed conflict or
    dispute of a member; when a common rival was present, it is recorded as lost
    (``lost_common_rival`` = 1, an event: the first forecast year), which is the change in
    threat the institutionalist hypothesis is about."""
    ovs = [Override(c, "set", 0.0) for c in THREAT_OFF]
    if _known(values, "common_rival") == 1.0:
        ovs.append(Override("lost_common_rival", "set", 1.0))
    return Scenario("the threat disappears", _keep(ovs, allowed))


PRESETS = (
    "leader_spending_cut", "members_at_gdp_share", "regime_change", "threat_up",
    "rival_rise", "threat_gone",
)  # fmt: skip
assert set(RIVAL_GROWTH + THREAT_OFF) <= set(C.COVARIATES)
assert set(THREAT_LEVELS) <= set(C.COVARIATES)
