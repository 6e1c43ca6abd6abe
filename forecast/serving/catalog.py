"""The alliance catalog the API lists and filters: ATOP alliances with readable labels.

Built once per process from ``forecast.panel.load_alliances`` and
``load_alliance_members``; every summary is a plain dict computed at load time, so a
listing request only filters and slices.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from forecast.errors import InputError, NotFoundError, NotInForceError
from forecast.panel.columns import OBLIGATION_TYPES


def _none_if_nan(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalar -> Python
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _int_or_none(value: Any) -> int | None:
    value = _none_if_nan(value)
    return None if value is None else int(value)


def _str_or_none(value: Any) -> str | None:
    value = _none_if_nan(value)
    return None if value in (None, "") else str(value)


@dataclass(frozen=True)
class Catalog:
    """Alliances (summaries and details) and a member index, all immutable after build."""

    summaries: dict[int, dict[str, Any]]
    details: dict[int, dict[str, Any]]
    member_ccodes: dict[int, frozenset[int]]  # atopid -> every ccode ever a member
    member_index: dict[str, int] = field(repr=False)  # lower-cased code/ISO3/name -> ccode
    member_names: dict[int, str] = field(repr=False)

    # ---- lookups -------------------------------------------------------------------
    def summary(self, atopid: int) -> dict[str, Any]:
        """Summary of one alliance; 404 naming the id when unknown."""
        try:
            return self.summaries[atopid]
        except KeyError:
            raise NotFoundError(
                f"unknown atopid {atopid!r}: list alliances at GET /v1/alliances", field="atopid"
            ) from None

    def detail(self, atopid: int) -> dict[str, Any]:
        """Full record of one alliance (members over time); 404 when unknown."""
        self.summary(atopid)
        return self.details[atopid]

    def resolve_member(self, text: str, field_name: str = "member") -> int:
        """COW code, ISO3/COW abbreviation or country name -> COW code (422 when unknown)."""
        key = text.strip().lower()
        if key in self.member_index:
            return self.member_index[key]
        close = difflib.get_close_matches(key, list(self.member_index), n=3, cutoff=0.75)
        suggestions = [self.member_names[self.member_index[c]] for c in close]
        hint = f"; did you mean {', '.join(dict.fromkeys(suggestions))}?" if suggestions else ""
        raise InputError(
            f"{field_name}: unknown member {text!r}: give a COW code (2), ISO3 or COW "
            f"abbreviation (USA) or a country name (United States of America) of an ATOP "
            f"member{hint}",
            field=field_name,
            allowed="COW code | ISO3 | COW abbreviation | country name",
        )

    def filter(
        self,
        *,
        in_force: bool | None = None,
        member: int | None = None,
        obligation_type: str | None = None,
        text: str | None = None,
    ) -> list[dict[str, Any]]:
        """Summaries matching every given filter, ordered by atopid."""
        needle = text.strip().lower() if text else None
        out = []
        for atopid, s in self.summaries.items():
            if in_force is not None and s["in_force"] != in_force:
                continue
            if member is not None and member not in self.member_ccodes[atopid]:
                continue
            if obligation_type is not None and s["obligation_type"] != obligation_type:
                continue
            if needle and needle not in s["_search"]:
                continue
            out.append(s)
        return out


def public(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A summary without its private search key."""
    return {k: v for k, v in summary.items() if not k.startswith("_")}


def _member_row(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ccode": int(r["ccode"]),
        "stateabb": _str_or_none(r.get("stateabb")),
        "iso3": _str_or_none(r.get("iso3")),
        "name": _str_or_none(r.get("name")) or _str_or_none(r.get("stateabb")) or str(r["ccode"]),
    }


def _label(
    name: str | None, members: list[dict[str, Any]], begyr: int, obligation: str | None
) -> str:
    """The data's name (curated for well-known alliances), else one built from members."""
    if name:
        return name
    abbs = [m["stateabb"] or m["iso3"] or str(m["ccode"]) for m in members]
    who = "–".join(abbs) if len(abbs) <= 4 else f"{'–'.join(abbs[:3])} +{len(abbs) - 3}"
    kind = f"{obligation} pact" if obligation else "alliance"
    return f"{who} {kind} ({begyr})"


def build_catalog(alliances: pd.DataFrame, members: pd.DataFrame) -> Catalog:
    """Catalog from the data stage's alliance and member tables."""
    members = members.copy()
    members["yrexit"] = members["yrexit"].where(members["yrexit"].notna(), None)
    by_alliance: dict[int, list[dict[str, Any]]] = {}
    for r in members.sort_values(["atopid", "yrent", "ccode"]).to_dict("records"):
        by_alliance.setdefault(int(r["atopid"]), []).append(r)

    index: dict[str, int] = {}
    names: dict[int, str] = {}
    for r in members.drop_duplicates("ccode").to_dict("records"):
        m = _member_row(r)
        names[m["ccode"]] = m["name"]
        for key in (str(m["ccode"]), m["stateabb"], m["iso3"], m["name"]):
            if key:
                index.setdefault(key.lower(), m["ccode"])

    summaries: dict[int, dict[str, Any]] = {}
    details: dict[int, dict[str, Any]] = {}
    ccodes: dict[int, frozenset[int]] = {}
    for a in alliances.sort_values("atopid").to_dict("records"):
        atopid = int(a["atopid"])
        rows = by_alliance.get(atopid, [])
        in_force = bool(a["in_force"])
        endyr = None if in_force else _int_or_none(a.get("endyr"))
        current = (
            [r for r in rows if _exit_year(r) is None]
            if in_force
            else [r for r in rows if _exit_year(r) is not None and _exit_year(r) == endyr]
        )
        current_members = _unique_members(current or rows)
        obligation = _str_or_none(a.get("obligation_type"))
        begyr = int(a["begyr"])
        label = _label(_str_or_none(a.get("name")), current_members, begyr, obligation)
        summary = {
            "atopid": atopid,
            "label": label,
            "begyr": begyr,
            "endyr": endyr,
            "in_force": in_force,
            "status": "in force" if in_force else "ended",
            "end_cause": None if in_force else _str_or_none(a.get("cause")),
            "obligation_type": obligation,
            "obligations": {
                k: _flag(a.get(k)) for k in ("defense", "offense", "neutral", "nonagg", "consul")
            },
            "bilateral": _flag(a.get("bilateral")),
            "n_members": _int_or_none(a.get("n_members")),
            "region": _str_or_none(a.get("region")),
            "members": current_members,
        }
        summary["_search"] = " ".join(
            [label.lower(), str(atopid)]
            + [
                str(m[k]).lower()
                for m in current_members
                for k in ("name", "stateabb", "iso3")
                if m[k]
            ]
        )
        summaries[atopid] = summary
        details[atopid] = {
            **public(summary),
            "member_history": [
                {
                    **_member_row(r),
                    "phase": _int_or_none(r.get("phase")),
                    "entered": _int_or_none(r.get("yrent")),
                    "exited": _exit_year(r),
                    "exit_cause": _str_or_none(r.get("exit_cause", r.get("cause"))),
                }
                for r in rows
            ],
        }
        ccodes[atopid] = frozenset(int(r["ccode"]) for r in rows)
    return Catalog(summaries, details, ccodes, index, names)


def _flag(value: Any) -> bool | None:
    value = _none_if_nan(value)
    return None if value is None else bool(value)


def _exit_year(r: Mapping[str, Any]) -> int | None:
    y = _int_or_none(r.get("yrexit"))
    return None if y in (None, 0) else y


def _unique_members(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(int(r["ccode"]), _member_row(r))
    return list(seen.values())


def obligation_types() -> tuple[str, ...]:
    """Allowed values of the ``obligation_type`` filter."""
    return OBLIGATION_TYPES


def not_in_force(summary: dict) -> NotInForceError:
    """409 for an alliance that already ended, naming its end year and cause."""
    cause = summary["end_cause"] or "cause not coded"
    return NotInForceError(
        f"alliance {summary['atopid']} ({summary['label']}) ended in {summary['endyr']} "
        f"({cause}); forecasts exist only for alliances in force at the end of the data "
        "(filter with GET /v1/alliances?in_force=true)",
        field="atopid",
        extra={"endyr": summary["endyr"], "end_cause": summary["end_cause"]},
    )
