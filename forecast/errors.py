"""One error tree: every error a user can meet says what was wrong and how to fix it.

Each class is mapped to its HTTP status, machine code and CLI exit code in ONE table,
:data:`ERROR_TABLE`; the API's single exception handler and the CLI both read it::

    ForecastError                      500 internal            exit 1
    ├── InputError                     422 invalid             exit 2
    │   ├── DataValidationError        422 invalid_data        exit 2
    │   ├── UnknownParameterError      422 unknown_parameter   exit 2
    │   ├── NotFoundError              404 not_found           exit 2
    │   ├── TooLargeError              413 too_large           exit 2
    │   └── UnauthorizedError          401 unauthorized        exit 2
    ├── NotInForceError                409 not_in_force        exit 2
    ├── NotForecastableError           409 not_forecastable    exit 2
    ├── BusyError                      429 busy                exit 3
    ├── AdminDisabledError             503 admin_disabled      exit 2
    ├── StoreError                     503 store_unavailable   exit 2
    │   └── ReloadFailedError          409 reload_failed       exit 2
    ├── GateFailedError                409 gate_failed         exit 3
    └── LockHeldError                  409 locked              exit 3

Domain code raises these (never HTTP types); ``field``/``allowed``/``extra`` travel to the
JSON error envelope of the API.
"""

from __future__ import annotations

from typing import Any


class ForecastError(Exception):
    """Base class for errors raised by alliance-forecast."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        allowed: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.allowed = allowed
        self.extra = extra or {}

    @property
    def http_status(self) -> int:
        """HTTP status the API answers for this error (from :data:`ERROR_TABLE`)."""
        return _row(type(self))[0]

    @property
    def code(self) -> str:
        """Machine-readable error code of the API envelope."""
        return _row(type(self))[1]

    @property
    def exit_code(self) -> int:
        """Process exit code the CLI uses for this error."""
        return _row(type(self))[2]


class InputError(ForecastError):
    """Bad input or configuration supplied by the user."""


class DataValidationError(InputError):
    """A raw or derived dataset failed validation: names file, column and offending rows."""


class UnknownParameterError(InputError):
    """A query parameter the endpoint does not declare (a typo is never ignored)."""


class NotFoundError(InputError):
    """An identifier (alliance, model, version) that does not exist."""


class TooLargeError(InputError):
    """A request over a size or cost limit (split it)."""


class UnauthorizedError(InputError):
    """Missing or wrong credentials for an admin action."""


class NotInForceError(ForecastError):
    """The alliance already ended: no forecast exists."""


class NotForecastableError(ForecastError):
    """The model cannot forecast this alliance (e.g. no at-risk row at as_of)."""


class BusyError(ForecastError):
    """The server is at its limit for this kind of work; retry later (nothing changed)."""


class AdminDisabledError(ForecastError):
    """Admin endpoints are off because no admin token is configured."""


class StoreError(ForecastError):
    """The posterior store or data folder is missing, corrupt, or does not match the code."""


class ReloadFailedError(StoreError):
    """A newly live version could not be loaded; the previous one keeps serving."""


class GateFailedError(ForecastError):
    """A fit failed a diagnostics gate or lost a comparison; nothing was promoted."""


class LockHeldError(ForecastError):
    """Another refit or store change holds the lock (nothing changed)."""


#: class -> (HTTP status, API code, CLI exit code); subclasses inherit the nearest row.
ERROR_TABLE: dict[type[ForecastError], tuple[int, str, int]] = {
    ForecastError: (500, "internal", 1),
    InputError: (422, "invalid", 2),
    DataValidationError: (422, "invalid_data", 2),
    UnknownParameterError: (422, "unknown_parameter", 2),
    NotFoundError: (404, "not_found", 2),
    TooLargeError: (413, "too_large", 2),
    UnauthorizedError: (401, "unauthorized", 2),
    NotInForceError: (409, "not_in_force", 2),
    NotForecastableError: (409, "not_forecastable", 2),
    BusyError: (429, "busy", 3),
    AdminDisabledError: (503, "admin_disabled", 2),
    StoreError: (503, "store_unavailable", 2),
    ReloadFailedError: (409, "reload_failed", 2),
    GateFailedError: (409, "gate_failed", 3),
    LockHeldError: (409, "locked", 3),
}


def _row(cls: type[ForecastError]) -> tuple[int, str, int]:
    for klass in cls.__mro__:
        if klass in ERROR_TABLE:
            return ERROR_TABLE[klass]  # type: ignore[index]
    return ERROR_TABLE[ForecastError]
