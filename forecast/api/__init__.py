"""HTTP API over the stored posteriors (FastAPI); build it with :func:`create_app`.

``create_app`` is imported on first use, so ``forecast.serving.preflight`` and
``forecast.api.server`` can be imported by ``serve`` without FastAPI, numpy or pandas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from forecast.api.app import create_app

        return create_app
    raise AttributeError(name)
