"""Run the API under uvicorn on a listening socket we create ourselves, with HTTP limits.

uvicorn 0.54 pre-binds the socket it hands to ``--workers N`` processes without
TCP_NODELAY, so every keep-alive response then waits for the peer's delayed ACK (about
40 ms, Nagle). We bind the listener here, set TCP_NODELAY on it (accepted connections
inherit it on Linux) and pass it to uvicorn for one worker or many alike.

uvicorn's httptools protocol has no limit on the size of a request head and no timeout
for a client that never finishes one; :class:`LimitedHttpProtocol` adds both (431, and
closing the connection). Open connections per worker are bounded by
``limit_concurrency`` (503 beyond it), and uvicorn's own log lines are JSON.

With several workers, ``serve`` gives them a private runtime folder: Prometheus'
multiprocess files (``/metrics`` adds up every worker) and the admin reload broadcast
(:mod:`forecast.serving.workers`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from forecast.config import Settings

APP = "forecast.api.server:serving_app"


def serving_app() -> Any:
    """uvicorn's app factory in every serving process: the process's memory settings
    (:func:`forecast.serving.memory.configure_process`), then :func:`create_app`."""
    from forecast.serving.memory import configure_process

    configure_process()
    from forecast.api.app import create_app

    return create_app()


class LimitedHttpProtocol(HttpToolsProtocol):
    """httptools protocol with a request-head size cap (431) and a head timeout.

    The limits come from the settings of the process (``max_header_bytes``,
    ``header_timeout_s``), which every worker reads from the same environment.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        from forecast.config import get_settings

        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout_s = settings.header_timeout_s
        super().connection_made(transport)
        self._head_bytes = 0
        self._in_head = True
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self.transport.close()  # the client never finished its request head

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:  # count the head only (a body may follow in the same chunk)
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4
            if self._head_bytes > self.max_head_bytes:
                self._too_large_head()
                return
        super().data_received(data)

    def _too_large_head(self) -> None:
        body = (
            b'{"error":{"status":431,"code":"header_too_large","message":"request line and '
            b"headers exceed %d bytes; send fewer or smaller headers"
            b'","field":"headers","allowed":{"max_bytes":%d}}}'
            % (self.max_head_bytes, self.max_head_bytes)
        )
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/json\r\nconnection: close\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(body), body)
        )
        self._in_head = False
        self._cancel_head_timer()
        self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._in_head = True  # the next request's head is timed and capped again
            self._arm_head_timer()


def bind_listener(host: str, port: int, nodelay: bool = True) -> socket.socket:
    """A bound, inheritable TCP listener (TCP_NODELAY set unless ``nodelay`` is False)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's loggers (and Python warnings) as JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    quiet = {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "forecast.serving.telemetry.JsonFormatter"}},
        "handlers": {"stderr": handler},
        "loggers": {"uvicorn": quiet, "uvicorn.access": quiet, "py.warnings": quiet},
    }


def serve(settings: Settings) -> None:
    """Serve until interrupted: ``settings.workers`` uvicorn processes on one listener."""
    import logging

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    logging.captureWarnings(True)  # numpy RuntimeWarnings become JSON log lines
    runtime = None
    if settings.workers > 1:
        runtime = tempfile.mkdtemp(prefix="alliance-forecast-")
        os.makedirs(os.path.join(runtime, "metrics"))
        os.environ["ALLIANCE_FORECAST_RUNTIME_DIR"] = runtime
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(runtime, "metrics")
    config = uvicorn.Config(
        APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=log_config(settings.log_level),
        loop=settings.loop,
        http=LimitedHttpProtocol,
        access_log=False,  # the app logs every request as JSON, with its request id
        lifespan="on",
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=int(max(1, settings.keep_alive_s)),
        timeout_graceful_shutdown=10,
    )
    sock = bind_listener(settings.host, settings.port, settings.tcp_nodelay)
    try:
        if settings.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server = uvicorn.Server(config)
            server.run(sockets=[sock])
            if not server.started:
                raise SystemExit(2)  # the lifespan refused the store (logged as one line)
    finally:
        sock.close()
        if runtime is not None:
            shutil.rmtree(runtime, ignore_errors=True)
