"""Several uvicorn workers, one service: an admin reload reaches every worker.

``serve --workers N`` gives the workers a private runtime folder
(``ALLIANCE_FORECAST_RUNTIME_DIR``). The worker that answers ``POST /v1/admin/reload``
swaps itself, then writes ``reload-<model>.json`` there; every other worker follows it
within :data:`FOLLOW_EVERY_S` and records what it serves in ``served-<pid>.json``. The
admin call waits (up to :data:`BROADCAST_TIMEOUT_S`) until every live worker has handled
the request, so after it answers, every worker serves the same version.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import BusyError, ForecastError

if TYPE_CHECKING:
    from forecast.serving.holder import ModelHolder

log = logging.getLogger("forecast.serving.workers")

FOLLOW_EVERY_S = 0.25
BROADCAST_TIMEOUT_S = 60.0


def _write_atomic(path: Path, obj: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj))
    os.replace(tmp, path)


def _read(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerGroup:
    """This worker's view of its siblings through the shared runtime folder."""

    def __init__(self, runtime_dir: Path) -> None:
        self.dir = runtime_dir
        self.pid = os.getpid()
        self._handled: dict[str, int] = {}  # model -> last request seq handled here
        for path in self.dir.glob("reload-*.json"):  # requests older than this worker
            seq = _read(path).get("seq")
            if isinstance(seq, int):
                self._handled[path.stem.removeprefix("reload-")] = seq

    def _status_path(self, pid: int) -> Path:
        return self.dir / f"served-{pid}.json"

    def report(self, holder: ModelHolder) -> None:
        """Record which version of each model this worker serves."""
        _write_atomic(
            self._status_path(self.pid),
            {
                "pid": self.pid,
                "served": {n: holder.served_version(n) for n in holder.names()},
                "handled": self._handled,
            },
        )

    def broadcast(self, model: str, version: str | None, force: bool) -> dict[str, Any]:
        """Ask every other worker to reload ``model``; wait until all have (pid -> version)."""
        seq = time.time_ns()
        self._handled[model] = seq
        _write_atomic(
            self.dir / f"reload-{model}.json",
            {"seq": seq, "origin": self.pid, "force": force},
        )
        deadline = time.monotonic() + BROADCAST_TIMEOUT_S
        while True:
            statuses = self._siblings()
            pending = [
                pid for pid, st in statuses.items() if (st.get("handled") or {}).get(model, 0) < seq
            ]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(FOLLOW_EVERY_S / 2)
        out = {str(pid): (st.get("served") or {}).get(model) for pid, st in statuses.items()}
        out[str(self.pid)] = version
        if pending:
            log.error(
                "workers did not follow the reload in time",
                extra={"fields": {"model": model, "pending": pending}},
            )
        return out

    def _siblings(self) -> dict[int, dict[str, Any]]:
        out = {}
        for path in self.dir.glob("served-*.json"):
            st = _read(path)
            pid = st.get("pid")
            if isinstance(pid, int) and pid != self.pid and _alive(pid):
                out[pid] = st
        return out

    def follow_once(self, holder: ModelHolder) -> None:
        """Handle reload requests written by sibling workers, then report."""
        for path in self.dir.glob("reload-*.json"):
            req = _read(path)
            model = path.stem.removeprefix("reload-")
            seq = req.get("seq")
            if not isinstance(seq, int) or seq <= self._handled.get(model, 0):
                continue
            if req.get("origin") != self.pid:
                try:
                    holder.reload(model, force=bool(req.get("force")))
                except BusyError:
                    continue  # finish the running reload first; retried next tick
                except ForecastError as exc:
                    log.error(
                        "reload requested by a sibling worker failed",
                        extra={"fields": {"model": model, "error": exc.message}},
                    )
            self._handled[model] = seq
        self.report(holder)

    async def follow(self, holder: ModelHolder) -> None:
        """Background task: follow sibling reload requests until cancelled."""
        self.report(holder)
        while True:
            await asyncio.sleep(FOLLOW_EVERY_S)
            try:
                await asyncio.to_thread(self.follow_once, holder)
            except Exception:
                log.exception("following sibling reloads failed")

    def close(self) -> None:
        """Remove this worker's status file and mark its metrics dead."""
        with contextlib.suppress(OSError):
            self._status_path(self.pid).unlink()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(self.pid)


def from_environment() -> WorkerGroup | None:
    """The worker group when running under ``serve --workers N`` (N > 1), else None."""
    runtime = os.environ.get("ALLIANCE_FORECAST_RUNTIME_DIR")
    return WorkerGroup(Path(runtime)) if runtime and Path(runtime).is_dir() else None
