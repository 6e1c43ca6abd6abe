"""How a serving process uses its memory: settings at start, trimming after loads.

:func:`configure_process` runs first in every serving process (uvicorn's app factory,
``forecast.api.server.serving_app``). A worker loads Parquet tables and a posterior,
builds arrays from them and drops the temporaries; a model swap does it again. With the
defaults, Arrow keeps its own pool (mimalloc/jemalloc) and glibc raises its mmap threshold
after the first large free, so later large temporaries land in the heap and fragment it:
freed memory is not handed back. :func:`tune_allocator` routes Arrow through malloc, fixes
the mmap threshold (large blocks are mapped and unmapped, never left in the heap) and caps
the malloc arenas; :func:`release_heap` hands what was freed back to the OS.
``benchmarks/serve.py`` measures the effect (idle RSS and the peak during swaps).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys

#: glibc ``mallopt`` parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: blocks of at least this size are mmap'd, and unmapped when freed
MMAP_THRESHOLD = 1 << 20
#: malloc arenas (the main one plus one shared by the loader and precompute threads)
ARENA_MAX = 2
#: optional packages a serving process never uses: pandera imports hypothesis (test-data
#: synthesis, ~14 MB of modules) when it is installed, and works without it
UNUSED_OPTIONAL = ("hypothesis",)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to tune or trim
        return None


def configure_process() -> None:
    """Settings of a serving process, before it loads anything: the allocator
    (:func:`tune_allocator`) and no import of :data:`UNUSED_OPTIONAL` packages."""
    for name in UNUSED_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import: ImportError
    tune_allocator()


def tune_allocator() -> None:
    """Allocator settings of a service process; call before the first load (idempotent)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(_M_ARENA_MAX, ARENA_MAX)
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())  # Arrow buffers are trimmed with the rest


def release_heap() -> None:
    """Collect cycles and hand freed heap back to the OS (Arrow's pool, glibc's arenas)."""
    gc.collect()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(AttributeError):
            libc.malloc_trim(0)
