"""The serving runtime: what a worker loads, holds and swaps, apart from HTTP.

``service`` loads everything at start (data check, catalog, panel, served models);
``holder`` keeps each served model and swaps versions atomically; ``core`` is the seam
to the store and the forecaster; ``fastlane`` answers precomputed baselines before
routing; ``workers`` carries reloads across ``serve --workers N``; ``memory`` tunes and
trims the process heap; ``ledger`` prepares the forecast ledger in a child process;
``budget`` bounds scenario batches; ``telemetry`` holds the metrics and JSON logs;
``preflight`` and ``datacheck`` are ``serve``'s checks before uvicorn starts. Nothing here
imports ``forecast.api`` (the HTTP layer) or PyMC (``tests/api/test_import_purity.py``).
"""
