"""What each covariate is (family, unit, description, kind, scenario, data_through).

Everything comes from the panel's covariate registry (``forecast.panel.registry``) and
the data manifest's per-covariate ``data_through`` (``forecast.panel.edge``); when the
manifest has no entry (a test panel), ``data_through`` is the last panel year with a
value minus the one-year lag.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.model.design import Scaling
from forecast.model.manifest import CovariateRecord
from forecast.model.spec import ModelSpec
from forecast.panel import registry


def family_of(name: str) -> str:
    """Driver group (covariate family) of ``name`` (``member`` for member-panel inputs)."""
    entry = registry.BY_NAME.get(name)
    return entry.family if entry else "member"


def manifest_data_through(data_dir: Path | None = None) -> dict[str, int]:
    """Covariate -> last year with data, from the data manifest (empty when unavailable)."""
    try:
        from forecast.panel.edge import data_through

        return {k: int(v) for k, v in data_through(data_dir)["covariates"].items() if v}
    except Exception:  # no manifest (a test panel): the panel itself says it
        return {}


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
    data_through: dict[str, int] | None = None,
) -> list[CovariateRecord]:
    """One ``CovariateRecord`` per spec covariate (used or left out, and why)."""
    seen = last_observed(panel, spec.covariates)
    through = data_through or {}
    out = []
    for name in spec.covariates:
        s = scaling[name]
        entry = registry.BY_NAME.get(name)
        out.append(
            CovariateRecord(
                name=name,
                family=family_of(name),
                unit=entry.unit if entry else "",
                description=entry.description if entry else "",
                kind=s.kind,
                used=s.used,
                reason=s.reason,
                mean=s.mean,
                sd=s.sd,
                lo=s.lo,
                hi=s.hi,
                imputed_share=s.imputed_share,
                data_through=through.get(name, seen[name]),
                scenario=s.used and (entry.scenario if entry else True),
            )
        )
    return out
