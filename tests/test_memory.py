"""The server caps glibc's malloc arenas (proxi/web/memory.py), unless told otherwise."""

import platform

import pytest

from proxi.web.memory import cap_malloc_arenas


@pytest.mark.skipif(platform.system() != "Linux", reason="glibc's mallopt")
def test_the_arenas_are_capped_on_linux(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert cap_malloc_arenas() is True


def test_an_explicit_malloc_arena_max_is_left_as_it_is(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cap_malloc_arenas() is False
