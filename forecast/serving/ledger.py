"""The forecast ledger as the service holds it: prepared by a child process, read lazily.

At each start the lifespan of ``forecast.api.routes.track_record`` runs
``alliance-forecast ledger seed`` in a short-lived child process (:func:`prepare`):
migrations, the committed backtests recorded and scored once, the live version's forecasts
recorded once. Alembic, the seeding's reads of the panel and the posterior, and their heap
so stay out of the worker, whose forecasts are served meanwhile. Until the child has
finished (:class:`LedgerSlot`), the ledger routes answer 503 saying so; SQLAlchemy is
imported on the first ledger request. A ledger that cannot be prepared leaves the
forecasts served; its routes answer 503 saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from forecast.config import Settings
from forecast.errors import StoreError
from forecast.serving.memory import release_heap

log = logging.getLogger("forecast.serving.ledger")

#: the settings the child process needs, passed through its environment
_CHILD_SETTINGS = ("ledger_url", "ledger_seed_dir", "data_dir", "models_dir", "model")


@dataclass
class LedgerService:
    """A prepared ledger: its engine (opened on first use) and the track record cached
    per ledger version."""

    url: str
    seeded: dict[str, Any]
    _engine: Any = None
    _cache: dict[tuple, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def engine(self) -> Any:
        """The ledger's SQLAlchemy engine (the child process already migrated it)."""
        with self._lock:
            if self._engine is None:
                from forecast.ledger.db import open_ledger

                self._engine = open_ledger(self.url, migrate=False)
            return self._engine

    def track_record(self, kind: str | None = None, model: str | None = None) -> dict:
        """The track record (recomputed only when the ledger grew)."""
        from forecast.ledger.report import track_record, version_tag

        engine = self.engine
        key = (kind, model, version_tag(engine))
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            hit = track_record(engine, kind=kind, model=model)
            with self._lock:
                self._cache = {k: v for k, v in self._cache.items() if k[2] == key[2]}
                self._cache[key] = hit
            release_heap()  # the report's frames
        return hit

    def close(self) -> None:
        """Close the engine's connections (if it was opened)."""
        if self._engine is not None:
            self._engine.dispose()


async def run_child(args: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run ``args`` to completion without blocking the event loop: its exit status, stdout
    and stderr. Cancelling terminates it.

    The child is started by :class:`subprocess.Popen` (vfork or posix_spawn), not by the
    event loop: uvloop's spawn calls fork(), and a fork while another thread is inside an
    OpenBLAS product (the forecast precompute) deadlocks in OpenBLAS's fork handler,
    which hung the whole server at its start."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = await asyncio.to_thread(proc.communicate)
    except asyncio.CancelledError:
        proc.terminate()
        await asyncio.to_thread(proc.wait)
        raise
    return proc.returncode, out, err


async def prepare(settings: Settings) -> LedgerService:
    """Prepare the ledger of ``settings`` in a child process (``alliance-forecast ledger
    seed``); StoreError with the child's error line when it fails. Cancelling stops it
    (each file it records is one transaction, so the next start carries on)."""
    env = {**os.environ}
    for name in _CHILD_SETTINGS:
        env[f"ALLIANCE_FORECAST_{name.upper()}"] = str(getattr(settings, name))
    returncode, out, err = await run_child(
        [sys.executable, "-m", "forecast.cli", "ledger", "seed"], env
    )
    if returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        reason = lines[-1] if lines else "no message"
        raise StoreError(f"preparing the ledger failed (exit {returncode}): {reason}")
    try:
        seeded = json.loads(out.decode().strip().splitlines()[-1])
    except (IndexError, ValueError) as exc:
        raise StoreError(f"preparing the ledger printed no summary ({exc})") from exc
    return LedgerService(settings.ledger_url, seeded)


@dataclass
class LedgerSlot:
    """The start's ledger preparation as an app holds it: the running preparation, then
    the prepared ledger or why it could not be prepared."""

    task: asyncio.Task[None] | None = None
    service: LedgerService | None = None
    error: str | None = None

    async def wait(self, timeout_s: float) -> None:
        """Wait (``timeout_s`` at most) for the preparation, if it still runs."""
        task = self.task
        if task is None or task.done():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), timeout_s)

    def get(self) -> LedgerService:
        """The prepared ledger; StoreError (503) naming why while there is none."""
        if self.service is not None:
            return self.service
        reason = self.error or (
            "the ledger is still being prepared (at a first start the committed backtests "
            "are recorded and scored); retry in a few seconds"
        )
        raise StoreError(f"forecast ledger unavailable: {reason}")

    @property
    def status(self) -> str:
        """``ready``, ``preparing`` or ``unavailable`` (for ``/ready``)."""
        if self.service is not None:
            return "ready"
        return "unavailable" if self.error else "preparing"
