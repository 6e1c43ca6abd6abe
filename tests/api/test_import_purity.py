"""The serving path never imports PyMC, PyTensor or ArviZ, the serving runtime never
imports the HTTP layer, and the ledger's seeding stays out of the worker (checked in a
fresh process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.api.conftest import shipped_store_or_skip

HEAVY = ("pymc", "pytensor", "arviz")


def _run(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.split()


def test_importing_the_api_loads_no_sampler():
    loaded = _run(f"""
        import sys
        import forecast.api, forecast.api.server, forecast.commands.serve
        import forecast.serving.preflight
        from forecast.api import create_app
        create_app()
        print(*[m for m in {HEAVY!r} if m in sys.modules])
    """)
    assert loaded == []


def test_the_serving_runtime_does_not_import_the_http_layer():
    loaded = _run("""
        import pkgutil, sys
        import forecast.serving
        for m in pkgutil.iter_modules(forecast.serving.__path__):
            __import__(f"forecast.serving.{m.name}")
        print(*[m for m in sys.modules if m.startswith(("forecast.api", "fastapi"))])
    """)
    assert loaded == []


def test_serving_a_forecast_loads_no_sampler():
    data, models = shipped_store_or_skip()
    loaded = _run(f"""
        import sys
        from fastapi.testclient import TestClient
        from forecast.api import create_app
        from forecast.config import Settings
        s = Settings(data_dir={str(data)!r}, models_dir={str(models)!r}, reload_poll_s=0)
        with TestClient(create_app(s)) as c:
            assert c.get("/v1/alliances/3180/forecast").status_code == 200
            assert c.post("/v1/forecasts", json={{"atopids": [3180]}}).status_code == 200
        print(*[m for m in {HEAVY!r} if m in sys.modules])
    """)
    assert loaded == []


def test_the_ledger_is_prepared_in_a_child_and_read_on_first_use(tmp_path):
    """Seeding (Alembic, the panel and posterior reads) runs in a child process; the
    worker imports SQLAlchemy only when a ledger route is first asked."""
    data, models = shipped_store_or_skip()
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    loaded = _run(f"""
        import sys
        from fastapi.testclient import TestClient
        from forecast.api import create_app
        from forecast.config import Settings
        from tests.api.conftest import wait_ledger
        s = Settings(data_dir={str(data)!r}, models_dir={str(models)!r}, reload_poll_s=0,
                     ledger_url={url!r}, ledger_wait_s=0)
        with TestClient(create_app(s)) as c:
            early = c.get("/v1/track-record")  # no wait: answered while being prepared
            assert early.status_code == 503, early.text
            assert "still being prepared" in early.json()["error"]["message"]
            assert c.get("/v1/alliances/3180/forecast").status_code == 200
            assert wait_ledger(c) == "ready"
            before = [m for m in ("sqlalchemy", "alembic") if m in sys.modules]
            assert c.get("/v1/track-record").json()["n_scored"] >= 300
            after = [m for m in ("sqlalchemy", "alembic") if m in sys.modules]
        print(",".join(before) or "-", ",".join(after) or "-")
    """)
    assert loaded == ["-", "sqlalchemy"]
