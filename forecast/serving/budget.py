"""The CPU and size budget of scenario batches (``POST /v1/forecasts`` with a scenario).

A scenario forecast is computed per draw for every alliance and horizon year, so one
small request can cost seconds of CPU. Three limits keep a flood of them from stalling
every other request: at most ``scenario_concurrency`` batches are computed at once per
worker (more: 429 with ``Retry-After``), at most ``max_scenario_cells`` alliances x horizon
years per batch (413), and at most ``max_response_bytes`` per answer (413).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from typing import Any

from forecast.errors import BusyError, InputError, TooLargeError

RETRY_AFTER_S = 2


class ScenarioBudget:
    """Concurrency slots for scenario batches in one worker (never queued: 429 at once)."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot while computing, or raise BusyError (429)."""
        if not self._slots.acquire(blocking=False):
            raise BusyError(
                f"{self.concurrency} scenario batch(es) are being computed; retry in "
                f"{RETRY_AFTER_S} s or send fewer alliances per batch",
                field="scenario",
                extra={"retry_after_s": RETRY_AFTER_S},
            )
        try:
            yield
        finally:
            self._slots.release()


def check_cells(n_alliances: int, horizon: int, limit: int) -> None:
    """TooLargeError when alliances x horizon years exceed ``limit``."""
    cells = n_alliances * horizon
    if cells > limit:
        raise TooLargeError(
            f"scenario batch of {n_alliances} alliances x {horizon} years = {cells}; the "
            f"limit is {limit}: send at most {max(1, limit // horizon)} alliances at this "
            "horizon per request",
            field="atopids",
            allowed={"max_alliances_x_horizon": limit},
        )


def check_size(body: bytes, limit: int) -> bytes:
    """``body``, or TooLargeError when it exceeds ``limit`` bytes."""
    if len(body) > limit:
        raise TooLargeError(
            f"the answer would be {len(body)} bytes; the limit is {limit}: split the batch",
            field="atopids",
            allowed={"max_response_bytes": limit},
        )
    return body


def check_finite(rendered: dict[str, Any], atopid: int) -> None:
    """InputError (422) when a scenario pushed the model to overflow: a null probability
    in the scenario or in its difference from the baseline."""
    values = [
        v
        for kind in ("scenario", "difference")
        for v in (rendered[kind].get("p_persist") or {}).values()
    ]
    if any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in values):
        raise InputError(
            f"scenario: the change is too large for the model (alliance {atopid}: "
            "probabilities overflow); use values in the covariate's observed range",
            field="scenario.overrides",
        )
