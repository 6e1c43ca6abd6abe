"""The diagnostics notebook executes headless, top to bottom, on the shipped live model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "diagnostics.ipynb"

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _live_model_or_skip() -> None:
    from forecast.config import get_settings
    from forecast.store import Registry

    settings = get_settings()
    if not (settings.data_dir / "alliance_year.parquet").is_file():
        pytest.skip("no shipped panel in data/; run `alliance-forecast data build`")
    if Registry(settings.models_dir).live_version("full") is None:
        pytest.skip(f"no live 'full' model in {settings.models_dir}")


def test_notebook_defines_no_model_logic():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import pymc" not in source and "def " not in source and "class " not in source
    assert "from forecast" in source


def test_notebook_executes_on_the_shipped_model(tmp_path: Path):
    import nbformat
    from nbclient import NotebookClient

    _live_model_or_skip()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env_backup = dict(os.environ)
    os.environ.setdefault("PYTENSOR_FLAGS", f"compiledir={tmp_path / 'pytensor'}")
    try:
        client = NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "expected the PPC, forest and reliability figures at least"
    text = "\n".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "trained" in text
