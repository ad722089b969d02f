"""The server's memory: glibc's malloc arenas capped, as MALLOC_ARENA_MAX=2 would.

Streamlit runs every script run in a new thread, and glibc hands threads that allocate at
the same moment separate arenas (up to 8 per core), each keeping the memory it once held.
Ten learners logging in together (each login is a 16 MB scrypt) left ~130 MB more resident,
13 MB per session; with two arenas, ~25 MB once, and the next ten sessions ~0.2 MB each
(docs/performance.md). Two arenas are enough: the GIL runs one thread at a time.
"""

from __future__ import annotations

import ctypes
import os

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # <malloc.h>
ARENAS = 2
# Blocks this big are mapped and unmapped on their own, never kept in an arena. Set, it
# also stops glibc raising the threshold after each free of a big block: a login's 16 MB
# scrypt buffer then went back to the system instead of staying in the arena.
MMAP_THRESHOLD = 4 * 1024 * 1024


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
