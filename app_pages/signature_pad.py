"""The phone's signature pad: streamlit-drawable-canvas in free-drawing mode, French only.

The package's floating toolbar (undo, redo, edit, reset) has English tooltips and lets a
finger move or stretch strokes, which a signature has no use for: it is hidden by
registering the package's component again, under its own name, with one more CSS rule
(Streamlit keeps the last registration). Its JavaScript is still served from the package's
files. « Effacer la signature » (signing_parts) mounts a blank pad instead.

The package registers itself when imported, which needs a running app (the manifest of its
files is read at the app's start): it is imported on the pad's first use, not with this
module, so tests that import the pages without running them do not need it.
"""

from __future__ import annotations

import importlib.util
import weakref
from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime

NAME = "streamlit-drawable-canvas.streamlit_drawable_canvas"  # the package's manifest name
SIZE = (300, 150)  # pixels: fits a 390 px wide phone inside a bordered container
NO_TOOLBAR = "\n.dc-toolbar { display: none !important; }\n"


_registered: weakref.WeakSet[Runtime] = weakref.WeakSet()  # one per app; AppTest: per test


def _register_without_toolbar() -> None:
    runtime = Runtime.instance()
    if runtime in _registered:
        return
    spec = importlib.util.find_spec("streamlit_drawable_canvas")
    assert spec is not None and spec.origin is not None
    build = Path(spec.origin).parent / "frontend" / "build"
    (css,) = build.glob("index-*.css")
    st.components.v2.component(
        NAME,
        js="index-*.js",
        css=css.read_text(encoding="utf-8") + NO_TOOLBAR,
        html='<div class="canvas-root"></div>',
        isolate_styles=True,
    )
    _registered.add(runtime)


def pad(key: str) -> None:
    """A white pad with a dark pen; what is drawn is sent on each lift of the finger."""
    from streamlit_drawable_canvas import st_canvas  # registers the package's own first

    _register_without_toolbar()
    width, height = SIZE
    st_canvas(
        stroke_width=3,
        stroke_color="#1a1a1a",
        background_color="#ffffff",
        width=width,
        height=height,
        drawing_mode="freedraw",
        key=key,
    )


def drawn(key: str) -> object:
    """The pad's last Fabric.js JSON, None before it sent anything."""
    state = st.session_state.get(key)
    sent = state.get("drawing") if state is not None else None
    return sent.get("raw") if isinstance(sent, dict) else None
