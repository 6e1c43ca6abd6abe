"""Member-mode backtest: who leaves an alliance, forecast at an origin and scored later.

At origin T the ``member_exit`` model is fitted on the member-years known at the end of T
(the spec's covariate rule applied at T, as for the alliance backtest) and forecasts, for
every member at risk at the end of T, P(it leaves within H years while the alliance
continues): the contract rows ``MEMBER_COLUMNS``. A fold is scored when T + H is no
later than the last year whose exits are coded (``outcome_complete_through``): a member
counts as exited when it has an exit (either cause) in T+1..T+H; a member whose alliance
ended first counts as not exited (it did not leave while the alliance continued).
Baselines fitted on the same member-years: the constant yearly exit rate
(``climatology``, also over the last 10 years) and the exit rate by alliance age
(``life_table``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.evaluation import baselines as bl
from forecast.evaluation import scoring
from forecast.model.config import BACKTEST, SamplerConfig

#: Columns of the member backtest CSV, in order (the contract).
MEMBER_COLUMNS = ("atopid", "ccode", "origin", "horizon", "p_exit", "p_exit_lo", "p_exit_hi")
MODEL_SOURCE = "model"


def members_at_risk(panel: pd.DataFrame, origin: int) -> pd.DataFrame:
    """Member rows of year ``origin`` that did not exit in it (in force at its end)."""
    rows = panel.loc[(panel["year"] == origin) & (panel["exit"].fillna(0) == 0)]
    return rows.sort_values(["atopid", "ccode"]).reset_index(drop=True)


def _baselines() -> list:
    return [bl.Climatology(), bl.Climatology(years=10), bl.LifeTable()]


def baseline_rows(train: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """``atopid, ccode, origin, horizon, source, p_exit`` of the member baselines."""
    frame = train.assign(event=train["exit"].fillna(0).astype(int))
    risk = members_at_risk(train, origin)
    out = []
    for model in _baselines():
        model.fit(frame)
        for h in horizons:
            out.append(
                risk[["atopid", "ccode"]].assign(
                    origin=origin, horizon=h, source=model.name, p_exit=model.predict(risk, h)
                )
            )
    return pd.concat(out, ignore_index=True)


def fit_and_forecast(
    panel: pd.DataFrame, origin: int, horizons: Sequence[int], sampler: SamplerConfig = BACKTEST
) -> tuple[pd.DataFrame, dict]:
    """Fit ``member_exit`` on the member-years known at the end of ``origin``; contract
    rows for every member at risk and each horizon, and the fold's diagnostics."""
    from pathlib import Path

    from forecast.model.fit import fit_model
    from forecast.predict import Forecaster
    from forecast.store.registry import Artifact

    train = panel.loc[panel["year"] <= origin]
    fit = fit_model("member_exit", train, until=origin, sampler=sampler, compute_loo=False)
    label = f"backtest-{origin}"
    man = fit.manifest.model_copy(update={"version": label}).model_dump(mode="json")
    fc = Forecaster(Artifact("member_exit", label, man, fit.posterior, Path(".")), train,
                    as_of=origin)  # fmt: skip
    rows = pd.concat([fc.exit_probabilities(int(h)) for h in horizons], ignore_index=True)
    d = fit.diagnostics
    info = {"passed": d.passed, "failed_gates": list(d.failed_gates), "max_rhat": d.max_rhat,
            "divergences": d.divergences, "sampling_wall_s": d.sampling_wall_s}  # fmt: skip
    return rows[list(MEMBER_COLUMNS)], info


def last_coded(panel: pd.DataFrame) -> int:
    """Last year whose member exits are coded (the spec's coding-lag rule)."""
    from forecast.model.spec import get_spec

    through = get_spec("member_exit").outcome_complete_through
    last = int(panel["year"].max())
    return last if through is None else min(last, through)


def outcomes(panel: pd.DataFrame, origin: int, horizon: int) -> pd.DataFrame:
    """``atopid, ccode, exited`` of the members at risk at ``origin`` (see module)."""
    last = last_coded(panel)
    if origin + horizon > last:
        raise InputError(f"origin {origin} + horizon {horizon} ends after {last}: not observed")
    risk = members_at_risk(panel, origin)[["atopid", "ccode"]]
    window = panel.loc[
        (panel["year"] > origin) & (panel["year"] <= origin + horizon) & (panel["exit"] == 1),
        ["atopid", "ccode"],
    ].drop_duplicates()
    out = risk.merge(window.assign(exited=1), on=["atopid", "ccode"], how="left")
    out["exited"] = out["exited"].fillna(0).astype(int)
    return out


def score(model: pd.DataFrame, base: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame | None:
    """Brier, Brier skill (against climatology) and log loss per horizon and source,
    pooled over the observable folds (None when no fold is observable)."""
    last = last_coded(panel)
    long = pd.concat(
        [model[["atopid", "ccode", "origin", "horizon", "p_exit"]].assign(source=MODEL_SOURCE),
         base],
        ignore_index=True,
    )  # fmt: skip
    folds = long[["origin", "horizon"]].drop_duplicates()
    folds = folds[folds["origin"] + folds["horizon"] <= last]
    if folds.empty:
        return None
    obs = pd.concat(
        [outcomes(panel, int(o), int(h)).assign(origin=o, horizon=h)
         for o, h in folds.itertuples(index=False)],
        ignore_index=True,
    )  # fmt: skip
    joined = long.merge(obs, on=["atopid", "ccode", "origin", "horizon"])
    rows = []
    for (h, source), g in joined.groupby(["horizon", "source"]):
        s = scoring.score(g["exited"].to_numpy(), np.clip(g["p_exit"].to_numpy(), 1e-9, 1 - 1e-9))
        rows.append({"horizon": h, "source": source, "folds": g["origin"].nunique(),
                     **s.as_dict()})  # fmt: skip
    table = pd.DataFrame(rows)
    ref = table.loc[table["source"] == "climatology"].set_index("horizon")["brier"]
    table["brier_skill"] = [
        scoring.brier_skill(b, ref[h]) if h in ref.index else None
        for h, b in zip(table["horizon"], table["brier"], strict=True)
    ]
    return table


def backtest(
    panel: pd.DataFrame,
    origins: Sequence[int],
    horizons: Sequence[int],
    sampler: SamplerConfig = BACKTEST,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, dict]:
    """(model rows, baseline rows, scores or None, per-origin info) over ``origins``."""
    first, last = int(panel["year"].min()), int(panel["year"].max())
    bad = [o for o in origins if not first < o <= last]
    if bad:
        raise InputError(f"origins {bad} are outside the member panel ({first}-{last})")
    models, bases, info = [], [], {}
    for origin in sorted(set(origins)):
        t0 = time.perf_counter()
        rows, fold_info = fit_and_forecast(panel, origin, horizons, sampler)
        models.append(rows)
        bases.append(baseline_rows(panel.loc[panel["year"] <= origin], origin, horizons))
        info[origin] = {**fold_info, "seconds": round(time.perf_counter() - t0, 1)}
    model, base = pd.concat(models, ignore_index=True), pd.concat(bases, ignore_index=True)
    return model, base, score(model, base, panel), info
