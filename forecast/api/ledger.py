"""The forecast ledger as the service holds it: opened and seeded at start, cached reads.

Opened in the lifespan of :mod:`forecast.api.routes.track_record` (never at import). A
ledger that cannot be opened leaves the forecasts served; its routes answer 503 saying why.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from forecast.config import Settings
from forecast.errors import StoreError

log = logging.getLogger("forecast.api.ledger")


@dataclass
class LedgerService:
    """An open ledger engine and the track record cached per ledger version."""

    engine: Any
    seeded: dict[str, Any]
    _cache: dict[tuple, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def track_record(self, kind: str | None = None, model: str | None = None) -> dict:
        """The track record (recomputed only when the ledger grew)."""
        from forecast.ledger.report import track_record, version_tag

        key = (kind, model, version_tag(self.engine))
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            hit = track_record(self.engine, kind=kind, model=model)
            with self._lock:
                self._cache = {k: v for k, v in self._cache.items() if k[2] == key[2]}
                self._cache[key] = hit
        return hit


def open_service(settings: Settings, panel: Any = None) -> LedgerService:
    """Open (migrate) the ledger, record the committed backtests once and score them, and
    record the live version's forecasts if that version is not in the ledger yet."""
    from forecast.ledger.db import open_ledger, writer_lock
    from forecast.ledger.seed import ensure_seeded
    from forecast.ledger.snapshot import ensure_live_snapshot

    engine = open_ledger(settings.ledger_url)
    seeded = ensure_seeded(engine, settings.ledger_seed_dir, settings.data_dir, panel)
    with writer_lock(engine):
        seeded["live_recorded"] = ensure_live_snapshot(
            engine, settings.models_dir, settings.data_dir, settings.model
        )
    log.info("ledger ready", extra={"fields": seeded})
    return LedgerService(engine, seeded)


def ledger(request: Request) -> LedgerService:
    """The open ledger; 503 naming the reason when it could not be opened."""
    service = getattr(request.app.state, "ledger", None)
    if isinstance(service, LedgerService):
        return service
    reason = getattr(request.app.state, "ledger_error", None) or "the ledger is still opening"
    raise StoreError(f"forecast ledger unavailable: {reason}")
