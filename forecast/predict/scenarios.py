"""Scenarios: validated covariate overrides and the named presets the API exposes.

Overrides act on natural units before standardisation (``unit="sd"`` adds training
standard deviations). A missing value is first imputed with the training mean (what the
model does for NaN), so ``add``/``scale`` on a missing covariate act on that mean.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from forecast.errors import InputError
from forecast.panel import columns as C
from forecast.predict.types import Override, Scenario

#: Threat covariates moved by the "threat +1 sd" preset.
THREAT_LEVELS = ("lsthreat_max", "lsthreat_mean", "terrthreat_max", "terrthreat_mean")


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


def apply(
    values: Mapping[str, float | None],
    scenario: Scenario,
    means: Mapping[str, float],
    sds: Mapping[str, float],
) -> dict[str, float | None]:
    """Covariate values (natural units) after the scenario's overrides."""
    out = dict(values)
    for ov in scenario.overrides:
        cur = out.get(ov.covariate)
        if cur is None or (isinstance(cur, float) and math.isnan(cur)):
            cur = means[ov.covariate]
        step = ov.value * (sds[ov.covariate] if ov.unit == "sd" else 1.0)
        if ov.op == "set":
            out[ov.covariate] = step if ov.unit == "natural" else means[ov.covariate] + step
        elif ov.op == "add":
            out[ov.covariate] = cur + step
        else:
            out[ov.covariate] = cur * ov.value
    return out


def _keep(overrides: list[Override], allowed: tuple[str, ...]) -> tuple[Override, ...]:
    return tuple(o for o in overrides if o.covariate in allowed)


def leader_spending_cut(
    allowed: tuple[str, ...], fraction: float = 0.3, current_share: float | None = None
) -> Scenario:
    """ "Leader spending -30%": scales the leader's share of alliance military spending by
    ``1 - fraction`` and, when the current share is known, lowers its 5-year change by
    the same amount."""
    if not 0 < fraction < 1:
        raise InputError("fraction must be in (0, 1)")
    ovs = [Override("leader_milex_share", "scale", 1 - fraction)]
    if current_share is not None and math.isfinite(current_share):
        ovs.append(Override("leader_milex_share_d5", "add", -fraction * current_share))
    return Scenario(f"leader spending -{fraction:.0%}", _keep(ovs, allowed))


def regime_change(allowed: tuple[str, ...], member_is_democracy: bool) -> Scenario:
    """ "Regime change in member X": regime change and a change in the leader's source of
    support; ``sols_change_nondem`` too when X is not a democracy."""
    ovs = [Override("regime_change", "set", 1.0), Override("sols_change_any", "set", 1.0)]
    if not member_is_democracy:
        ovs.append(Override("sols_change_nondem", "set", 1.0))
    return Scenario("regime change in a member", _keep(ovs, allowed))


def threat_up(allowed: tuple[str, ...], sds: float = 1.0) -> Scenario:
    """ "Threat +1 sd": adds ``sds`` training sds to each threat score the model uses."""
    ovs = [Override(c, "add", sds, "sd") for c in THREAT_LEVELS]
    return Scenario(f"threat +{sds:g} sd", _keep(ovs, allowed))


PRESETS = ("leader_spending_cut", "regime_change", "threat_up")
assert set(THREAT_LEVELS) <= set(C.COVARIATES)
