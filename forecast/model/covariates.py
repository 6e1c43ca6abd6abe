"""What each covariate is (family, unit, description, data_through) for manifests and the API.

The names, families and units come from the panel's documentation (``data/README.md``
column tables, ``forecast.panel.columns.COVARIATE_GROUPS``); ``data_through`` is the
last year whose source data a covariate's values reflect (the last panel year with a
value, minus the one-year lag), unless the data manifest states it per family.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast.model.design import Scaling
from forecast.model.manifest import CovariateRecord
from forecast.model.spec import ModelSpec
from forecast.panel import columns as C

README = Path(__file__).resolve().parents[2] / "data" / "README.md"
_ROW = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|(.*)$")


def family_of(name: str) -> str:
    """Driver group (covariate family) of ``name``."""
    for group, cols in C.COVARIATE_GROUPS.items():
        if name in cols:
            return group
    return "member"


@lru_cache(maxsize=1)
def documented() -> dict[str, tuple[str, str]]:
    """name -> (unit, description) from the column tables of ``data/README.md``."""
    out: dict[str, tuple[str, str]] = {}
    if not README.is_file():
        return out
    for line in README.read_text().splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).strip().strip("|").split("|")]
        if len(cells) >= 3:
            out.setdefault(m.group(1), (cells[2], cells[0]))
    return out


def last_observed(panel: pd.DataFrame, names: tuple[str, ...]) -> dict[str, int | None]:
    """Last year of source data behind each covariate (last panel year with a value - 1)."""
    out: dict[str, int | None] = {}
    for n in names:
        years = panel.loc[panel[n].notna(), "year"] if n in panel else pd.Series(dtype=int)
        out[n] = int(years.max()) - 1 if len(years) else None
    return out


def covariate_records(
    spec: ModelSpec,
    scaling: dict[str, Scaling],
    panel: pd.DataFrame,
    family_through: dict[str, int] | None = None,
) -> list:
    """One ``CovariateRecord`` per spec covariate (used or left out, and why)."""
    docs = documented()
    seen = last_observed(panel, spec.covariates)
    out = []
    for name in spec.covariates:
        s = scaling[name]
        unit, desc = docs.get(name, ("", ""))
        fam = family_of(name)
        through = seen[name]
        if family_through and fam in family_through and through is not None:
            through = min(through, int(family_through[fam]))
        out.append(
            CovariateRecord(
                name=name,
                family=fam,
                unit=unit,
                description=desc,
                kind=s.kind,
                used=s.used,
                reason=s.reason,
                mean=s.mean,
                sd=s.sd,
                lo=s.lo,
                hi=s.hi,
                imputed_share=s.imputed_share,
                data_through=through,
                scenario=s.used,
            )
        )
    return out
