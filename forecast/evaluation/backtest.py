"""Rolling-origin backtests: fit on what was known at the end of T, forecast T+1..T+H, score.

One task per origin: the model is fitted once on the panel known at the end of the origin
and forecasts every requested horizon; the five baselines are fitted on the same rows. The
per-alliance predictions follow the backtest contract (``CONTRACT_COLUMNS``); scores are
computed only for folds whose outcome window ends by 2016.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.evaluation import baselines as bl
from forecast.evaluation import scoring
from forecast.evaluation.folds import Fold, at_risk, known_at, label_outcomes
from forecast.model.config import BACKTEST, SamplerConfig
from forecast.model.spec import ModelSpec
from forecast.panel.columns import CAUSES

#: Columns of the backtest CSV, in order (other tools read this file: keep it exact).
CONTRACT_COLUMNS: tuple[str, ...] = (
    "atopid", "origin", "horizon", "p_end", "p_end_lo", "p_end_hi",
    *(f"p_{c}" for c in CAUSES),
)  # fmt: skip

MODEL_SOURCE = "model"


@dataclass(frozen=True, slots=True)
class FitSettings:
    """How the Bayesian model is fitted in each fold (``spec=None``: baselines only)."""

    spec: str | ModelSpec | None = "full"
    sampler: SamplerConfig = BACKTEST


@dataclass(slots=True)
class OriginResult:
    """What one origin produced: contract rows of the model, baseline rows, timings."""

    origin: int
    model: pd.DataFrame
    baselines: pd.DataFrame
    seconds: float
    fit_info: dict = field(default_factory=dict)


def _check_origin(panel: pd.DataFrame, origin: int) -> None:
    first, last = int(panel["year"].min()), int(panel["year"].max())
    if not first < origin <= last:
        raise InputError(
            f"origin {origin} is outside the panel ({first}-{last}); choose a year after the "
            f"first and at most {last}"
        )


def baseline_rows(train: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """``atopid, origin, horizon, source, p_end`` of every baseline fitted on ``train``."""
    risk = at_risk(train, origin)
    frames = []
    for model in bl.all_baselines():
        model.fit(train)
        for h in horizons:
            frames.append(
                pd.DataFrame(
                    {"atopid": risk["atopid"].to_numpy(), "origin": origin, "horizon": h,
                     "source": model.name, "p_end": model.predict(risk, h)}
                )
            )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def run_origin(
    origin: int, *, panel: pd.DataFrame, horizons: Sequence[int], settings: FitSettings
) -> OriginResult:
    """Fit the model and the baselines on the panel known at the end of ``origin``; forecast."""
    from forecast.evaluation.fanout import ensure_private_compiledir

    ensure_private_compiledir()
    started = time.perf_counter()
    _check_origin(panel, origin)
    train = known_at(panel, origin)
    base = baseline_rows(train, origin, horizons)
    model = pd.DataFrame(columns=list(CONTRACT_COLUMNS))
    info: dict = {}
    if settings.spec is not None:
        model, info = fit_and_forecast(train, origin, horizons, settings)
    return OriginResult(origin, model, base, time.perf_counter() - started, info)


def fit_and_forecast(
    train: pd.DataFrame, origin: int, horizons: Sequence[int], settings: FitSettings
) -> tuple[pd.DataFrame, dict]:
    """Fit ``settings.spec`` on ``train`` (known at the end of ``origin``) and forecast.

    The fit applies the spec's covariate rule at this origin (a source that has ended by
    ``origin`` is left out) exactly as the served fit does at its ``as_of``. Returns
    contract rows for every alliance in force at the end of ``origin`` and every
    horizon, plus the fold's diagnostics (R-hat, ESS, divergences, the gate verdict).
    """
    from pathlib import Path

    from forecast.model.fit import fit_model
    from forecast.predict import Forecaster
    from forecast.store.registry import Artifact

    fit = fit_model(settings.spec, train, until=origin, sampler=settings.sampler,
                    compute_loo=False)  # fmt: skip
    label = f"backtest-{origin}"
    man = fit.manifest.model_copy(update={"version": label}).model_dump(mode="json")
    forecaster = Forecaster(Artifact(fit.manifest.model, label, man, fit.posterior, Path(".")),
                            train, as_of=origin)  # fmt: skip
    rows = pd.concat([forecaster.end_probabilities(int(h)) for h in horizons], ignore_index=True)
    expected = set(at_risk(train, origin)["atopid"])
    if set(rows["atopid"]) != expected:
        raise InputError(
            f"origin {origin}: the forecaster's alliances in force differ from the fold's "
            f"({len(set(rows['atopid']) ^ expected)} differ)"
        )
    d = fit.diagnostics
    info = {
        "passed": d.passed, "failed_gates": list(d.failed_gates), "max_rhat": d.max_rhat,
        "min_ess_bulk": d.min_ess_bulk, "min_ess_tail": d.min_ess_tail,
        "divergences": d.divergences, "sampling_wall_s": d.sampling_wall_s,
        "left_out": [c.name for c in fit.manifest.covariates if not c.used],
        "outcome_through": fit.manifest.outcome_through,
    }  # fmt: skip
    return rows[list(CONTRACT_COLUMNS)], info


def outcomes(panel: pd.DataFrame, folds: Sequence[Fold]) -> pd.DataFrame:
    """Observed outcomes ``atopid, origin, horizon, ended, cause`` of the observable folds."""
    frames = []
    last = int(panel["year"].max())
    for fold in folds:
        if fold.observable_by(last):
            lab = label_outcomes(panel, fold)
            frames.append(lab.assign(origin=fold.origin, horizon=fold.horizon))
    if not frames:
        return pd.DataFrame(columns=["atopid", "origin", "horizon", "ended", "cause"])
    return pd.concat(frames, ignore_index=True)[["atopid", "origin", "horizon", "ended", "cause"]]


def long_predictions(model: pd.DataFrame, baselines: pd.DataFrame) -> pd.DataFrame:
    """Model and baseline forecasts stacked: ``atopid, origin, horizon, source, p_end``."""
    if model.empty:
        return baselines.reset_index(drop=True)
    m = model[["atopid", "origin", "horizon", "p_end"]].assign(source=MODEL_SOURCE)
    return pd.concat([m, baselines], ignore_index=True)


def score_table(
    predictions: pd.DataFrame, observed: pd.DataFrame, *, min_origin: int | None = None
) -> pd.DataFrame:
    """Scores per ``horizon`` and ``source`` pooled over the observable folds.

    ``predictions``: long frame from :func:`long_predictions`. Adds Brier skill against
    ``climatology`` and log loss relative to ``logistic`` on the same rows.
    """
    joined = predictions.merge(observed, on=["atopid", "origin", "horizon"], how="inner")
    if min_origin is not None:
        joined = joined.loc[joined["origin"] >= min_origin]
    if joined.empty:
        raise InputError(
            "no observable fold to score: every origin + horizon lies after the panel's end "
            "(or before --min-origin)"
        )
    rows = []
    for (h, source), grp in joined.groupby(["horizon", "source"], sort=True):
        s = scoring.score(grp["ended"].to_numpy(), grp["p_end"].to_numpy()).as_dict()
        rows.append({"horizon": h, "source": source, "folds": grp["origin"].nunique(), **s})
    table = pd.DataFrame(rows)
    ref = table.loc[table["source"] == "climatology"].set_index("horizon")["brier"]
    logit = table.loc[table["source"] == "logistic"].set_index("horizon")["log_loss"]
    table["brier_skill"] = [
        scoring.brier_skill(b, ref.get(h, np.nan)) if h in ref.index else None
        for h, b in zip(table["horizon"], table["brier"], strict=True)
    ]
    table["log_loss_vs_logistic"] = [
        ll / logit[h] if h in logit.index else None
        for h, ll in zip(table["horizon"], table["log_loss"], strict=True)
    ]
    order = {MODEL_SOURCE: 0, **{b.name: i + 1 for i, b in enumerate(bl.all_baselines())}}
    table["_o"] = table["source"].map(order).fillna(99)
    return table.sort_values(["horizon", "_o"]).drop(columns="_o").reset_index(drop=True)


def reliability(
    predictions: pd.DataFrame, observed: pd.DataFrame, source: str = MODEL_SOURCE, n_bins: int = 10
) -> pd.DataFrame:
    """Reliability bins per horizon for one source (default the model)."""
    joined = predictions.loc[predictions["source"] == source].merge(
        observed, on=["atopid", "origin", "horizon"]
    )
    frames = [
        scoring.reliability_bins(g["ended"].to_numpy(), g["p_end"].to_numpy(), n_bins).assign(
            horizon=h
        )
        for h, g in joined.groupby("horizon")
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass(slots=True)
class RollingResult:
    """Everything a rolling backtest produced."""

    model: pd.DataFrame  # contract rows, all folds
    baselines: pd.DataFrame  # long baseline rows
    observed: pd.DataFrame
    scores: pd.DataFrame | None
    origin_seconds: dict[int, float]
    wall_seconds: float
    fit_info: dict[int, dict]


def rolling(
    panel: pd.DataFrame,
    origins: Sequence[int],
    horizons: Sequence[int],
    settings: FitSettings,
    *,
    client: object | None = None,
    on_done: Callable[[OriginResult], None] | None = None,
    min_origin: int | None = None,
    done: Mapping[int, OriginResult] | None = None,
) -> RollingResult:
    """Run every origin (on ``client`` if given, else in this process) and score the folds;
    origins in ``done`` (results of an earlier, interrupted run) are not run again."""
    from forecast.evaluation.folds import make_folds

    folds = make_folds(origins, horizons)
    for origin in sorted(set(origins)):
        _check_origin(panel, origin)
    started = time.perf_counter()
    done = {o: r for o, r in (done or {}).items() if o in set(origins)}
    # the longest fits first
    origins_sorted = [o for o in sorted(set(origins), reverse=True) if o not in done]
    if client is None:
        results = []
        for o in origins_sorted:
            res = run_origin(o, panel=panel, horizons=list(horizons), settings=settings)
            results.append(res)
            if on_done:
                on_done(res)
    else:
        from forecast.evaluation.fanout import map_gather

        results = map_gather(
            client, _run_origin_task, origins_sorted,
            shared={"panel": panel, "horizons": list(horizons), "settings": settings},
            on_done=on_done,
        )  # fmt: skip
    wall = time.perf_counter() - started
    results = [*results, *done.values()]
    results.sort(key=lambda r: r.origin)
    model_frames = [r.model for r in results if not r.model.empty]
    model = (
        pd.concat(model_frames, ignore_index=True)
        if model_frames
        else pd.DataFrame(columns=list(CONTRACT_COLUMNS))
    )
    base = pd.concat([r.baselines for r in results], ignore_index=True)
    observed = outcomes(panel, folds)
    scores = None
    if not observed.empty:
        scores = score_table(long_predictions(model, base), observed, min_origin=min_origin)
    return RollingResult(
        model=model.sort_values(["origin", "horizon", "atopid"]).reset_index(drop=True),
        baselines=base,
        observed=observed,
        scores=scores,
        origin_seconds={r.origin: r.seconds for r in results},
        wall_seconds=wall,
        fit_info={r.origin: r.fit_info for r in results},
    )


def save_origin(result: OriginResult, folder: Path) -> None:
    """Write one origin's results to ``folder`` (``origin-T.model.csv``, ``.baselines.csv``,
    ``.json``), so that an interrupted rolling backtest can resume (:func:`load_origins`)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"origin-{result.origin}"
    result.model.to_csv(stem.with_suffix(".model.csv"), index=False)
    result.baselines.to_csv(stem.with_suffix(".baselines.csv"), index=False)
    meta = {"origin": result.origin, "seconds": result.seconds, "fit_info": result.fit_info}
    stem.with_suffix(".json").write_text(json.dumps(meta, indent=1, default=str))


def load_origins(folder: Path) -> dict[int, OriginResult]:
    """The origins :func:`save_origin` wrote to ``folder`` (empty when there is none)."""
    out: dict[int, OriginResult] = {}
    for meta_path in sorted(folder.glob("origin-*.json")):
        meta = json.loads(meta_path.read_text())
        stem = meta_path.with_suffix("")
        model_path = stem.with_suffix(".model.csv")
        model = pd.read_csv(model_path) if model_path.stat().st_size > 1 else pd.DataFrame()
        out[int(meta["origin"])] = OriginResult(
            origin=int(meta["origin"]),
            model=model,
            baselines=pd.read_csv(stem.with_suffix(".baselines.csv")),
            seconds=float(meta["seconds"]),
            fit_info=meta["fit_info"],
        )
    return out


def _run_origin_task(
    origin: int, *, panel: pd.DataFrame, horizons: list[int], settings: FitSettings
) -> OriginResult:
    return run_origin(origin, panel=panel, horizons=horizons, settings=settings)
