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

#: Driver family, unit and meaning of the member-panel covariates (``member_year``).
MEMBER_COVARIATES: dict[str, tuple[str, str, str]] = {
    "cinc_share": ("power", "share (0–1)", "The member's share of the members' CINC at t−1."),
    "milex_share": ("spending", "share (0–1)", "The member's share of the members' military "
                    "spending at t−1."),
    "milex_gdp": ("spending", "% of GDP", "The member's military spending in % of its GDP "
                  "at t−1 (from 1992)."),
    "burden_ratio": ("spending", "ratio", "The member's spending share over its nominal-GDP "
                     "share at t−1 (from 1992)."),
    "polity2": ("domestic", "Polity scale (−10..10)", "The member's polity2 at t−1."),
    "democracy": ("domestic", "indicator (0/1)", "The member is a democracy at t−1."),
    "regime_change": ("domestic", "indicator (0/1)", "The member's regime changed in t−1."),
    "sols_change": ("domestic", "indicator (0/1)", "The member's leader-support coalition "
                    "changed in t−1 (CHISOLS)."),
    "sols_change_nondem": ("domestic", "indicator (0/1)", "The same, for a non-democracy."),
    "irregular_turnover": ("domestic", "indicator (0/1)", "The member's leader entered "
                           "irregularly in t−1."),
    "new_outside_alliance": ("foreign_policy", "alliances (count)", "Alliances the member "
                             "signed in t−1 with a non-member."),
    "n_members": ("design", "members (count)", "Members of the alliance in force at t."),
}  # fmt: skip


def describe(name: str) -> tuple[str, str, str, bool]:
    """(family, unit, description, scenario) of a covariate, an interaction ``a:b`` (the
    family of ``a``; never a scenario input: it follows its parts) or a member covariate."""
    if ":" in name:
        parts = [describe(p) for p in name.split(":")]
        return (
            parts[0][0],
            " × ".join(p[1] for p in parts),
            "Interaction (product) of " + " and ".join(name.split(":")) + ".",
            False,
        )
    entry = registry.BY_NAME.get(name)
    if entry is not None:
        return entry.family, entry.unit, entry.description, entry.scenario
    family, unit, description = MEMBER_COVARIATES.get(name, ("member", "", ""))
    return family, unit, description, True


def family_of(name: str) -> str:
    """Driver group (covariate family) of ``name`` (see :func:`describe`)."""
    return describe(name)[0]


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
        if ":" in n:
            parts = last_observed(panel, tuple(n.split(":")))
            known = [v for v in parts.values() if v is not None]
            out[n] = min(known) if len(known) == len(parts) else None
            continue
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
        family, unit, description, scenario = describe(name)
        out.append(
            CovariateRecord(
                name=name,
                family=family,
                unit=unit,
                description=description,
                kind=s.kind,
                used=s.used,
                reason=s.reason,
                mean=s.mean,
                sd=s.sd,
                lo=s.lo,
                hi=s.hi,
                imputed_share=s.imputed_share,
                data_through=through.get(name, seen[name]),
                scenario=s.used and scenario,
            )
        )
    return out
