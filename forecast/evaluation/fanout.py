"""Dask distributed fan-out of backtest folds over single-threaded worker processes.

PyTensor compilation is not thread-safe and its compile cache is a shared directory, so
every worker is a separate process with one thread and its own compile directory
(``PYTENSOR_FLAGS=compiledir=<base>/worker-<name>``), set by a worker plugin before any
task imports PyTensor. On an existing cluster (``--scheduler ADDRESS``) the same plugin is
registered; workers that imported PyTensor earlier keep their directory, and each task
also guards itself (:func:`ensure_private_compiledir`).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from forecast.errors import InputError

DEFAULT_COMPILE_BASE = Path(tempfile.gettempdir()) / "alliance-forecast-pytensor"


def _with_compiledir(flags: str, compiledir: Path) -> str:
    kept = [f for f in flags.split(",") if f.strip() and not f.strip().startswith("compiledir=")]
    return ",".join([*kept, f"compiledir={compiledir}"])


def ensure_private_compiledir(base: Path = DEFAULT_COMPILE_BASE, tag: str | None = None) -> Path:
    """Point PyTensor at a compile directory of this process, unless already imported or set.

    Returns the directory in effect (or the one configured if PyTensor is already imported).
    """
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "compiledir=" in flags or "pytensor" in sys.modules:
        match = re.search(r"compiledir=([^,]+)", flags)
        return Path(match.group(1)) if match else base
    compiledir = base / (tag or f"pid-{os.getpid()}")
    compiledir.mkdir(parents=True, exist_ok=True)
    os.environ["PYTENSOR_FLAGS"] = _with_compiledir(flags, compiledir)
    return compiledir


class CompileDirPlugin(WorkerPlugin):
    """Give each worker process its own PyTensor compile directory."""

    name = "alliance-forecast-compiledir"

    def __init__(self, base: Path = DEFAULT_COMPILE_BASE) -> None:
        self.base = Path(base)

    def setup(self, worker: Any) -> None:
        tag = "worker-" + re.sub(r"[^A-Za-z0-9_.-]", "_", str(worker.name))
        if "pytensor" in sys.modules:
            return  # too late to change; the task-level guard reports the directory in use
        compiledir = self.base / tag
        compiledir.mkdir(parents=True, exist_ok=True)
        flags = os.environ.get("PYTENSOR_FLAGS", "")
        os.environ["PYTENSOR_FLAGS"] = _with_compiledir(flags, compiledir)


@contextmanager
def dask_client(
    workers: int = 2, scheduler: str | None = None, compile_base: Path = DEFAULT_COMPILE_BASE
) -> Iterator[Any]:
    """A Dask client: on ``scheduler`` if given, else a LocalCluster of 1-thread processes."""
    from distributed import Client, LocalCluster

    if scheduler is None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); "
                "check the address (tcp://host:8786) or drop --scheduler for a local cluster"
            ) from exc
        try:
            client.register_plugin(CompileDirPlugin(compile_base))
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        memory_limit=0,  # sampling is bounded by the fold size; let the OS decide
    )
    client = Client(cluster)
    try:
        client.register_plugin(CompileDirPlugin(compile_base))
        yield client
    finally:
        client.close()
        cluster.close()


def map_gather(
    client: Any,
    func: Callable[..., Any],
    items: Sequence[Any],
    *,
    shared: dict[str, Any] | None = None,
    on_done: Callable[[Any], None] | None = None,
) -> list[Any]:
    """Run ``func(item, **shared)`` for every item on the cluster; results in item order.

    ``shared`` values (such as the panel) are scattered once and passed to every task.
    ``on_done`` is called with each result as it completes (for progress bars).
    """
    from distributed import as_completed

    scattered = {k: client.scatter(v, broadcast=True) for k, v in (shared or {}).items()}
    futures = [client.submit(func, item, pure=False, **scattered) for item in items]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for future in as_completed(futures):
        results[index[future.key]] = future.result()
        if on_done is not None:
            on_done(results[index[future.key]])
    return results


def worker_pid(_: object = None) -> int:
    """The id of the process that ran this task (shows how folds spread over workers)."""
    return os.getpid()
