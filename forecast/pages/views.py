"""What each page shows, assembled from the served forecasts (the API's own JSON bodies),
the catalog and the ledger. Plain dicts for the templates; charts as SVG text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from forecast.pages import charts

if TYPE_CHECKING:
    from forecast.serving.holder import ServedModel
    from forecast.serving.service import ServiceState

SORTS = ("risk", "name", "atopid", "begyr", "members")
DEFAULT_HORIZON = 10


def forecast_json(
    state: ServiceState, served: ServedModel, atopid: int, horizon: int
) -> dict[str, Any]:
    """The forecast body the API serves for (alliance, horizon), parsed."""
    from forecast.api.forecasts import forecast_bytes  # the forecast route's builder

    return json.loads(forecast_bytes(state.catalog, served, atopid, horizon))


def index_rows(
    state: ServiceState, served: ServedModel, horizon: int, cache: dict[tuple, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """One row per alliance in force: label, type, members, P(in force) and top cause.

    ``cache`` (owned by the app) keeps the rows of the served version's warmed table.
    """
    key = (served.name, served.version, horizon, id(served.baseline))
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = []
    for atopid, s in state.catalog.summaries.items():
        if not s["in_force"]:
            continue
        f = forecast_json(state, served, atopid, horizon)
        causes = f["causes"]
        top = max(causes, key=lambda c: causes[c]["mean"] or 0) if causes else None
        rows.append(
            {
                "atopid": atopid,
                "label": s["label"],
                "obligation_type": s["obligation_type"],
                "region": s["region"],
                "begyr": s["begyr"],
                "n_members": len(s["members"]),
                "members": ", ".join(m["name"] for m in s["members"][:6])
                + (f" +{len(s['members']) - 6}" if len(s["members"]) > 6 else ""),
                "p_persist": f["p_persist"],
                "p_end": f["p_end"]["mean"],
                "top_cause": top,
                "target_year": f["target_year"],
                "_search": s["_search"],
            }
        )
    if served.baseline:  # cache only what came from the warmed table of this version
        for old in [k for k in cache if k[:2] != key[:2] or k[3] != key[3]]:
            del cache[old]
        cache[key] = rows
    return rows


def select_rows(
    rows: list[dict[str, Any]],
    *,
    q: str | None,
    obligation_type: str | None,
    region: str | None,
    sort: str,
    order: str,
) -> list[dict[str, Any]]:
    """Rows matching the search (name, id or member) and filters, sorted."""
    needle = q.strip().lower() if q else None
    out = [
        r
        for r in rows
        if (not needle or needle in r["_search"])
        and (not obligation_type or r["obligation_type"] == obligation_type)
        and (not region or r["region"] == region)
    ]
    keys = {
        "risk": lambda r: r["p_end"],
        "name": lambda r: r["label"].lower(),
        "atopid": lambda r: r["atopid"],
        "begyr": lambda r: r["begyr"],
        "members": lambda r: r["n_members"],
    }
    return sorted(out, key=keys[sort], reverse=order == "desc")


def drivers_view(forecast: Mapping[str, Any]) -> dict[str, Any]:
    """Drivers in the shape ``[{group, contribution, covariates, data_through}]`` with
    ``drivers_total``/``drivers_reference`` when served; freshness read from the data.

    When a forecast carries no ``data_through`` (older model versions), freshness is read
    from the covariate values: all missing means the group is pure imputation.
    """
    out = []
    for d in forecast.get("drivers", []):
        values = d.get("covariates", {})
        missing = [k for k, v in values.items() if v is None]
        through = d.get("data_through")
        if values and len(missing) == len(values):
            fresh = "inputs missing: imputed"
        elif through is not None:
            fresh = f"data through {through}"
        elif "data_through" in d:
            fresh = "no data: imputed"
        elif missing:
            fresh = f"{len(missing)} of {len(values)} inputs missing"
        else:
            fresh = f"values at {forecast['as_of']}"
        out.append({**d, "freshness": fresh, "missing": missing})
    return {
        "drivers": out,
        "total": forecast.get("drivers_total"),
        "reference": forecast.get("drivers_reference"),
        "reference_is": forecast.get("drivers_reference_is"),
        "scale": forecast.get("drivers_scale"),
    }


def data_through_note(forecast: Mapping[str, Any]) -> str:
    """Footnote text: model, version and how far each data family reaches."""
    model = forecast.get("model", {})
    through = forecast.get("data_through")
    if isinstance(through, Mapping) and through:
        fams = ", ".join(f"{k} {v}" for k, v in sorted(through.items()) if v is not None)
        data = f"data through: {fams}"
    else:
        data = f"data through {forecast['as_of']}"
    return (
        f"Mean and 90% credible interval · model {model.get('name')} "
        f"{model.get('version')} · {data} · "
        "source: ATOP v5.1, ends recorded 2019–2024 and covariate sources"
    )


def alliance_charts(
    forecast: Mapping[str, Any], today: int, scenario: Mapping[str, Any] | None
) -> dict[str, str]:
    """The alliance page's SVGs: survival fan, causes, drivers waterfall."""
    note = data_through_note(forecast)
    dv = drivers_view(forecast)
    return {
        "fan": charts.survival_fan(
            forecast["survival"],
            as_of=forecast["as_of"],
            today=today,
            label=forecast["label"],
            footnote=note,
            scenario=scenario["survival"] if scenario else None,
        ),
        "causes": charts.cause_bars(
            forecast["causes"], target_year=forecast["target_year"], footnote=note
        ),
        "drivers": charts.waterfall(
            dv["drivers"],
            total=dv["total"],
            reference=dv["reference"],
            footnote=note,
            scale=dv["scale"],
            reference_is=dv["reference_is"],
        ),
    }


def default_horizon(as_of: int, today: int) -> int:
    """A horizon that reaches 10 years past today (at most 30)."""
    return max(1, min(30, today - as_of + 10))


def track_record_charts(tr: Mapping[str, Any]) -> dict[str, str]:
    """The track-record page's SVGs: reliability diagram and scores over time."""
    if not tr.get("n_scored"):
        return {}
    note = (
        f"{tr['n_scored']} scored forecasts · outcomes from ATOP v5.1 and recorded ends, "
        f"data through {tr['data_through']}"
    )
    return {
        "reliability": charts.reliability(tr["reliability_by_horizon"], footnote=note),
        "over_time": charts.scores_over_time(tr["over_time"], footnote=note),
    }
