"""Request ids, access logs and request metrics (one pure ASGI middleware), and the body limit.

A pure ASGI middleware (not ``BaseHTTPMiddleware``) keeps the per-request cost to a few
microseconds, which matters for the throughput goal of the forecast endpoint.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forecast.serving.telemetry import Metrics

log = logging.getLogger("forecast.api.access")


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
