"""Benchmark: full panel build from the raw sources (goal: <= 60 s wall, <= 2 GB peak RSS).

Runs ``forecast.panel.build.build`` in a fresh child process per repetition (imports
included, as a user's ``alliance-forecast data build`` would) and reports wall time, the
child's peak resident memory, the seconds spent in each build step (median over runs)
and the machine's load average around the runs (the machine is shared: read the wall
time with it).

    .venv/bin/python benchmarks/build.py [--raw DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

GOAL_SECONDS = 60.0
GOAL_BYTES = 2 * 1024**3

CHILD = """
import json, sys, time
from pathlib import Path
from forecast.panel.build import build
steps, last = {}, [None, time.perf_counter()]
def progress(step, done, total):
    now = time.perf_counter()
    if last[0] is not None:
        steps[last[0]] = steps.get(last[0], 0.0) + now - last[1]
    last[:] = [step.split(" ")[0] if step.startswith("reading") else step, now]
build(Path(sys.argv[1]), Path(sys.argv[2]), progress)
steps[last[0]] = steps.get(last[0], 0.0) + time.perf_counter() - last[1]  # incl. writing
print(json.dumps(steps))
"""


def run_once(raw: Path) -> tuple[float, int, dict[str, float]]:
    """(wall seconds, peak RSS bytes, seconds per step) of one build in a fresh interpreter."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(raw), out], cwd=REPO, stdout=subprocess.PIPE
        )
        stdout = proc.stdout.read() if proc.stdout else b"{}"
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = status  # reaped by wait4; tell Popen so it does not warn
        wall = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"build failed with status {status}")
        return wall, usage.ru_maxrss * 1024, json.loads(stdout)  # ru_maxrss: KiB on Linux


def main() -> None:
    from forecast.config import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=get_settings().raw_dir)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    runs = [run_once(args.raw) for _ in range(args.repeat)]
    walls = [w for w, _, _ in runs]
    peaks = [p for _, p, _ in runs]
    names = list(runs[0][2])
    steps = {n: round(statistics.median(r[2].get(n, 0.0) for r in runs), 2) for n in names}
    result = {
        "runs": args.repeat,
        "cpus": os.cpu_count(),
        "load_avg_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "step_s_median": steps,
        "wall_s_median": round(statistics.median(walls), 2),
        "wall_s_max": round(max(walls), 2),
        "peak_rss_mib_max": round(max(peaks) / 1024**2, 1),
        "goal_wall_s": GOAL_SECONDS,
        "goal_peak_mib": GOAL_BYTES / 1024**2,
        "meets_goal": max(walls) <= GOAL_SECONDS and max(peaks) <= GOAL_BYTES,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
