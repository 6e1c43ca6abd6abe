"""Exception hierarchy: every error a user can meet says what was wrong and how to fix it."""

from __future__ import annotations


class ForecastError(Exception):
    """Base class for errors raised by alliance-forecast."""

    #: Process exit code used by the CLI for this kind of error.
    exit_code: int = 1


class InputError(ForecastError):
    """Bad input or configuration supplied by the user (CLI exit code 2)."""

    exit_code = 2


class DataValidationError(InputError):
    """A raw or derived dataset failed validation: names file, column and offending rows."""


class StoreError(ForecastError):
    """The posterior store is missing, corrupt, or does not match the current code."""

    exit_code = 2


class GateFailedError(ForecastError):
    """A fit failed a diagnostics gate or lost a comparison; nothing was promoted (exit 3)."""

    exit_code = 3


class LockHeldError(ForecastError):
    """Another refit holds the lock (exit 3: nothing changed)."""

    exit_code = 3
