"""The phone's watcher: a tiny script in the ballot that reruns it only when something changed.

The ballot (app_pages/join.py) used to rerun every 2 s: with 60 phones, 30 page runs a
second, and the votes waited behind them. Now the ballot draws `watch(token, version)`, a
components.v2 element of a few lines of JavaScript. Every 2 s it asks `VERSION_PATH` for the
phone's version (proxi.live.watch: one indexed query, answered by Starlette, no script run)
and, when it differs from the version the ballot was drawn with, sends a trigger that
reruns the ballot's fragment, and only it. It also counts down the vote's remaining seconds
on the phone itself. A phone that loses the network keeps asking; its next answer catches
up.

The pass token travels in a header, not in the address: addresses end up in access logs.
"""

from __future__ import annotations

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app_pages.connection import borrowed
from proxi.live.watch import phone_version

VERSION_PATH = "/proxi-live/phone-version"
PASS_HEADER = "X-Proxi-Pass"
EVERY_MS = 2000  # as the ballot's former polling: a vote that opens shows within 2 s
NAME = "proxi.phone_watch"
KEY = "phone-watch"
CHANGED = "changed"  # the trigger's event: its callback is on_changed_change
OVER = "Temps écoulé : le vote est clos."

_JS = """
export default function ({ data, setTriggerValue, parentElement }) {
  const { path, header, pass, version, every, left, over, event } = data;
  const clock = parentElement.querySelector(".left");
  let stopped = false;
  const deadline = left === null ? null : Date.now() + left * 1000;
  const tick = () => {
    if (deadline === null) { clock.textContent = ""; return; }
    const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    clock.textContent = seconds ? `Temps restant : ${seconds} s` : over;
  };
  const check = async () => {
    try {
      const answer = await fetch(path, { headers: { [header]: pass }, cache: "no-store" });
      if ((answer.status !== 200 && answer.status !== 404) || stopped) return;
      const seen = (await answer.json()).version;  // null: the pass was withdrawn
      if (seen !== version && !stopped) {
        stopped = true;  // one rerun: the redrawn ballot mounts a new watcher
        setTriggerValue(event, seen);
      }
    } catch (error) {
      // Offline for a moment: the next check catches up.
    }
  };
  tick();
  const clockTimer = setInterval(tick, 1000);
  const checkTimer = setInterval(check, every);
  return () => { stopped = true; clearInterval(clockTimer); clearInterval(checkTimer); };
}
"""
_CSS = ".left { font-size: 0.875rem; opacity: 0.7; margin: 0; }"
_HTML = '<p class="left" aria-live="polite"></p>'

_renderer = None


def watch(token: str, version: str | None, seconds_left: int | None = None) -> None:
    """Draw the watcher inside the ballot's fragment. `seconds_left`: the open vote's
    countdown, shown and counted down on the phone; None without one."""
    global _renderer
    if _renderer is None:  # registered on first use: a component needs a running app
        _renderer = st.components.v2.component(NAME, html=_HTML, css=_CSS, js=_JS)
    data = {
        "path": VERSION_PATH,
        "header": PASS_HEADER,
        "pass": token,
        "version": version,
        "every": EVERY_MS,
        "left": seconds_left,
        "over": OVER,
        "event": CHANGED,
    }
    _renderer(key=KEY, data=data, **{f"on_{CHANGED}_change": _ignore})


def _ignore() -> None:
    """The trigger's callback: its only effect is the fragment's rerun."""


def routes() -> list[Route]:
    """The version route (a plain function: Starlette runs it in its thread pool)."""
    return [Route(VERSION_PATH, _version, methods=["GET"])]


def _version(request: Request) -> JSONResponse:
    with borrowed() as db:
        version = phone_version(db, request.headers.get(PASS_HEADER))
    return JSONResponse(
        {"version": version},
        status_code=200 if version else 404,
        headers={"Cache-Control": "no-store"},
    )
