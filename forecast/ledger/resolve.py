"""The scoring job: resolve forecasts whose window has closed, and score them.

A forecast issued ``as_of`` T for horizon H is resolved once the data run through T + H
(the window has closed): ``ended`` is 1 if the alliance ended (its last member exited) in
T+1..T+H, 0 if it is still in the panel at T + H. Each run records a ``scoring_runs`` row
(data hash, last data year) and one ``scores`` row per newly resolved forecast: the
outcome, its cause, the Brier score and the log loss (p clipped to [1e-4, 1 - 1e-4]).
Forecasts already scored on the same data are skipped; new data (another hash) or
``rescore=True`` scores them again as new rows. Interval coverage is computed from these
rows by :mod:`forecast.ledger.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from forecast.evaluation.scoring import EPS
from forecast.ledger.tables import Entry, Score, ScoringRun


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one scoring run did."""

    run_id: int | None
    data_through: int
    scored: int
    open: int  # windows not closed yet (or member-level entries not resolvable here)


def outcomes(panel: pd.DataFrame) -> tuple[dict[int, tuple[int, str]], dict[int, int], int]:
    """End year and cause per ended alliance, last panel year per alliance, last data year."""
    ends = (
        panel.loc[panel["event"] == 1]
        .groupby("atopid")
        .agg(year=("year", "min"), cause=("cause", "first"))
    )
    end = {int(a): (int(r.year), str(r.cause)) for a, r in ends.iterrows()}
    last = {int(a): int(y) for a, y in panel.groupby("atopid")["year"].max().items()}
    return end, last, int(panel["year"].max())


def score_ledger(
    engine: Engine,
    panel: pd.DataFrame,
    *,
    data_sha256: str | None,
    rescore: bool = False,
    now: datetime | None = None,
) -> RunSummary:
    """Score every forecast whose window closed and that has no score on this data."""
    end, last, through = outcomes(panel)
    with engine.begin() as conn:
        entries = pd.DataFrame(
            conn.execute(
                select(
                    Entry.id, Entry.atopid, Entry.member, Entry.as_of, Entry.horizon, Entry.p_end
                )
            ).all(),
            columns=["id", "atopid", "member", "as_of", "horizon", "p_end"],
        )
        done: set[int] = set()
        if not rescore:
            done = set(
                conn.scalars(
                    select(Score.forecast_id)
                    .join(ScoringRun, ScoringRun.id == Score.run_id)
                    .where(ScoringRun.data_sha256.is_not_distinct_from(data_sha256))
                )
            )
        rows, still_open = _resolve(entries, end, last, through, done)
        if not rows:
            return RunSummary(None, through, 0, still_open)
        run_id = conn.execute(
            insert(ScoringRun).returning(ScoringRun.id),
            [
                {
                    "run_at": now or datetime.now(UTC),
                    "data_sha256": data_sha256,
                    "data_through": through,
                    "n_scored": len(rows),
                }
            ],
        ).scalar_one()
        for r in rows:
            r["run_id"] = run_id
        for start in range(0, len(rows), 2000):
            conn.execute(insert(Score), rows[start : start + 2000])
    return RunSummary(run_id, through, len(rows), still_open)


def _resolve(
    entries: pd.DataFrame,
    end: dict[int, tuple[int, str]],
    last: dict[int, int],
    through: int,
    done: set[int],
) -> tuple[list[dict], int]:
    rows: list[dict] = []
    still_open = 0
    for e in entries.itertuples(index=False):
        if e.id in done:
            continue
        target = int(e.as_of) + int(e.horizon)
        ended = end.get(int(e.atopid))
        member_level = e.member is not None and not pd.isna(e.member)
        if member_level or target > through:
            # open window (an early end is not scored before the window closes: scoring
            # only the ends of open windows would bias the record); member exits wait for
            # a member-level resolver
            still_open += 1
            continue
        if ended is not None and int(e.as_of) < ended[0] <= target:
            y, end_year, cause = 1, ended[0], ended[1]
        elif last.get(int(e.atopid), -1) >= target:
            y, end_year, cause = 0, None, None
        else:
            still_open += 1  # the alliance left the data before the window closed
            continue
        p = float(np.clip(e.p_end, EPS, 1 - EPS))
        rows.append(
            {
                "forecast_id": int(e.id),
                "ended": y,
                "end_year": end_year,
                "cause": cause,
                "brier": (float(e.p_end) - y) ** 2,
                "log_loss": -float(np.log(p) if y else np.log1p(-p)),
            }
        )
    return rows, still_open
