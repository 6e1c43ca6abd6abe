"""Route class that rejects query parameters the endpoint does not declare (422)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from forecast.errors import UnknownParameterError


class StrictQueryRoute(APIRoute):
    """An APIRoute whose unknown query parameters are a 422 naming them, not ignored."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        allowed = frozenset(_query_names(self.dependant))

        async def strict_handler(request: Request) -> Response:
            if request.scope["query_string"]:
                unknown = sorted(set(request.query_params.keys()) - allowed)
                if unknown:
                    raise UnknownParameterError(
                        f"unknown query parameter(s) {', '.join(unknown)}; "
                        f"this endpoint accepts: {', '.join(sorted(allowed)) or 'none'}",
                        field=unknown[0],
                        allowed=sorted(allowed),
                    )
            return await handler(request)

        return strict_handler


def _query_names(dependant: Dependant) -> set[str]:
    """Query parameter names of an endpoint and of all its sub-dependencies."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
