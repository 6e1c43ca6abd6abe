"""The theory comparison: PSIS-LOO (with Pareto k), stacking weights and backtest scores
of the shipped variants, with a verdict generated from the numbers.

``benchmarks/theories.py`` fits the variants, runs the common-fold backtest and writes the
comparison with :func:`write_comparison` to ``models/theories.json`` (beside the stored
fits, whose versions it names); the API reads it with :func:`read_comparison`. This
module is pure Python (the LOO/stacking part imports ArviZ inside
:func:`loo_comparison`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from forecast.errors import StoreError

COMPARISON_FILE = "theories.json"


def loo_comparison(registry: Any, picks: dict[str, str]) -> list[dict[str, Any]]:
    """``model, version, elpd_loo, se, d_elpd, dse, stacking_weight, pareto_k`` of each
    pick (ArviZ ``compare`` with stacking), best first."""
    from forecast.model.compare import compare_versions

    rows = compare_versions(registry, picks)
    out = []
    for r in rows:
        loo = registry.manifest(r["model"], r["version"])["loo"]
        out.append(
            {
                "model": r["model"],
                "version": r["version"],
                "elpd_loo": r["elpd"],
                "se": r["se"],
                "d_elpd": r["elpd_diff"],
                "dse": r["dse"],
                "stacking_weight": r["weight"],
                "p_loo": loo["p_loo"],
                "pareto_k": loo["pareto_k"],
            }
        )
    return out


def verdict(comparison: list[dict[str, Any]], horizon: int = 10) -> str:
    """One paragraph read off the numbers: the LOO ranking and whether the differences
    exceed twice their standard error, the stacking weights, the backtest ranking at
    ``horizon`` years and the Pareto-k caveat."""
    if not comparison:
        return "No variants were compared."
    best = comparison[0]
    parts = [f"By PSIS-LOO, {best['model']} predicts the held-out alliance-years best"]
    close = [c for c in comparison[1:] if abs(c["d_elpd"]) < 2 * max(c["dse"], 1e-9)]
    far = [c for c in comparison[1:] if c not in close]
    if far:
        parts.append(
            "; it beats "
            + ", ".join(f"{c['model']} by {-c['d_elpd']:.1f} (se {c['dse']:.1f})" for c in far)
        )
    if close:
        parts.append(
            "; its lead over "
            + ", ".join(f"{c['model']} ({-c['d_elpd']:.1f}, se {c['dse']:.1f})" for c in close)
            + " is within two standard errors, so the data do not separate them"
        )
    weights = sorted(comparison, key=lambda c: -c["stacking_weight"])
    parts.append(
        ". Stacking puts "
        + ", ".join(f"{c['stacking_weight']:.0%} on {c['model']}" for c in weights)
        + "."
    )
    scored = [c for c in comparison if (c.get("backtest") or {}).get(str(horizon))]
    if scored:
        by_bss = sorted(scored, key=lambda c: -c["backtest"][str(horizon)]["brier_skill"])
        top = by_bss[0]["backtest"][str(horizon)]
        parts.append(
            f" On the common backtest folds at {horizon} years, {by_bss[0]['model']} has the "
            f"best Brier skill ({top['brier_skill']:+.3f} against the baseline, log loss "
            f"{top['log_loss']:.4f})"
            + (f", then {', '.join(c['model'] for c in by_bss[1:])}." if len(by_bss) > 1 else ".")
        )
    bad = [c["model"] for c in comparison if c["pareto_k"]["n_bad"] + c["pareto_k"]["n_very_bad"]]
    if bad:
        parts.append(
            f" Some Pareto k exceed the threshold for {', '.join(bad)}: their LOO estimates "
            "rest on a few influential alliance-years."
        )
    return "".join(parts)


def write_comparison(models_dir: Path, payload: dict[str, Any]) -> Path:
    """Write the comparison atomically to ``models_dir/theories.json``."""
    path = Path(models_dir) / COMPARISON_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True))
    os.replace(tmp, path)
    return path


def read_comparison(models_dir: Path) -> dict[str, Any]:
    """The stored comparison (StoreError saying how to make it when there is none)."""
    path = Path(models_dir) / COMPARISON_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(
            f"no theory comparison in {models_dir}: run `python benchmarks/theories.py` "
            "to fit the variants and compare them"
        ) from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path} is unreadable ({exc}); rerun benchmarks/theories.py") from exc
