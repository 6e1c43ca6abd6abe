"""A cache in front of the router for the hottest request: a precomputed baseline.

``GET /v1/alliances/{atopid}/forecast`` with no query or only ``?horizon=N`` is answered
from the served model's pre-serialised JSON bytes without routing or parameter parsing.
Anything else (other parameters, a model name, an ended or unknown alliance, a bad
horizon, baselines not yet precomputed) falls through to the normal route, which
validates and answers errors; so the lane changes speed, never answers.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from starlette.types import ASGIApp, Receive, Scope, Send

from forecast.serving.holder import Baselines

PREFIX, SUFFIX = "/v1/alliances/", "/forecast"
ROUTE = SimpleNamespace(path=PREFIX + "{atopid}" + SUFFIX)  # the label metrics record
DEFAULT_HORIZON = 10
_JSON = (b"content-type", b"application/json")


def _horizon(query: bytes) -> int | None:
    if not query:
        return DEFAULT_HORIZON
    if query.startswith(b"horizon="):
        value = query[8:]
        if value.isdigit() and len(value) <= 2:
            return int(value)
    return None


class FastLane:
    """ASGI middleware serving precomputed baselines of the default model."""

    def __init__(self, app: ASGIApp, baselines: Callable[[], Baselines | None]) -> None:
        self.app = app
        self.baselines = baselines  # the default model's bodies (None before the start)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith(PREFIX) and path.endswith(SUFFIX):
                body = self._lookup(path[len(PREFIX) : -len(SUFFIX)], scope["query_string"])
                if body is not None:
                    scope["route"] = ROUTE
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [_JSON, (b"content-length", b"%d" % len(body))],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _lookup(self, atopid: str, query: bytes) -> bytes | None:
        if not (atopid.isascii() and atopid.isdigit() and len(atopid) <= 5):
            return None
        horizon = _horizon(query)
        bodies = self.baselines() if horizon is not None else None
        return None if bodies is None else bodies.get((int(atopid), horizon))
