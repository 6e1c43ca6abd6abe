"""Generated parts of ``data/README.md``: the covariate registry and what changed from
ATOP v4.01 to v5.1. ``python -m forecast.panel.docs`` prints them; ``tests/panel/
test_docs.py`` checks the README holds the current text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.panel import registry

BEGIN, END = "<!-- generated: {} -->", "<!-- end generated: {} -->"


def registry_table(data_through: dict[str, int | None] | None = None) -> str:
    """Markdown table of every covariate of the registry."""
    head = "| covariate | family | unit | kind | scenario | lag | data through | source |\n"
    head += "|---|---|---|---|---|---|---|---|\n"
    rows = []
    for c in registry.COVARIATES:
        dt = (data_through or {}).get(c.name)
        name = f"`{c.name}`" + (" (deprecated)" if c.deprecated else "")
        lag = "t−1" if c.lag else "1 Jan t"
        since = f"; from {c.data_from}" if c.data_from else ""
        rows.append(
            f"| {name} | {c.family} | {c.unit} | {c.kind} | {'yes' if c.scenario else 'no'} "
            f"| {lag}{since} | {dt if dt is not None else '—'} | {c.source} |"
        )
    return head + "\n".join(rows) + "\n"


def atop_changes(raw_dir: Path) -> str:
    """Markdown summary of what changed from ATOP v4.01 to v5.1."""
    from forecast.sources._io import read_csv

    def load(a: str, m: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        al = read_csv(Path(raw_dir) / "atop" / a, encoding="latin-1", low_memory=False)
        me = read_csv(Path(raw_dir) / "atop" / m, encoding="latin-1", low_memory=False)
        return al, me

    a4, m4 = load("atop-alliance-level.csv", "atop-member-level.csv")
    a5, m5 = load("atop5_1a.csv", "atop5_1m.csv")
    added = a5[~a5["atopid"].isin(a4["atopid"])]
    dropped = sorted(set(a4["atopid"]) - set(a5["atopid"]))
    retro = added[added["begyr"] <= 2016]
    both = sorted(set(a4["atopid"]) & set(a5["atopid"]))
    key = ["atopid", "member", "phase", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit",
           "termmode", "termcaus"]  # fmt: skip

    def spells(m: pd.DataFrame) -> set[tuple]:
        rows = m.loc[m["atopid"].isin(both), key].fillna(-1).astype(int)
        return set(map(tuple, rows.to_numpy().tolist()))

    s4, s5 = spells(m4), spells(m5)
    recoded = sorted({s[0] for s in s4 ^ s5})
    e4 = a4.set_index("atopid").loc[both, ["endyr", "ineffect"]]
    e5 = a5.set_index("atopid").loc[both, ["endyr", "ineffect"]]
    ended = e5[(e4["ineffect"] == 1) & (e5["ineffect"] == 0)]
    changed_end = e5[(e4["ineffect"] == 0) & (e4["endyr"] != e5["endyr"])]
    lines = [
        "| change | count | alliances (atopid) |",
        "|---|---|---|",
        f"| alliances in v4.01 / v5.1 | {len(a4)} / {len(a5)} | |",
        f"| added in v5.1 | {len(added)} | {', '.join(map(str, sorted(added['atopid'])))} |",
        f"| of which signed by 2016 (retroactive) | {len(retro)} | "
        f"signed {int(retro['begyr'].min())}–{int(retro['begyr'].max())} |",
        f"| dropped in v5.1 | {len(dropped)} | {', '.join(map(str, dropped))} |",
        f"| in force at the end of v4.01, ended by 2018 in v5.1 | {len(ended)} | "
        f"{', '.join(f'{i} ({int(r.endyr)})' for i, r in ended.iterrows())} |",
        f"| end year recoded | {len(changed_end)} | "
        f"{', '.join(map(str, changed_end.index)) or '—'} |",
        f"| member spells recoded (alliances in both) | {len(s4 ^ s5)} spells | "
        f"{', '.join(map(str, recoded))} |",
        f"| in force at the end of the data | {int(a4['ineffect'].sum())} (2016) / "
        f"{int(a5['ineffect'].sum())} (2018) | |",
    ]
    return "\n".join(lines) + "\n"


def generated_sections(raw_dir: Path, data_through: dict[str, int | None]) -> dict[str, str]:
    """Section name -> generated markdown."""
    return {"registry": registry_table(data_through), "atop-changes": atop_changes(raw_dir)}


def main() -> None:  # pragma: no cover - a developer tool
    from forecast.config import get_settings
    from forecast.panel.edge import data_through

    s = get_settings()
    for name, text in generated_sections(s.raw_dir, data_through()["covariates"]).items():
        print(BEGIN.format(name))
        print(text, end="")
        print(END.format(name))


if __name__ == "__main__":
    main()
