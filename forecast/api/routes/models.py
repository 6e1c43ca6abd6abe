"""Stored models: versions, live pointer, training window, diagnostics, LOO."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from forecast.api.deps import Service
from forecast.api.routing import StrictQueryRoute
from forecast.api.schemas import ModelDetail, ModelSummary
from forecast.errors import NotFoundError, StoreError
from forecast.serving import core
from forecast.serving.service import ServiceState

router = APIRouter(prefix="/v1", route_class=StrictQueryRoute, tags=["models"])


def _version_row(entry: dict[str, Any], live: str | None) -> dict[str, Any]:
    return {
        "version": str(entry["version"]),
        "live": entry["version"] == live,
        "created_at": entry.get("created_at"),
        "train_until": entry.get("train_until"),
        "passed": entry.get("passed"),
        "failed_gates": list(entry.get("failed_gates") or []),
    }


def _summary(state: ServiceState, name: str) -> dict[str, Any]:
    live = core.live_version(state.registry, name)  # StoreError (503) when unreadable
    served = state.holder.served_version(name)
    return {
        "name": name,
        "live_version": live,
        "served_version": served,
        "versions": [_version_row(v, live) for v in core.list_versions(state.registry, name)],
    }


_STORE_DOWN = {503: {"description": "The store (pointer or manifest) is unreadable."}}


@router.get("/models", response_model=list[ModelSummary], responses=_STORE_DOWN)
def list_models(state: Service) -> list[dict[str, Any]]:
    """Every stored model with its versions and live pointer."""
    return [_summary(state, n) for n in core.model_names(state.registry)]


@router.get("/models/{name}", response_model=ModelDetail, responses={404: {}, **_STORE_DOWN})
def get_model(
    state: Service, name: Annotated[str, Path(max_length=100, description="Model name.")]
) -> dict[str, Any]:
    """One model: versions, live pointer and the live version's manifest
    (training window, diagnostics, LOO comparison)."""
    names = core.model_names(state.registry)
    if name not in names:
        raise NotFoundError(
            f"unknown model {name!r}: stored models are {', '.join(sorted(names))}", field="model"
        )
    out = _summary(state, name)
    served = state.holder.served_version(name)
    manifest = None
    if served is not None:
        manifest = dict(state.holder.get(name).manifest)
    elif out["live_version"]:
        try:
            manifest = state.registry.manifest(name, out["live_version"])
        except StoreError:
            manifest = None
    out["manifest"] = manifest
    out["covariates"], out["variance_components"] = _model_content(manifest)
    out["loo_comparison"] = _loo_comparison(state, names)
    return out


def _model_content(manifest: dict[str, Any] | None) -> tuple[list, list]:
    """(covariates the live version uses, its variance components) from the manifest."""
    from forecast.model.manifest import Manifest
    from forecast.predict.scenarios import allowed_range

    if not manifest:
        return [], []
    try:
        man = Manifest.model_validate(manifest)
    except ValueError:
        return [], []
    covs = [
        {**c.model_dump(), "allowed_range": list(allowed_range(c)) if c.scenario else None}
        for c in man.covariates
        if c.used
    ]
    return covs, [v.model_dump() for v in man.variance_components]


def _loo_comparison(state: ServiceState, names: list[str]) -> list[dict[str, Any]]:
    """PSIS-LOO of every model's live version, best first (elpd differences only mean
    something between fits on the same data: compare ``data_manifest_sha256``)."""
    rows = []
    for n in names:
        live = core.live_version(state.registry, n)
        if live is None:
            continue
        try:
            man = state.registry.manifest(n, live)
        except StoreError:
            continue
        loo = man.get("loo") or {}
        rows.append(
            {
                "model": n,
                "version": live,
                "elpd": loo.get("elpd"),
                "se": loo.get("se"),
                "p_loo": loo.get("p_loo"),
                "data_manifest_sha256": man.get("data_manifest_sha256"),
            }
        )
    best = max((r["elpd"] for r in rows if r["elpd"] is not None), default=None)
    for r in rows:
        r["elpd_diff"] = None if r["elpd"] is None or best is None else r["elpd"] - best
    return sorted(rows, key=lambda r: (r["elpd"] is None, -(r["elpd"] or 0.0)))
