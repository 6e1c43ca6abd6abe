"""Run the API under uvicorn on a listening socket we create ourselves.

uvicorn 0.54 pre-binds the socket it hands to ``--workers N`` processes without
TCP_NODELAY, so every keep-alive response then waits for the peer's delayed ACK (about
40 ms, Nagle). We bind the listener here, set TCP_NODELAY on it (accepted connections
inherit it on Linux) and pass it to uvicorn for one worker or many alike.
"""

from __future__ import annotations

import socket

from forecast.config import Settings

APP = "forecast.api.app:create_app"


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


def serve(settings: Settings) -> None:
    """Serve until interrupted: ``settings.workers`` uvicorn processes on one listener."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        loop=settings.loop,
        access_log=False,  # the app logs every request as JSON, with its request id
        lifespan="on",
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
                raise SystemExit(3)
    finally:
        sock.close()
