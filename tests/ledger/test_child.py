"""The ledger's child process starts while another thread multiplies matrices: a fork
then deadlocked in OpenBLAS's fork handler and hung the server's start (CI, stop 15)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import asyncio, sys, threading
import numpy as np, uvloop
from forecast.serving.ledger import run_child

stop = False

def multiply() -> None:  # as the forecast precompute does, in its own thread
    a = np.random.default_rng(0).random((1500, 1500))
    while not stop:
        a @ a

async def main() -> None:
    for _ in range(60):
        rc, out, _ = await run_child([sys.executable, "-c", "print('child')"], {})
        assert rc == 0 and out.strip() == b"child", (rc, out)

worker = threading.Thread(target=multiply)
worker.start()
try:
    uvloop.run(main())
finally:
    stop = True
    worker.join()
print("done")
"""


def test_children_start_while_another_thread_is_in_blas() -> None:
    # uvloop's own spawn (fork) hung here within a few children; run_child must not
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"
