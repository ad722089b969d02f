"""The server's memory: glibc's malloc arenas capped, as MALLOC_ARENA_MAX=2 would; the
long-lived heap frozen out of Python's collector once warm.

Streamlit runs every script run in a new thread, and glibc hands threads that allocate at
the same moment separate arenas (up to 8 per core), each keeping the memory it once held.
Ten learners logging in together (each login is a 16 MB scrypt) left ~130 MB more resident,
13 MB per session; with two arenas, ~25 MB once, and the next ten sessions ~0.2 MB each
(docs/performance.md). Two arenas are enough: the GIL runs one thread at a time.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import logging
import os
import pkgutil
from collections.abc import Callable

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # <malloc.h>
ARENAS = 2
# Blocks this big are mapped and unmapped on their own, never kept in an arena. Set, it
# also stops glibc raising the threshold after each free of a big block: a login's 16 MB
# scrypt buffer then went back to the system instead of staying in the arena.
MMAP_THRESHOLD = 4 * 1024 * 1024
# Imported by a page's first table, chart or document, not at start-up.
LAZY_IMPORTS = ("pandas", "pyarrow", "altair", "fpdf", "pypdf")


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap the arenas for the allocations to come; False off glibc, or when the
    environment already chose (MALLOC_ARENA_MAX, read by glibc at start)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(
            libc.mallopt(M_ARENA_MAX, arenas) and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        )
    except (OSError, AttributeError):  # not Linux, or a libc without mallopt (musl)
        return False


def freeze_warm_heap(
    packages: tuple[str, ...], skip: frozenset[str], warm: Callable[[], object]
) -> int:
    """Import every module of `packages` (but `skip`: page scripts, run by Streamlit, not
    imported) and what pages import lazily, call `warm` (the content, parsed into the cache
    the pages read), then hand that long-lived heap to `gc.freeze()`. Returns the number
    of objects frozen.

    With Streamlit's collection after every run switched off (.streamlit/config.toml),
    Python's own full collections still scanned the ~170,000 objects of the modules and
    the content, 100-160 ms each, about ten times in a 60-phone vote: a pause for every
    run waiting (docs/performance.md). Frozen objects are still freed by reference
    counting; only cycles among them would stay. Called once, before any session exists:
    nothing but modules and content is frozen."""
    for package in packages:
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if module.name not in skip and not module.name.endswith(".__main__"):
                importlib.import_module(module.name)
    for lazy in LAZY_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(lazy)
    try:
        warm()
    except Exception:  # the pages will say what is wrong with the content; serve anyway
        logging.getLogger(__name__).exception("Warming up before freezing the heap failed")
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
