"""Thin adapter from the jobs to the model, store and forecast stages.

Every call the refit job and the backtests make into ``forecast.model``,
``forecast.store``, ``forecast.predict`` and the panel build goes through here, so that
the jobs never depend on those packages' internals (and no model math is duplicated).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from forecast.errors import InputError

if TYPE_CHECKING:
    from forecast.jobs.backtest import FitSettings
    from forecast.jobs.refit import RefitOptions


def data_manifest_sha256(data_dir: Path | None = None) -> str | None:
    """Combined hash of the derived data in ``data_dir`` (its ``manifest.json``), if any."""
    from forecast.config import get_settings

    path = Path(data_dir or get_settings().data_dir) / "manifest.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text()).get("sha256")


def build_panel_from_raw(raw_dir: Path, out_dir: Path) -> tuple[pd.DataFrame, str | None]:
    """Build every derived table from ``raw_dir`` into ``out_dir``; the panel and its hash."""
    from forecast.panel.build import build
    from forecast.panel.load import load_panel

    manifest = build(raw_dir, out_dir)
    return load_panel(out_dir), manifest.get("sha256")


def fit_final(panel: pd.DataFrame, opts: RefitOptions, data_sha: str | None) -> Any:
    """Fit ``opts.model`` on every row of ``panel`` (the refit candidate), with LOO."""
    from forecast.model.fit import fit_model

    return fit_model(
        opts.model, panel, until=None, draws=opts.draws, tune=opts.tune, chains=opts.chains,
        seed=opts.seed, sampler=opts.sampler or "nutpie", progress=False,
        data_manifest_sha256=data_sha,
    )  # fmt: skip


def gates(fit: Any) -> dict[str, Any]:
    """The candidate's diagnostics: ``passed``, ``failed`` (reasons) and the numbers."""
    diag = dict(fit.diagnostics)
    diag["failed"] = list(diag.get("failed_gates", []))
    return diag


def loo(fit: Any, data_sha: str | None) -> dict[str, Any]:
    """elpd, se and the data hash of the candidate's PSIS-LOO."""
    summary = fit.loo or {}
    return {"elpd": summary.get("elpd"), "se": summary.get("se"), "data_hash": data_sha,
            "pareto_k_max": (summary.get("pareto_k") or {}).get("max")}  # fmt: skip


def fit_and_forecast(
    train: pd.DataFrame, origin: int, horizons: Sequence[int], settings: FitSettings
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit ``settings.spec`` on ``train`` (known at the end of ``origin``) and forecast.

    Returns backtest-contract rows for every alliance in force at the end of ``origin``
    and every horizon, plus a dict of fit information (diagnostics, timing).
    """
    from forecast.jobs.folds import at_risk
    from forecast.model.fit import fit_model

    if settings.spec is None:
        raise InputError("fit_and_forecast needs a model spec")
    fit = fit_model(
        settings.spec, train, until=origin, draws=settings.draws, tune=settings.tune,
        chains=settings.chains, seed=settings.seed, sampler=settings.sampler or "nutpie",
        progress=False, compute_loo=False,
    )  # fmt: skip
    rows = forecast_rows(artifact_of(fit, f"backtest-{origin}"), train, origin, horizons)
    expected = set(at_risk(train, origin)["atopid"])
    if set(rows["atopid"]) != expected:
        raise InputError(
            f"origin {origin}: the forecaster's alliances in force differ from the fold's "
            f"({len(set(rows['atopid']) ^ expected)} differ)"
        )
    info = {
        k: fit.diagnostics.get(k)
        for k in ("passed", "max_rhat", "min_ess_bulk", "divergences", "sampling_wall_s")
    }
    return rows, info


def artifact_of(fit: Any, label: str = "unsaved") -> Any:
    """An in-memory store artifact of a fit (what ``Registry.load`` would return)."""
    from forecast.store.registry import Artifact

    manifest = {**fit.manifest, "version": label}
    return Artifact(fit.manifest["model"], label, manifest, fit.posterior, Path("."))


def forecast_rows(
    artifact: Any, panel: pd.DataFrame, origin: int, horizons: Sequence[int]
) -> pd.DataFrame:
    """Backtest-contract rows of ``artifact``'s forecasts from the end of ``origin``.

    One row per alliance in force at the end of ``origin`` and horizon (the forecaster's
    ``end_probabilities``: mean and 90% interval of P(end), mean cumulative incidence).
    """
    from forecast.jobs.backtest import CONTRACT_COLUMNS
    from forecast.predict import Forecaster

    forecaster = Forecaster(artifact, panel, as_of=origin)
    frames = [forecaster.end_probabilities(int(h)) for h in horizons]
    return pd.concat(frames, ignore_index=True)[list(CONTRACT_COLUMNS)]


class Store:
    """The refit job's view of one model in the posterior store."""

    def __init__(self, models_dir: Path, model: str) -> None:
        from forecast.store import Registry

        self.registry = Registry(models_dir)
        self.model = model

    def live_version(self) -> str | None:
        """The version the live pointer names (None: nothing served yet)."""
        return self.registry.live_version(self.model)

    def save(self, fit: Any) -> str:
        """Store the candidate (failed fits are recorded as failed); its version."""
        return self.registry.save(fit)

    def loo(self, version: str) -> dict[str, Any]:
        """LOO summary and data hash recorded in a version's manifest."""
        man = self.registry.manifest(self.model, version)
        summary = man.get("loo") or {}
        return {"elpd": summary.get("elpd"), "se": summary.get("se"),
                "data_hash": man.get("data_manifest_sha256"), "version": version}  # fmt: skip

    def promote(self, version: str, expect_live: str | None) -> None:
        """Atomically make ``version`` live if ``expect_live`` still is (the store refuses
        failed fits, and a pointer an operator moved during the refit)."""
        self.registry.promote(self.model, version, expect_live=expect_live)

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest ``keep`` versions (never the live one)."""
        return self.registry.prune(self.model, keep)

    def load_live(self) -> Any:
        """Load and validate the live artifact."""
        return self.registry.load(self.model)
