"""Batch and scenario forecasts: ``POST /v1/forecasts``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Response

from forecast.api import render
from forecast.api.deps import Service
from forecast.api.forecasts import forecast_bytes
from forecast.api.problems import error_body
from forecast.api.routing import StrictQueryRoute
from forecast.api.schemas import BatchIn, BatchOut, ScenarioIn
from forecast.errors import InputError, NotForecastableError, NotFoundError, TooLargeError
from forecast.predict import scenarios
from forecast.predict.types import Override, Scenario
from forecast.serving import budget, core
from forecast.serving.catalog import not_in_force
from forecast.serving.holder import ServedModel
from forecast.serving.service import ServiceState

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["forecasts"])


@router.post(
    "/forecasts",
    response_class=Response,
    responses={
        200: {"model": BatchOut, "content": {"application/json": {}}},
        404: {"description": "Unknown atopid(s), all named."},
        408: {"description": "The body did not arrive in time."},
        413: {
            "description": "More alliances than the batch limit, a scenario batch over "
            "alliances x horizon, a body or an answer too large."
        },
        422: {"description": "Invalid body (or not UTF-8 JSON): field and allowed values."},
        429: {"description": "Too many scenario batches being computed; retry later."},
    },
)
def post_forecasts(state: Service, body: BatchIn) -> Response:
    """Forecasts for many alliances; with ``scenario``, baseline, scenario and their
    difference, each with a 90% interval (model-based what-ifs)."""
    limit = state.settings.max_batch
    atopids = list(dict.fromkeys(body.atopids))
    if len(atopids) > limit:
        raise TooLargeError(
            f"atopids: {len(atopids)} alliances in one batch; the limit is {limit}, split it",
            field="atopids",
            allowed={"max_items": limit},
        )
    unknown = [a for a in atopids if a not in state.catalog.summaries]
    if unknown:
        raise NotFoundError(
            f"unknown atopid(s) {', '.join(map(str, unknown))}: see GET /v1/alliances",
            field="atopids",
        )
    served = state.holder.get(body.model)
    errors: list[dict[str, Any]] = []
    live = []
    for a in atopids:
        summary = state.catalog.summaries[a]
        if summary["in_force"]:
            live.append(a)
        else:
            errors.append({"atopid": a, **error_body(not_in_force(summary))["error"]})
    head = {
        "model": dict(served.provenance),
        "horizon": body.horizon,
        "scenario": body.scenario.model_dump() if body.scenario else None,
        "label": render.WHAT_IF_NOTE if body.scenario else None,
    }
    if body.scenario is None:
        parts = [_baseline_bytes(state, served, a, body.horizon, errors) for a in live]
        items = b",".join(p for p in parts if p is not None)
        head["errors"] = errors
        prefix = json.dumps(head, separators=(",", ":"))[:-1].encode()
        out = prefix + b',"forecasts":[' + items + b"]}"
        return Response(
            budget.check_size(out, state.settings.max_response_bytes),
            media_type="application/json",
        )
    budget.check_cells(len(live), body.horizon, state.settings.max_scenario_cells)
    scenario_by_alliance = {a: _scenario(state, served, body.scenario, a) for a in live}
    with state.scenario_budget.slot():
        results = [
            _scenario_result(state, served, a, body.horizon, scenario_by_alliance[a], errors)
            for a in live
        ]
    head["results"] = [r for r in results if r is not None]
    head["errors"] = errors
    out = json.dumps(head, separators=(",", ":")).encode()
    return Response(
        budget.check_size(out, state.settings.max_response_bytes), media_type="application/json"
    )


def _scenario_result(
    state: ServiceState,
    served: ServedModel,
    atopid: int,
    horizon: int,
    scenario: Scenario,
    errors: list,
) -> dict[str, Any] | None:
    """Baseline, scenario and difference of one alliance (None: recorded in ``errors``)."""
    label = state.catalog.summaries[atopid]["label"]
    try:
        base, what_if, diff = core.scenario_difference(served.forecaster, atopid, horizon, scenario)
    except NotForecastableError as exc:
        errors.append({"atopid": atopid, **error_body(exc)["error"]})
        return None
    prov = dict(served.provenance)
    rendered = {
        "baseline": render.forecast(base, label=label, provenance=prov),
        "scenario": render.forecast(
            what_if, label=label, provenance=prov, kind="scenario", note=render.WHAT_IF_NOTE
        ),
        "difference": render.forecast(
            diff,
            label=label,
            provenance=prov,
            kind="difference",
            note="scenario minus baseline, per posterior draw",
        ),
    }
    budget.check_finite(rendered, atopid)
    return {
        "atopid": atopid,
        "applied": [
            {"covariate": o.covariate, "op": o.op, "value": o.value, "unit": o.unit}
            for o in scenario.overrides
        ],
        **rendered,
    }


def _baseline_bytes(
    state: ServiceState, served: ServedModel, atopid: int, horizon: int, errors: list
) -> bytes | None:
    """The baseline body of an alliance in force (None: recorded in ``errors``)."""
    try:
        return forecast_bytes(state.catalog, served, atopid, horizon)
    except NotForecastableError as exc:
        errors.append({"atopid": atopid, **error_body(exc)["error"]})
        return None


def _scenario(state: ServiceState, served: ServedModel, spec: ScenarioIn, atopid: int) -> Scenario:
    """Validate a scenario against the model's covariates and the alliance's members."""
    if spec.preset is not None:
        scenario = _preset(state, served, spec, atopid)
    else:
        overrides = []
        for i, o in enumerate(spec.overrides):
            if o.covariate not in served.covariates:
                raise InputError(
                    f"scenario.overrides.{i}.covariate: unknown covariate {o.covariate!r} "
                    f"for model {served.name}",
                    field=f"scenario.overrides.{i}.covariate",
                    allowed=list(served.covariates),
                )
            if o.member is not None:
                _member_of(state, o.member, atopid, f"scenario.overrides.{i}.member")
            overrides.append(Override(o.covariate, o.op, o.value, o.unit))
        scenario = Scenario(spec.name or "custom", tuple(overrides))
    try:
        scenarios.validate(scenario, served.covariates)
    except InputError as exc:
        raise InputError(
            f"scenario: {exc}", field="scenario", allowed=["set", "add", "scale (natural unit)"]
        ) from exc
    try:
        served.forecaster.scenario_values(atopid, scenario)
    except scenarios.ScenarioRangeError as exc:
        raise InputError(
            f"scenario.{exc.covariate}: {exc}",
            field=f"scenario.{exc.covariate}",
            allowed={"min": exc.lo, "max": exc.hi},
        ) from exc
    return scenario


def _member_of(state: ServiceState, member: str, atopid: int, field: str) -> int:
    ccode = state.catalog.resolve_member(member, field)
    if ccode not in state.catalog.member_ccodes[atopid]:
        raise InputError(
            f"{field}: {member!r} is not a member of alliance {atopid}",
            field=field,
            allowed=[m["name"] for m in state.catalog.summaries[atopid]["members"]],
        )
    return ccode


#: Allowed ``amount`` of each preset.
_AMOUNTS = {
    "leader_spending_cut": {"min": 0, "max": 1},
    "members_at_gdp_share": {"min": 0, "max": 20},
    "threat_up": "any finite number of training sds",
    "rival_rise": {"min": -1, "max": 10},
}


def _preset(state: ServiceState, served: ServedModel, spec: ScenarioIn, atopid: int) -> Scenario:
    """Build a named preset from ``forecast.predict.scenarios`` for one alliance."""
    allowed = served.covariates
    try:
        if spec.preset == "threat_up":
            scenario = scenarios.threat_up(allowed, spec.amount if spec.amount is not None else 1.0)
        elif spec.preset == "rival_rise":
            scenario = scenarios.rival_rise(
                allowed, spec.amount if spec.amount is not None else 0.5
            )
        elif spec.preset == "threat_gone":
            scenario = scenarios.threat_gone(allowed, served.forecaster.covariate_values(atopid))
        elif spec.preset == "leader_spending_cut":
            values = served.forecaster.covariate_values(atopid)
            fraction = spec.amount if spec.amount is not None else 0.3
            scenario = scenarios.leader_spending_cut(allowed, values, fraction)
        elif spec.preset == "members_at_gdp_share":
            values = served.forecaster.covariate_values(atopid)
            target = spec.amount if spec.amount is not None else 2.0
            scenario = scenarios.members_at_gdp_share(allowed, values, target)
        else:
            if spec.member is None:
                raise InputError(
                    "scenario.member: regime_change needs the member that changes",
                    field="scenario.member",
                    allowed=[m["name"] for m in state.catalog.summaries[atopid]["members"]],
                )
            ccode = _member_of(state, spec.member, atopid, "scenario.member")
            scenario = scenarios.regime_change(allowed, state.democracies.get(ccode, False))
    except InputError as exc:
        if exc.field is not None:  # already names its field (the member)
            raise
        raise InputError(
            f"scenario.amount: {exc}", field="scenario.amount", allowed=_AMOUNTS.get(spec.preset)
        ) from exc
    if not scenario.overrides:
        raise InputError(
            f"scenario.preset: preset {spec.preset} changes no covariate that model "
            f"{served.name} uses",
            field="scenario.preset",
            allowed=list(scenarios.PRESETS),
        )
    return Scenario(spec.name or scenario.name, scenario.overrides)
