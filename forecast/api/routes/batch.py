"""Batch and scenario forecasts: ``POST /v1/forecasts``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from forecast.api import engine, render
from forecast.api.problems import ApiError, invalid
from forecast.api.routes.alliances import not_in_force
from forecast.api.routing import StrictQueryRoute
from forecast.api.schemas import BatchIn, BatchOut, ScenarioIn
from forecast.api.serving import ServedModel
from forecast.api.state import ServiceState, svc
from forecast.errors import ForecastError, InputError
from forecast.predict import scenarios
from forecast.predict.types import Override, Scenario

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["forecasts"])


@router.post(
    "/forecasts",
    response_class=Response,
    responses={
        200: {"model": BatchOut, "content": {"application/json": {}}},
        404: {"description": "Unknown atopid(s), all named."},
        413: {"description": "More alliances than the batch limit, or a body too large."},
        422: {"description": "Invalid body: field and allowed values named."},
    },
)
def post_forecasts(request: Request, body: BatchIn) -> Response:
    """Forecasts for many alliances; with ``scenario``, baseline, scenario and their
    difference, each with a 90% interval (model-based what-ifs)."""
    state = svc(request)
    limit = state.settings.max_batch
    atopids = list(dict.fromkeys(body.atopids))
    if len(atopids) > limit:
        raise ApiError(
            413,
            "too_large",
            f"atopids: {len(atopids)} alliances in one batch; the limit is {limit}, split it",
            field="atopids",
            allowed={"max_items": limit},
        )
    unknown = [a for a in atopids if a not in state.catalog.summaries]
    if unknown:
        raise ApiError(
            404,
            "not_found",
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
            errors.append({"atopid": a, **not_in_force(summary).body()["error"]})
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
        return Response(prefix + b',"forecasts":[' + items + b"]}", media_type="application/json")
    scenario_by_alliance = {a: _scenario(state, served, body.scenario, a) for a in live}
    results = []
    for a in live:
        label = state.catalog.summaries[a]["label"]
        try:
            base, what_if, diff = engine.scenario_difference(
                served.forecaster, a, body.horizon, scenario_by_alliance[a]
            )
        except (ForecastError, KeyError) as exc:
            errors.append(
                {
                    "atopid": a,
                    "status": 409,
                    "code": "not_forecastable",
                    "message": f"alliance {a} cannot be forecast: {exc}",
                }
            )
            continue
        prov = dict(served.provenance)
        results.append(
            {
                "atopid": a,
                "applied": [
                    {"covariate": o.covariate, "op": o.op, "value": o.value, "unit": o.unit}
                    for o in scenario_by_alliance[a].overrides
                ],
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
        )
    head["results"] = results
    head["errors"] = errors
    return Response(json.dumps(head, separators=(",", ":")), media_type="application/json")


def _baseline_bytes(
    state: ServiceState, served: ServedModel, atopid: int, horizon: int, errors: list
) -> bytes | None:
    body = served.baseline.get((atopid, horizon))
    if body is not None:
        return body
    label = state.catalog.summaries[atopid]["label"]
    try:
        f = engine.forecast(served.forecaster, atopid, horizon, None)
    except (ForecastError, KeyError) as exc:
        errors.append(
            {
                "atopid": atopid,
                "status": 409,
                "code": "not_forecastable",
                "message": f"alliance {atopid} cannot be forecast: {exc}",
            }
        )
        return None
    out = render.forecast(f, label=label, provenance=dict(served.provenance))
    return json.dumps(out, separators=(",", ":")).encode()


def _scenario(state: ServiceState, served: ServedModel, spec: ScenarioIn, atopid: int) -> Scenario:
    """Validate a scenario against the model's covariates and the alliance's members."""
    if spec.preset is not None:
        scenario = _preset(state, served, spec, atopid)
    else:
        overrides = []
        for i, o in enumerate(spec.overrides):
            if o.covariate not in served.covariates:
                raise invalid(
                    f"scenario.overrides.{i}.covariate",
                    f"unknown covariate {o.covariate!r} for model {served.name}",
                    allowed=list(served.covariates),
                )
            if o.member is not None:
                _member_of(state, o.member, atopid, f"scenario.overrides.{i}.member")
            overrides.append(Override(o.covariate, o.op, o.value, o.unit))
        scenario = Scenario(spec.name or "custom", tuple(overrides))
    try:
        scenarios.validate(scenario, served.covariates)
    except InputError as exc:
        raise invalid("scenario", str(exc), allowed=["set", "add", "scale (natural unit)"]) from exc
    try:
        served.forecaster.scenario_values(atopid, scenario)
    except scenarios.ScenarioRangeError as exc:
        raise invalid(
            f"scenario.{exc.covariate}", str(exc), allowed={"min": exc.lo, "max": exc.hi}
        ) from exc
    return scenario


def _member_of(state: ServiceState, member: str, atopid: int, field: str) -> int:
    ccode = state.catalog.resolve_member(member, field)
    if ccode not in state.catalog.member_ccodes[atopid]:
        raise invalid(
            field,
            f"{member!r} is not a member of alliance {atopid}",
            allowed=[m["name"] for m in state.catalog.summaries[atopid]["members"]],
        )
    return ccode


#: Allowed ``amount`` of each preset.
_AMOUNTS = {
    "leader_spending_cut": {"min": 0, "max": 1},
    "members_at_gdp_share": {"min": 0, "max": 20},
    "threat_up": "any finite number of training sds",
}


def _preset(state: ServiceState, served: ServedModel, spec: ScenarioIn, atopid: int) -> Scenario:
    """Build a named preset from ``forecast.predict.scenarios`` for one alliance."""
    allowed = served.covariates
    try:
        if spec.preset == "threat_up":
            scenario = scenarios.threat_up(allowed, spec.amount if spec.amount is not None else 1.0)
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
                raise invalid(
                    "scenario.member",
                    "regime_change needs the member that changes",
                    allowed=[m["name"] for m in state.catalog.summaries[atopid]["members"]],
                )
            ccode = _member_of(state, spec.member, atopid, "scenario.member")
            scenario = scenarios.regime_change(allowed, state.democracies.get(ccode, False))
    except InputError as exc:
        raise invalid("scenario.amount", str(exc), allowed=_AMOUNTS.get(spec.preset)) from exc
    if not scenario.overrides:
        raise invalid(
            "scenario.preset",
            f"preset {spec.preset} changes no covariate that model {served.name} uses",
            allowed=list(scenarios.PRESETS),
        )
    return Scenario(spec.name or scenario.name, scenario.overrides)
