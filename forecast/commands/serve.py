"""``alliance-forecast serve``: the HTTP API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the root app."""

    @app.command()
    def serve(
        host: Annotated[
            str | None, typer.Option(help="Listen address (default: setting host).")
        ] = None,
        port: Annotated[int | None, typer.Option(help="TCP port (default: setting port).")] = None,
        workers: Annotated[
            int | None, typer.Option(min=1, help="Worker processes (default: setting workers).")
        ] = None,
    ) -> None:
        """Serve forecasts over HTTP from the shipped data/ and the live models/ version."""
        import os

        from forecast.api.server import serve as run_server
        from forecast.config import Settings
        from forecast.serving.preflight import check_store

        overrides = {"host": host, "port": port, "workers": workers}
        for key, value in overrides.items():
            if value is not None:  # uvicorn workers rebuild settings from the environment
                os.environ[f"ALLIANCE_FORECAST_{key.upper()}"] = str(value)
        settings = Settings()
        check_store(settings)  # one clear line and exit 2 when the store is missing/invalid
        run_server(settings)
