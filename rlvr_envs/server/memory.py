"""Giving freed memory back to the OS after sessions close (measured in docs/server.md).

Why this module exists: after 1,000 sessions closed, CPython's live objects are back at their
baseline (tracemalloc: +0.6 MiB, the sympy cache and asyncio bookkeeping) but RSS was ~35 MiB above
it. That remainder is allocator retention, not a leak: pymalloc frees a 1 MiB arena only once every
object in it is gone, and a few long-lived objects created during the peak (cache entries) pin
dozens of mostly empty arenas. With ``PYTHONMALLOC=malloc`` small objects live in glibc's heap,
whose free pages ``malloc_trim(0)`` hands back page by page: RSS comes back to within a few MiB
once the first peak's one-time growth (step threads, caches) is paid.

`use_system_malloc` re-executes the ``rlvr-envs serve`` process with ``PYTHONMALLOC=malloc`` (the
allocator is fixed at interpreter start-up, so an environment variable read later cannot switch it);
`collect` runs a full collection and `trim` glibc's ``malloc_trim(0)`` (a no-op where libc is not
glibc); `SessionManager.maybe_release` calls both after sessions close.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import platform
import sys
from collections.abc import Callable
from functools import cache

REEXEC_MARK = "RLVR_SERVE_REEXEC"


def glibc() -> bool:
    return sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def default_allocator() -> str:
    """``malloc`` where its free pages can be trimmed (glibc), else CPython's default."""
    return "malloc" if glibc() else "pymalloc"


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not glibc():
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def collect() -> None:
    """A full collection, so objects in reference cycles are freed before the heap is trimmed."""
    gc.collect()


def trim() -> bool:
    """``malloc_trim(0)``: return free heap pages to the OS; ``False`` where it does not exist.

    ctypes drops the GIL for the call, so it may run in a worker thread beside the event loop.
    """
    call = _malloc_trim()
    if call is None:
        return False
    call(0)
    return True


def active_allocator() -> str:
    """What this interpreter allocates small objects with (``PYTHONMALLOC`` is read only at start-up)."""
    return "malloc" if os.environ.get("PYTHONMALLOC") == "malloc" else "pymalloc"


def use_system_malloc(argv: list[str]) -> None:
    """Replace this process (same pid) with itself under ``PYTHONMALLOC=malloc``; returns if it need not.

    Only called when ``rlvr-envs serve`` is the process's own entry point (never when ``main`` is
    called from someone else's program, whose process must not be replaced); ``REEXEC_MARK`` stops loops.
    """
    if active_allocator() == "malloc" or os.environ.get(REEXEC_MARK):
        return
    env = {**os.environ, "PYTHONMALLOC": "malloc", REEXEC_MARK: "1"}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *argv], env)
