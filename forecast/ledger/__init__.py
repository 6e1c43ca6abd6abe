"""The forecast ledger: every forecast issued for the record, and how it scored.

Append-only tables in a SQL database (SQLite embedded by default, PostgreSQL through the
same ``ALLIANCE_FORECAST_LEDGER_URL``), created and upgraded by the Alembic migrations in
``migrations/``. Modules: ``tables`` (SQLAlchemy models), ``db`` (open + migrate),
``record`` (append forecasts), ``resolve`` (score closed windows), ``report`` (track
record and ledger pages), ``seed`` (first-start import of the committed backtests).
"""
