"""The serving path must never load PyMC, PyTensor or ArviZ (checked in a clean process)."""

import subprocess
import sys


def test_serving_modules_do_not_import_the_fitting_stack() -> None:
    code = (
        "import sys\n"
        "import forecast.api, forecast.predict, forecast.store\n"
        "from forecast.predict import Forecaster\n"
        "from forecast.store import Registry\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pymc', 'pytensor', 'arviz', 'arviz_base', 'arviz_stats', 'nutpie'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"serving path imported: {out.stdout.strip()}"
