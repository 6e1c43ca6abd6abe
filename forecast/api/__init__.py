"""HTTP API over the stored posteriors (FastAPI); build it with :func:`create_app`."""

from forecast.api.app import create_app

__all__ = ["create_app"]
