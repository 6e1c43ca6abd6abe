"""Read the ledger: the track record (scores, skill, reliability, breakdowns) and its pages.

The track record uses each forecast's latest score (the most recent scoring run that
resolved it). Definitions, per group of scored forecasts:

- ``brier``, ``log_loss``: means over the forecasts (log loss in nats, p clipped as scored);
- ``brier_skill``: ``1 - brier / brier_climatology``, where climatology forecasts, for every
  forecast, the observed rate of ends at its horizon over the whole scored record (a
  demanding reference: it knows the base rate in hindsight);
- ``interval_coverage``: share of scored forecasts whose reliability bin's observed rate lies
  inside the bin's mean 90% interval ``[mean p_end_lo, mean p_end_hi]`` (the interval of one
  binary outcome cannot be checked alone; its calibration shows in groups);
- ``reliability``: equal-count bins of the forecast probability (as in
  ``forecast.evaluation.scoring.reliability_bins``) with the mean forecast, its mean interval and
  the observed rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from forecast.ledger.tables import CAUSE_COLUMNS, Entry, Score, ScoringRun
from forecast.panel.columns import era_of

N_BINS = 10
ENTRY_COLUMNS = (
    "id",
    "issued_at",
    "kind",
    "model",
    "version",
    "data_sha256",
    "as_of",
    "atopid",
    "member",
    "horizon",
    "alliance_type",
    "p_end",
    "p_end_lo",
    "p_end_hi",
    *CAUSE_COLUMNS,
    "source",
)
SCORE_COLUMNS = ("score_id", "run_id", "ended", "end_year", "cause", "brier", "log_loss")


def version_tag(engine: Engine) -> tuple[int, int]:
    """(last forecast id, last score id): changes whenever the ledger grows."""
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.coalesce(func.max(Entry.id), 0))),
            conn.scalar(select(func.coalesce(func.max(Score.id), 0))),
        )


def scored_frame(engine: Engine, *, kind: str | None = None, model: str | None = None):
    """Scored forecasts with their latest score, one row per forecast."""
    latest = (
        select(Score.forecast_id, func.max(Score.id).label("sid"))
        .group_by(Score.forecast_id)
        .subquery()
    )
    q = (
        select(
            Entry.id,
            Entry.kind,
            Entry.model,
            Entry.version,
            Entry.as_of,
            Entry.atopid,
            Entry.horizon,
            Entry.alliance_type,
            Entry.p_end,
            Entry.p_end_lo,
            Entry.p_end_hi,
            Score.ended,
            Score.brier,
            Score.log_loss,
            ScoringRun.data_through,
        )
        .join(latest, latest.c.forecast_id == Entry.id)
        .join(Score, Score.id == latest.c.sid)
        .join(ScoringRun, ScoringRun.id == Score.run_id)
    )
    if kind:
        q = q.where(Entry.kind == kind)
    if model:
        q = q.where(Entry.model == model)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    cols = [
        "id",
        "kind",
        "model",
        "version",
        "as_of",
        "atopid",
        "horizon",
        "alliance_type",
        "p_end",
        "p_end_lo",
        "p_end_hi",
        "ended",
        "brier",
        "log_loss",
        "data_through",
    ]
    return pd.DataFrame(rows, columns=cols)


def _bins(g: pd.DataFrame, n_bins: int = N_BINS) -> pd.DataFrame:
    b = pd.qcut(g["p_end"].rank(method="first"), q=min(n_bins, len(g)), labels=False)
    out = (
        g.assign(bin=b)
        .groupby("bin")
        .agg(
            p_lo=("p_end", "min"),
            p_hi=("p_end", "max"),
            n=("ended", "size"),
            mean_p=("p_end", "mean"),
            mean_lo=("p_end_lo", "mean"),
            mean_hi=("p_end_hi", "mean"),
            observed=("ended", "mean"),
        )
    )
    out["covered"] = (out["observed"] >= out["mean_lo"]) & (out["observed"] <= out["mean_hi"])
    return out.reset_index()


def _r(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 6)


def _summary(g: pd.DataFrame, clim: Mapping[int, float]) -> dict[str, Any]:
    """Scores of one group of scored forecasts."""
    ref = g["horizon"].map(clim).to_numpy(dtype=float)
    y = g["ended"].to_numpy(dtype=float)
    brier_ref = float(np.mean((ref - y) ** 2))
    brier = float(g["brier"].mean())
    with_iv = g.dropna(subset=["p_end_lo", "p_end_hi"])
    coverage = None
    if len(with_iv):
        bins = _bins(with_iv)
        coverage = float((bins["n"] * bins["covered"]).sum() / bins["n"].sum())
    return {
        "n_scored": len(g),
        "events": int(y.sum()),
        "event_rate": _r(y.mean()),
        "mean_p_end": _r(g["p_end"].mean()),
        "brier": _r(brier),
        "log_loss": _r(g["log_loss"].mean()),
        "brier_climatology": _r(brier_ref),
        "brier_skill": _r(1 - brier / brier_ref) if brier_ref > 0 else None,
        "interval_coverage": _r(coverage),
    }


def _reliability(g: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            k: (int(v) if k in ("bin", "n") else bool(v) if k == "covered" else _r(v))
            for k, v in row.items()
        }
        for row in _bins(g).to_dict("records")
    ]


def track_record(engine: Engine, *, kind: str | None = None, model: str | None = None) -> dict:
    """The track record: pooled scores, reliability, and breakdowns (JSON-ready)."""
    g = scored_frame(engine, kind=kind, model=model)
    base = {"filters": {"kind": kind, "model": model}, "definitions": DEFINITIONS}
    if g.empty:
        return {
            **base,
            "n_scored": 0,
            "brier": None,
            "log_loss": None,
            "brier_skill": None,
            "interval_coverage": None,
            "reliability": [],
            "by_horizon": [],
            "by_era": [],
            "by_alliance_type": [],
            "over_time": [],
            "data_through": None,
        }
    clim = g.groupby("horizon")["ended"].mean().to_dict()
    g["era"] = g["as_of"].map(era_of)

    def by(col: str, name: str) -> list[dict[str, Any]]:
        return [
            {name: k, **_summary(grp, clim)}
            for k, grp in g.groupby(g[col].fillna("unknown"), sort=True)
        ]

    over_time = [
        {"as_of": int(a), "horizon": int(h), **_summary(grp, clim)}
        for (a, h), grp in g.groupby(["as_of", "horizon"], sort=True)
    ]
    return {
        **base,
        **_summary(g, clim),
        "data_through": int(g["data_through"].max()),
        "climatology": {str(h): _r(p) for h, p in clim.items()},
        "reliability": _reliability(g),
        "reliability_by_horizon": [
            {"horizon": int(h), "bins": _reliability(grp)} for h, grp in g.groupby("horizon")
        ],
        "by_horizon": by("horizon", "horizon"),
        "by_era": by("era", "era"),
        "by_alliance_type": by("alliance_type", "alliance_type"),
        "by_kind": by("kind", "kind"),
        "over_time": over_time,
    }


DEFINITIONS = {
    "brier": "mean squared error of p_end against the 0/1 outcome (lower is better)",
    "log_loss": "mean negative log-likelihood in nats, p clipped to [1e-4, 1-1e-4]",
    "brier_skill": "1 - brier / brier of climatology (the observed end rate at each horizon "
    "over the whole scored record); > 0 beats climatology",
    "interval_coverage": "share of scored forecasts in reliability bins whose observed end "
    "rate lies inside the bin's mean 90% interval",
    "reliability": "equal-count bins of p_end: mean forecast, mean 90% interval, observed rate",
}


def ledger_page(
    engine: Engine,
    *,
    filters: Mapping[str, Any],
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """One page of ledger entries (newest first) with their latest score, if any."""
    cond = [getattr(Entry, k) == v for k, v in filters.items() if v is not None and k != "scored"]
    latest = (
        select(Score.forecast_id, func.max(Score.id).label("sid"))
        .group_by(Score.forecast_id)
        .subquery()
    )
    cols = [getattr(Entry, c) for c in ENTRY_COLUMNS]
    cols += [
        Score.id.label("score_id"),
        Score.run_id,
        Score.ended,
        Score.end_year,
        Score.cause,
        Score.brier,
        Score.log_loss,
    ]
    base = (
        select(*cols)
        .outerjoin(latest, latest.c.forecast_id == Entry.id)
        .outerjoin(Score, Score.id == latest.c.sid)
    )
    scored = filters.get("scored")
    if scored is True:
        cond.append(Score.id.is_not(None))
    elif scored is False:
        cond.append(Score.id.is_(None))
    base = base.where(*cond)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(base.subquery()))
        rows = conn.execute(
            base.order_by(Entry.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
    return {
        "total": total,
        "page": page,
        "page_size": page_size,
        "items": [_item(r) for r in rows],
    }


def _item(row: Any) -> dict[str, Any]:
    m = row._mapping
    e = {c: m[c] for c in ENTRY_COLUMNS}
    issued = e["issued_at"]
    if issued.tzinfo is None:  # SQLite keeps no zone: stored as UTC
        issued = issued.replace(tzinfo=UTC)
    e["issued_at"] = issued.isoformat(timespec="seconds").replace("+00:00", "Z")
    causes = {c.removeprefix("p_"): e.pop(c) for c in CAUSE_COLUMNS}
    score = None
    if m["score_id"] is not None:
        score = {k: m[k] for k in SCORE_COLUMNS if k != "score_id"}
    return {**e, "target_year": e["as_of"] + e["horizon"], "causes": causes, "score": score}
