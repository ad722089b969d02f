"""The server's memory (proxi/web/memory.py): glibc's malloc arenas capped unless told
otherwise, the warm heap frozen out of the collector's scans."""

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from proxi.web.memory import cap_malloc_arenas

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(platform.system() != "Linux", reason="glibc's mallopt")
def test_the_arenas_are_capped_on_linux(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert cap_malloc_arenas() is True


def test_an_explicit_malloc_arena_max_is_left_as_it_is(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cap_malloc_arenas() is False


def _python(code: str) -> str:
    """Run `code` in a fresh interpreter at the repository's root: freezing is for a whole
    process, and the test process must keep its own collector as it is."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_the_server_freezes_its_modules_and_the_parsed_content_before_any_session():
    # How `streamlit run app.py` loads it: a module, not __main__ (which runs the pages).
    shown = _python(
        """
        import gc, sys
        import app
        from app_pages import ui
        content = ui.catalogue()
        live = {id(o) for o in gc.get_objects()}
        print(gc.get_freeze_count() > 100_000, gc.is_tracked(content) and id(content) not in live,
              "pandas" in sys.modules, "app_pages.join" in sys.modules)
        """
    )
    # frozen: many objects, the very catalogue the pages read among them (tracked, yet out
    # of the collector's lists); a page's lazy import done; no page script run as a module
    assert shown == "True True True False"


def test_a_warm_up_that_fails_still_freezes_and_serves():
    shown = _python(
        """
        import gc
        from proxi.web.memory import freeze_warm_heap
        def broken():
            raise ValueError("content")
        print(freeze_warm_heap(("proxi",), frozenset(), broken) > 0)
        """
    )
    assert shown == "True"
