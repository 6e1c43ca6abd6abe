"""HTML pages for people: ``/``, ``/alliances/{atopid}``, ``/track-record``.

Server-rendered (``forecast.pages``), inline SVG, no external resource. Forecast numbers
come from the API's own JSON bodies (the precomputed baselines and the batch route's
scenario answer), so a page never disagrees with ``/v1``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from forecast.api.deps import LedgerPreparation, PageCache, Service, ledger_prepared
from forecast.api.forecasts import MEMBER_MODEL
from forecast.api.render import interval
from forecast.errors import ForecastError, InputError
from forecast.pages import views
from forecast.pages.render import page
from forecast.panel.columns import OBLIGATION_TYPES, REGIONS
from forecast.serving.service import ServiceState

router = APIRouter(include_in_schema=False)

PRESETS = (
    ("", "— choose a preset —"),
    ("leader_spending_cut", "Leader cuts its share of alliance military spending"),
    ("regime_change", "Regime change in a member"),
    ("threat_up", "Threat rises"),
    ("rival_rise", "A rival's capabilities grow 50 %"),
    ("threat_gone", "The threat disappears"),
)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def _error(status: int, message: str) -> HTMLResponse:
    return _html(page("error.html", status=status, message=message), status)


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise InputError(
            f"{name} must be a whole number from {lo} to {hi}, got {raw!r}",
            field=name,
        )
    return int(raw)


def _choice(request: Request, name: str, allowed: tuple[str, ...], default: str | None) -> Any:
    raw = request.query_params.get(name) or default
    if raw is not None and raw not in allowed:
        raise InputError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}", field=name)
    return raw


@router.get("/", response_class=HTMLResponse)
def index(request: Request, state: Service, cache: PageCache) -> HTMLResponse:
    """Alliances in force with their risk: search, filters, sortable columns."""
    try:
        served = state.holder.get()
        horizon = _int(request, "horizon", views.DEFAULT_HORIZON, 1, 30)
        sort = _choice(request, "sort", views.SORTS, "risk")
        order = _choice(request, "order", ("asc", "desc"), "desc")
        otype = _choice(request, "type", OBLIGATION_TYPES, None)
        region = _choice(request, "region", REGIONS, None)
    except ForecastError as exc:
        return _error(exc.http_status, exc.message)
    q = (request.query_params.get("q") or "").strip()[:100] or None
    rows = views.index_rows(state, served, horizon, cache)
    chosen = views.select_rows(
        rows, q=q, obligation_type=otype, region=region, sort=sort, order=order
    )

    def sort_link(key: str) -> str:
        flip = "asc" if (key == sort and order == "desc") else "desc"
        params = {
            "q": q or "",
            "type": otype or "",
            "region": region or "",
            "horizon": horizon,
            "sort": key,
            "order": flip,
        }
        return "/?" + "&".join(f"{k}={v}" for k, v in params.items() if v != "")

    return _html(
        page(
            "index.html",
            rows=chosen,
            total=len(rows),
            q=q,
            type=otype,
            region=region,
            types=OBLIGATION_TYPES,
            regions=REGIONS,
            sort=sort,
            order=order,
            horizon=horizon,
            as_of=served.as_of,
            today=state.clock().year,
            model=served.provenance,
            sort_link=sort_link,
        )
    )


def _scenario(request: Request, state: ServiceState, atopid: int, horizon: int) -> dict[str, Any]:
    """The scenario the form asked for, answered by ``POST /v1/forecasts``' own handler."""
    from forecast.api.routes.batch import post_forecasts
    from forecast.api.schemas import BatchIn

    qp = request.query_params
    sc: dict[str, Any] = {
        "preset": qp.get("preset") or None,
        "member": qp.get("member") or None,
        "amount": qp.get("amount") or None,
        "result": None,
        "error": None,
    }
    if sc["preset"] is None:
        return sc
    try:
        spec: dict[str, Any] = {"preset": sc["preset"]}
        if sc["member"]:
            spec["member"] = sc["member"]
        if sc["amount"]:
            spec["amount"] = sc["amount"]
        body = BatchIn.model_validate({"atopids": [atopid], "horizon": horizon, "scenario": spec})
        answer = json.loads(post_forecasts(state, body).body)
    except ValidationError as exc:
        err = exc.errors()[0]
        sc["error"] = f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
        return sc
    except ForecastError as exc:
        sc["error"] = exc.message
        return sc
    if answer["results"]:
        sc["result"] = answer["results"][0]
    else:
        sc["error"] = "; ".join(e["message"] for e in answer["errors"]) or "no result"
    return sc


def _member_exits(
    state: ServiceState, atopid: int, horizon: int
) -> tuple[dict[int, dict[str, Any]], str]:
    """Each current member's exit risk under the member model (ccode -> ``p_exit`` and its
    likeliest ``exit_cause``), and what it means or why there is none."""
    if MEMBER_MODEL not in state.holder.names():
        return {}, f"Exit risks need the member model ({MEMBER_MODEL}), which is not served."
    served = state.holder.get(MEMBER_MODEL)
    try:
        with np.errstate(all="ignore"):
            found = served.forecaster.member_exits(atopid, horizon)
    except ForecastError as exc:  # NotInForceError: no members at risk (bilateral pacts)
        return {}, exc.message
    exits = {
        ccode: {
            "p_exit": interval(m.p_exit),
            "exit_cause": max(m.causes, key=lambda c: m.causes[c].mean),
        }
        for ccode, m in found.items()
    }
    note = (
        f"Exit risk: P(the member leaves by {served.as_of + horizon} while the alliance "
        f"continues), 90 % interval; member model {served.version}."
    )
    return exits, note


@router.get("/alliances/{atopid}", response_class=HTMLResponse)
def alliance(request: Request, state: Service, atopid: str) -> HTMLResponse:
    """One alliance: survival fan, causes, drivers, members, scenario form."""
    if not (atopid.isdigit() and len(atopid) <= 5) or int(atopid) not in state.catalog.summaries:
        return _error(404, f"unknown ATOP id {atopid!r}: find alliances on the front page")
    a = int(atopid)
    summary = state.catalog.summaries[a]
    served = state.holder.get()
    today = state.clock().year
    try:
        horizon = _int(request, "horizon", views.default_horizon(served.as_of, today), 1, 30)
    except ForecastError as exc:
        return _error(exc.http_status, exc.message)
    f = sc = charts = dv = None
    forecast_error = None
    if summary["in_force"]:
        try:
            f = views.forecast_json(state, served, a, horizon)
        except ForecastError as exc:
            forecast_error = exc.message
    else:
        forecast_error = (
            f"This alliance ended in {summary['endyr']} "
            f"({summary['end_cause'] or 'cause not coded'}): no forecast."
        )
    if f is not None:
        sc = _scenario(request, state, a, horizon)
        what_if = sc["result"]["scenario"] if sc["result"] else None
        charts = views.alliance_charts(f, today, what_if)
        dv = views.drivers_view(f)
    exits, exits_note = _member_exits(state, a, horizon) if f else ({}, None)
    entered = {m["ccode"]: m["entered"] for m in state.catalog.details[a]["member_history"]}
    members = [
        {**m, "entered": entered.get(m["ccode"]), **exits.get(m["ccode"], {})}
        for m in summary["members"]
    ]
    members.sort(key=lambda m: -(m["p_exit"]["mean"] if m.get("p_exit") else -1.0))
    return _html(
        page(
            "alliance.html",
            s=summary,
            f=f,
            sc=sc or {},
            charts=charts,
            dv=dv,
            today=today,
            members=members,
            exits_note=exits_note,
            presets=PRESETS[1:],
            forecast_error=forecast_error,
        )
    )


@router.get("/track-record", response_class=HTMLResponse, dependencies=[Depends(ledger_prepared)])
def track_record(ledger: LedgerPreparation) -> HTMLResponse:
    """Reliability diagram, scores over time and breakdowns from the ledger."""
    try:
        tr = ledger.get().track_record()
    except ForecastError as exc:
        return _html(page("track_record.html", tr=None, error=exc.message), exc.http_status)
    return _html(page("track_record.html", tr=tr, charts=views.track_record_charts(tr)))


__all__ = ["router"]
