"""Registry of the covariate families beyond design and power.

``read_extra`` reads the raw sources those families need (into ``RawBundle.extra``);
``GROUP_BUILDERS`` maps a family name to a function ``(panel, roster, raw) -> columns``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.panel.sources_bundle import RawBundle

GROUP_BUILDERS: dict = {}


def read_extra(raw_dir: Path, bundle: RawBundle) -> dict[str, pd.DataFrame]:
    """Read the covariate sources (filled in family by family)."""
    return {}
