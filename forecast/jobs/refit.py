"""The refit job: build the panel, fit, gate, compare with the live version, promote atomically.

Steps (any failure leaves the served version untouched):

1. Take the refit lock (``<models_dir>/.refit.lock``, a ``filelock``): a second refit
   while one runs is refused at once with :class:`LockHeldError` (exit 3). The lock is an
   OS file lock, so it dies with its process: a ``kill -9`` never leaves it stale.
2. Build the panel from ``--raw`` (into a temporary directory) or load the shipped panel.
3. Fit the model on every year of the panel; the store records the candidate version,
   marked failed if a diagnostics gate failed (R-hat, ESS, divergences, BFMI).
4. Compare with the live version on PSIS-LOO. LOO values are comparable only on the same
   observations, i.e. the same data hash: then the candidate is rejected if its elpd is
   below the live one by more than ``loo_z`` standard errors of the difference (the
   serving artifact carries no pointwise log-likelihood, so the difference's se is
   approximated by ``sqrt(se_live^2 + se_cand^2)``, which is conservative for the
   incumbent). When the data changed, LOO is reported but not used.
5. Recent-origin backtest: refit the candidate's spec on what was known at the end of
   ``last data year - horizon`` and score P(end within horizon). The candidate must beat
   climatology on the same fold (Brier skill >= ``min_brier_skill``) and, when the live
   version's record of the same fold on the same data exists, must not have a log loss
   more than ``max_log_loss_ratio`` times the live one.
6. Promote (the store's atomic pointer swap), prune to the last ``keep`` versions, record
   the backtest of the new live version for the next comparison.

One JSON summary line per run goes to stdout (see :class:`RefitSummary`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import ForecastError, GateFailedError, InputError, LockHeldError
from forecast.model.config import PRODUCTION, SamplerConfig

if TYPE_CHECKING:
    from forecast.model.spec import ModelSpec

LOCK_NAME = ".refit.lock"
OWNER_NAME = ".refit.owner"
RECORDS_DIR = ".refit"  # per-model backtest records and the run history


@dataclass(frozen=True, slots=True)
class RefitOptions:
    """What a refit does; the CLI maps its options onto these fields."""

    models_dir: Path
    model: str | ModelSpec = "full"  # a variant name, or a spec object (tests, notebooks)
    raw: Path | None = None
    panel_file: Path | None = None
    keep: int = 5
    sampler: SamplerConfig = PRODUCTION
    backtest_horizon: int = 5  # 0 disables the backtest comparison
    min_brier_skill: float = 0.0
    max_log_loss_ratio: float = 1.02
    loo_z: float = 2.0
    ledger_url: str | None = None  # snapshot the new live forecasts there (None: no ledger)

    @property
    def name(self) -> str:
        """Name of the model in the store."""
        return self.model if isinstance(self.model, str) else self.model.name


@dataclass(slots=True)
class RefitSummary:
    """The JSON line a refit prints (one per run, whatever the outcome)."""

    model: str
    status: str = "error"  # promoted | rejected | locked | invalid | error
    exit_code: int = 1
    candidate: str | None = None
    live_before: str | None = None
    live_after: str | None = None
    reasons: list[str] = field(default_factory=list)
    gates: dict[str, Any] = field(default_factory=dict)
    loo: dict[str, Any] = field(default_factory=dict)
    backtest: dict[str, Any] = field(default_factory=dict)
    pruned: list[str] = field(default_factory=list)
    data_hash: str | None = None
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    seconds: float = 0.0

    def to_json(self) -> str:
        """One line of JSON (``job: refit`` first)."""
        return json.dumps({"job": "refit", **asdict(self)}, default=str, sort_keys=False)


class _Rejected(GateFailedError):
    """Internal: the candidate lost a gate or a comparison."""


def _lock(models_dir: Path):
    from filelock import FileLock, Timeout

    models_dir.mkdir(parents=True, exist_ok=True)
    # the store's lock (forecast.store.registry.store_lock): re-entrant, so the final
    # promote (which takes it too) runs inside the refit's hold
    lock = FileLock(models_dir / LOCK_NAME, timeout=0, is_singleton=True)
    try:
        lock.acquire()
    except Timeout:
        owner = (
            (models_dir / OWNER_NAME).read_text().strip()
            if (models_dir / OWNER_NAME).exists()
            else "unknown"
        )
        raise LockHeldError(
            f"another refit holds {models_dir / LOCK_NAME} ({owner}); nothing changed. "
            "Wait for it to finish (the lock is released when its process ends)."
        ) from None
    (models_dir / OWNER_NAME).write_text(
        f"pid {os.getpid()} on {socket.gethostname()} since "
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
    )
    return lock


def _load_panel(opts: RefitOptions, log: Callable[[str], None]):
    import pandas as pd

    if opts.raw is not None and opts.panel_file is not None:
        raise InputError("give at most one of --raw DIR and --panel FILE")
    if opts.raw is not None:
        if not opts.raw.is_dir():
            raise InputError(f"--raw {opts.raw} is not a directory of raw source datasets")
        from forecast.model.members import load_model_panel
        from forecast.panel.build import build

        log(f"building the panel from {opts.raw}")
        with tempfile.TemporaryDirectory(prefix="refit-panel-") as tmp:
            manifest = build(opts.raw, Path(tmp))
            return load_model_panel(Path(tmp)), manifest.get("sha256")
    if opts.panel_file is not None:
        if not opts.panel_file.exists():
            raise InputError(f"--panel {opts.panel_file} does not exist")
        from forecast.model.members import MEMBERS, attach_members
        from forecast.panel.load import load_alliance_members

        panel = pd.read_parquet(opts.panel_file)
        digest = hashlib.sha256(pd.util.hash_pandas_object(panel).to_numpy().tobytes())
        if MEMBERS not in panel:  # an alliance-year file: members from the shipped spells
            panel = attach_members(panel, load_alliance_members())
        return panel, f"panel-{digest.hexdigest()[:16]}"
    from forecast.model.members import load_model_panel
    from forecast.panel.load import data_manifest_sha256

    return load_model_panel(), data_manifest_sha256()


def _records_dir(opts: RefitOptions) -> Path:
    path = opts.models_dir / RECORDS_DIR / opts.name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_record(opts: RefitOptions, version: str | None) -> dict | None:
    if version is None:
        return None
    path = _records_dir(opts) / f"{version}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _write_record(opts: RefitOptions, version: str, record: dict) -> None:
    path = _records_dir(opts) / f"{version}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, default=str))
    os.replace(tmp, path)


def compare_loo(candidate: dict, live: dict | None, z: float) -> dict[str, Any]:
    """LOO comparison (see the module docstring); ``ok`` False means reject."""
    out: dict[str, Any] = {"candidate": candidate, "live": live, "comparable": False, "ok": True}
    if live is None or candidate.get("elpd") is None or live.get("elpd") is None:
        out["note"] = "no live LOO to compare with"
        return out
    if candidate.get("data_hash") != live.get("data_hash"):
        out["note"] = "data changed since the live fit: LOO not comparable, backtest decides"
        return out
    se = (float(candidate.get("se") or 0.0) ** 2 + float(live.get("se") or 0.0) ** 2) ** 0.5
    delta = float(candidate["elpd"]) - float(live["elpd"])
    out.update(comparable=True, delta=delta, se_delta_approx=se, ok=delta >= -z * se)
    return out


def recent_backtest(panel, opts: RefitOptions, log: Callable[[str], None]) -> dict[str, Any]:
    """Score the candidate spec on the most recent observable fold next to climatology."""
    from forecast.evaluation import backtest as bt

    h = opts.backtest_horizon
    origin = int(panel["year"].max()) - h  # the panel ends at the data edge
    log(f"recent-origin backtest: origin {origin}, horizon {h}")
    settings = bt.FitSettings(spec=opts.model, sampler=opts.sampler)
    res = bt.rolling(panel, [origin], [h], settings)
    if res.scores is None:
        raise InputError(f"backtest fold {origin}+{h} has no observed outcomes")
    by = res.scores.set_index("source")
    pick = ["n", "events", "brier", "log_loss", "roc_auc", "brier_skill"]

    def row(source: str, keys: list[str]) -> dict[str, Any]:
        return {k: _plain(by.loc[source, k]) for k in keys}

    return {
        "origin": origin,
        "horizon": h,
        "candidate": row(bt.MODEL_SOURCE, pick),
        "climatology": row("climatology", ["brier", "log_loss"]),
        "logistic": row("logistic", ["brier", "log_loss"]),
        "seconds": round(res.wall_seconds, 1),
    }


def _plain(value: Any) -> Any:
    """numpy scalar -> Python scalar (JSON-ready); NaN -> None."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def run_refit(opts: RefitOptions, log: Callable[[str], None]) -> RefitSummary:
    """Run one refit; never raises for expected outcomes: the summary says what happened."""
    from forecast.model.covariates import manifest_data_through
    from forecast.model.fit import fit_model
    from forecast.store import Registry

    started = time.perf_counter()
    summary = RefitSummary(model=opts.name)
    lock = None
    try:
        if opts.keep < 1:
            raise InputError(f"--keep must be at least 1 (the live version), got {opts.keep}")
        lock = _lock(opts.models_dir)
        store = Registry(opts.models_dir)
        summary.live_before = summary.live_after = store.live_version(opts.name)
        panel, data_sha = _load_panel(opts, log)
        cfg = opts.sampler
        log(f"fitting {opts.name} on {len(panel)} alliance-years "
            f"({cfg.chains} chains x {cfg.draws} draws, {cfg.tune} tune)")  # fmt: skip
        fit = fit_model(opts.model, panel, sampler=cfg, data_manifest_sha256=data_sha,
                        data_through=None if opts.raw else manifest_data_through())  # fmt: skip
        summary.candidate = store.save(fit)
        d = fit.diagnostics
        summary.gates = {**d.model_dump(), "failed": list(d.failed_gates)}
        summary.data_hash = data_sha
        log(f"saved candidate {summary.candidate}; gates passed: {summary.gates.get('passed')}")
        if not summary.gates.get("passed"):
            raise _Rejected(
                "diagnostics gates failed: " + ", ".join(summary.gates.get("failed", []))
            )
        live_loo = _loo_of(store, opts.name, summary.live_before)
        loo = fit.manifest.loo
        candidate = {"elpd": loo.elpd if loo else None, "se": loo.se if loo else None,
                     "data_hash": data_sha}  # fmt: skip
        summary.loo = compare_loo(candidate, live_loo, opts.loo_z)
        if not summary.loo["ok"]:
            raise _Rejected(
                f"PSIS-LOO worse than live {summary.live_before} by {-summary.loo['delta']:.1f} "
                f"(> {opts.loo_z} x se {summary.loo['se_delta_approx']:.1f})"
            )
        if opts.backtest_horizon > 0:
            summary.backtest = recent_backtest(panel, opts, log)
            summary.backtest["data_hash"] = summary.data_hash
            _check_backtest(summary, _read_record(opts, summary.live_before), opts)
        store.promote(opts.name, summary.candidate, expect_live=summary.live_before)
        summary.live_after = summary.candidate
        if summary.backtest:
            _write_record(opts, summary.candidate, summary.backtest)
        summary.pruned = store.prune(opts.name, opts.keep)
        _drop_records(opts, summary.pruned)
        _export_diagnostics(fit, panel, opts, summary.candidate, log)
        _snapshot_in_ledger(opts, summary, panel, log)
        summary.status, summary.exit_code = "promoted", 0
        log(f"promoted {summary.candidate} (was {summary.live_before})")
    except LockHeldError as exc:
        summary.status, summary.exit_code = "locked", exc.exit_code
        summary.reasons.append(str(exc))
    except GateFailedError as exc:
        summary.status, summary.exit_code = "rejected", exc.exit_code
        summary.reasons.append(str(exc))
        log(f"rejected: {exc}")
    except ForecastError as exc:
        summary.status, summary.exit_code = (
            ("invalid", exc.exit_code) if isinstance(exc, InputError) else ("error", exc.exit_code)
        )
        summary.reasons.append(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # the summary line must be written whatever failed
        summary.status, summary.exit_code = "error", 1
        summary.reasons.append(f"{type(exc).__name__}: {exc}")
    finally:
        if lock is not None:
            lock.release()
        summary.seconds = round(time.perf_counter() - started, 1)
        _append_history(opts, summary)
    return summary


def _loo_of(store: Any, model: str, version: str | None) -> dict[str, Any] | None:
    """LOO summary and data hash of a stored version (None when there is no version)."""
    if version is None:
        return None
    man = store.manifest(model, version)
    summary = man.get("loo") or {}
    return {"elpd": summary.get("elpd"), "se": summary.get("se"),
            "data_hash": man.get("data_manifest_sha256"), "version": version}  # fmt: skip


def _snapshot_in_ledger(opts: RefitOptions, summary: RefitSummary, panel, log) -> None:
    """Record the promoted version's live forecasts (a ledger failure never undoes a promotion)."""
    if opts.ledger_url is None:
        return
    try:
        from forecast.ledger.snapshot import after_promotion

        n = after_promotion(opts.ledger_url, opts.models_dir, opts.name, summary.candidate, panel)
        log(f"ledger: {n} live forecasts of {summary.candidate} recorded")
    except Exception as exc:  # reported in the summary; the promotion stands
        summary.reasons.append(f"ledger snapshot failed: {type(exc).__name__}: {exc}")


def _check_backtest(summary: RefitSummary, live_record: dict | None, opts: RefitOptions) -> None:
    bt = summary.backtest
    skill = bt["candidate"]["brier_skill"]
    if skill is None or skill < opts.min_brier_skill:
        raise _Rejected(
            f"recent backtest (origin {bt['origin']}, H={bt['horizon']}): Brier skill vs "
            f"climatology {skill} < {opts.min_brier_skill}"
        )
    if (
        live_record
        and live_record.get("origin") == bt["origin"]
        and live_record.get("horizon") == bt["horizon"]
        and live_record.get("data_hash") == summary.data_hash
    ):
        ratio = bt["candidate"]["log_loss"] / live_record["candidate"]["log_loss"]
        bt["log_loss_vs_live"] = ratio
        if ratio > opts.max_log_loss_ratio:
            raise _Rejected(
                f"recent backtest log loss {ratio:.3f} x the live version's "
                f"(> {opts.max_log_loss_ratio})"
            )


def _drop_records(opts: RefitOptions, versions: list[str]) -> None:
    """Delete the refit records of pruned versions."""
    folder = _records_dir(opts)
    for version in versions:
        for path in folder.glob(f"{version}.*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _export_diagnostics(
    fit: Any, panel: Any, opts: RefitOptions, version: str, log: Callable[[str], None]
) -> None:
    """Best effort: the per-chain diagnostics file the notebook reads (never blocks a run)."""
    from forecast.jobs.diagnostics import DIAGNOSTICS_FILE, export_diagnostics

    try:
        path = export_diagnostics(fit, panel, _records_dir(opts) / f"{version}.{DIAGNOSTICS_FILE}")
        log(f"diagnostics written to {path}")
    except Exception as exc:  # diagnostics are a convenience, the promotion stands
        log(f"could not export diagnostics ({type(exc).__name__}: {exc})")


def _append_history(opts: RefitOptions, summary: RefitSummary) -> None:
    """Append the summary to ``<models_dir>/.refit/history.jsonl`` (best effort)."""
    try:
        path = opts.models_dir / RECORDS_DIR / "history.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as fh:
            fh.write(summary.to_json() + "\n")
    except OSError:
        pass
