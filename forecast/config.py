"""Paths and settings shared by every stage, read from the environment.

Every setting can be overridden with an environment variable named
``ALLIANCE_FORECAST_<FIELD>`` (for example ``ALLIANCE_FORECAST_MODELS_DIR``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = REPO_ROOT.parent / "shared" / "data" / "raw"
DEFAULT_DATA_DIR = REPO_ROOT / "data"
DEFAULT_MODELS_DIR = REPO_ROOT / "models"
#: The embedded forecast ledger (git-ignored); PostgreSQL through the same setting.
DEFAULT_LEDGER_URL = f"sqlite:///{REPO_ROOT / 'var' / 'ledger.sqlite'}"
#: Committed rolling-origin backtest forecasts (contract CSVs) the ledger is seeded from.
DEFAULT_LEDGER_SEED_DIR = REPO_ROOT / "data" / "track-record"


class Settings(BaseSettings):
    """Runtime settings (env prefix ``ALLIANCE_FORECAST_``)."""

    model_config = SettingsConfigDict(env_prefix="ALLIANCE_FORECAST_", extra="ignore")

    raw_dir: Path = Field(DEFAULT_RAW_DIR, description="Folder of raw source datasets.")
    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Folder of the built panel + manifest.")
    models_dir: Path = Field(DEFAULT_MODELS_DIR, description="Posterior store root.")
    model: str = Field("full", description="Model served by default.")
    ledger_url: str = Field(
        DEFAULT_LEDGER_URL,
        description="SQLAlchemy URL of the forecast ledger: sqlite:///path (default, embedded) "
        "or postgresql+psycopg://user@host/db.",
    )
    ledger_seed_dir: Path = Field(
        DEFAULT_LEDGER_SEED_DIR,
        description="Committed backtest forecasts recorded in the ledger at first start.",
    )
    ledger_wait_s: float = Field(
        60.0,
        ge=0,
        le=600,
        description="How long a ledger request made while the ledger is still being prepared "
        "at start waits for it before answering 503.",
    )

    # --- service (forecast.api, `alliance-forecast serve`) ---
    host: str = Field("127.0.0.1", description="Address the API server listens on.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port of the API server.")
    workers: int = Field(1, ge=1, le=64, description="Uvicorn worker processes.")
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token for /v1/admin/*; admin endpoints answer 503 when it is "
        "unset or empty.",
    )
    max_batch: int = Field(200, ge=1, description="Most forecasts in one POST /v1/forecasts (413).")
    max_body_bytes: int = Field(
        262_144, ge=1024, description="Largest request body accepted (413)."
    )
    max_header_bytes: int = Field(
        16_384, ge=1024, description="Largest request head (request line + headers) (431)."
    )
    header_timeout_s: float = Field(
        20.0, gt=0, description="Seconds a client has to send a complete request head."
    )
    body_timeout_s: float = Field(
        20.0, gt=0, description="Seconds a client has to send a complete request body (408)."
    )
    keep_alive_s: float = Field(5.0, gt=0, description="Idle keep-alive connection lifetime.")
    max_connections: int = Field(
        512, ge=1, description="Open connections per worker before new requests get 503."
    )
    scenario_concurrency: int = Field(
        1, ge=1, description="Scenario batches computed at once per worker (more: 429)."
    )
    max_scenario_cells: int = Field(
        600, ge=1, description="Most alliances x horizon years in one scenario batch (413)."
    )
    max_response_bytes: int = Field(
        2_000_000, ge=10_000, description="Largest batch response body (413: split it)."
    )
    reload_poll_s: float = Field(
        2.0, ge=0, description="Seconds between checks of the live pointer; 0 disables watching."
    )
    tcp_nodelay: bool = Field(
        True, description="Set TCP_NODELAY on the listening socket (avoids ~40 ms Nagle stalls)."
    )
    log_level: str = Field("info", description="Log level of the service (JSON lines on stderr).")
    loop: Literal["auto", "asyncio", "uvloop"] = Field(
        "auto", description="Event loop of the server (auto: uvloop when installed)."
    )

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        """An empty (or blank) token disables admin; it never means "no secret"."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str) and not value.strip():
            return None
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
