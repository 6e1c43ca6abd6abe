"""What the serving runtime reports: Prometheus metrics and JSON log lines.

One :class:`Metrics` per app (requests and latencies are counted by the HTTP middleware
in :mod:`forecast.api.observability`; the served model and its reloads by
:class:`forecast.serving.holder.ModelHolder`), and ``forecast.*`` logs as JSON lines.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The service's Prometheus collectors, in their own registry (one per app).

    Under ``serve --workers N`` (``PROMETHEUS_MULTIPROC_DIR`` set by ``serve``) the values
    live in Prometheus' multiprocess files and :meth:`exposition` adds up every worker;
    ``model_info`` then carries a ``pid`` label per live worker.
    """

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self._model_labels: set[tuple[str, str, str]] = set()
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "alliance_forecast_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "alliance_forecast_http_request_duration_seconds",
            "Time from request start to the last body byte, by route template.",
            ("route",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.model_info = Gauge(
            "alliance_forecast_model_info",
            "1 for the model version being served.",
            ("model", "version", "data_manifest_sha256"),
            registry=self.registry,
            multiprocess_mode="liveall",
        )
        self.model_loaded = Gauge(
            "alliance_forecast_model_loaded_timestamp_seconds",
            "Unix time the served version was loaded.",
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        self.reloads = Counter(
            "alliance_forecast_model_reloads",
            "Model reload attempts, by outcome.",
            ("outcome",),
            registry=self.registry,
        )

    def set_model(
        self,
        name: str,
        version: str,
        data_sha: str | None,
        loaded_at: float,
    ) -> None:
        """Point the model-info gauge at the version now served (the previous one: 0)."""
        if self.multiprocess:  # the files keep old series: zero them instead of removing
            for labels in self._model_labels:
                self.model_info.labels(*labels).set(0)
        else:
            self.model_info.clear()
        labels = (name, version, data_sha or "")
        self._model_labels.add(labels)
        self.model_info.labels(*labels).set(1)
        self.model_loaded.set(loaded_at)

    def exposition(self) -> bytes:
        """The text exposition of every collector (all workers in multiprocess mode)."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)


class JsonFormatter(logging.Formatter):
    """One JSON object per log line; extra fields given as ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 6),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: str) -> None:
    """Send ``forecast.*`` logs to stderr as JSON lines (idempotent)."""
    root = logging.getLogger("forecast")
    root.setLevel(level.upper())
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.propagate = False
