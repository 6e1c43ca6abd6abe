"""Paths and settings shared by every stage, read from the environment.

Every setting can be overridden with an environment variable named
``ALLIANCE_FORECAST_<FIELD>`` (for example ``ALLIANCE_FORECAST_MODELS_DIR``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = REPO_ROOT.parent / "shared" / "data" / "raw"
DEFAULT_DATA_DIR = REPO_ROOT / "data"
DEFAULT_MODELS_DIR = REPO_ROOT / "models"

#: Last day covered by ATOP v4.01: every alliance in force then is right-censored.
DATA_END_YEAR = 2016


class Settings(BaseSettings):
    """Runtime settings (env prefix ``ALLIANCE_FORECAST_``)."""

    model_config = SettingsConfigDict(env_prefix="ALLIANCE_FORECAST_", extra="ignore")

    raw_dir: Path = Field(DEFAULT_RAW_DIR, description="Folder of raw source datasets.")
    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Folder of the built panel + manifest.")
    models_dir: Path = Field(DEFAULT_MODELS_DIR, description="Posterior store root.")
    model: str = Field("full", description="Model served by default.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
