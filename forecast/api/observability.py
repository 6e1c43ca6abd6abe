"""Request ids, structured JSON logs and Prometheus metrics (one pure ASGI middleware).

A pure ASGI middleware (not ``BaseHTTPMiddleware``) keeps the per-request cost to a few
microseconds, which matters for the throughput goal of the forecast endpoint.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("forecast.api.access")

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


class ObservabilityMiddleware:
    """Give each request an id (``X-Request-ID``, echoed), count it, time it, log it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # answered here, inside the middleware, so the 500 carries X-Request-ID and
            # the log line its request_id (Starlette's outer handler would lose both)
            log.exception(
                "unhandled error",
                extra={"fields": {"request_id": request_id, "path": scope["path"]}},
            )
            if not started:
                await _send_json(
                    send_with_id,
                    500,
                    {
                        "error": {
                            "status": 500,
                            "code": "internal",
                            "message": "internal error; quote the X-Request-ID header "
                            f"({request_id}) when reporting it",
                            "field": None,
                            "allowed": None,
                        }
                    },
                )
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], template, str(status)).inc()
            self.metrics.latency.labels(template).observe(elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "request_id": request_id,
                            "method": scope["method"],
                            "path": scope["path"],
                            "route": template,
                            "status": status,
                            "ms": round(elapsed * 1000, 3),
                        }
                    },
                )


def _incoming_request_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            text = value.decode("latin-1")[:64]
            if text.isprintable() and text:
                return text
    return None


class BodyLimitMiddleware:
    """Read a request body in full before the app sees it: 413 over ``max_bytes`` (declared
    or chunked), 408 when it does not arrive within ``timeout_s``."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 20.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
        try:
            body = await asyncio.wait_for(self._read(receive), self.timeout_s)
        except _BodyTooLarge:
            await _too_large(send, self.max_bytes)
            return
        except TimeoutError:
            await _send_json(
                send,
                408,
                {
                    "error": {
                        "status": 408,
                        "code": "timeout",
                        "message": f"request body not received within {self.timeout_s:g} s",
                        "field": "body",
                        "allowed": None,
                    }
                },
                close=True,
            )
            return
        if body is None:  # the client went away
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _BodyTooLarge
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)


class _BodyTooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, obj: Any, close: bool = False) -> None:
    body = json.dumps(obj).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    await _send_json(
        send,
        413,
        {
            "error": {
                "status": 413,
                "code": "too_large",
                "message": f"request body larger than {limit} bytes; split it into smaller batches",
                "field": "body",
                "allowed": {"max_bytes": limit},
            }
        },
        close=True,
    )
