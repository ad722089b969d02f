"""What every browser journey shares: viewports, waiting for Streamlit, logging in, screenshots.

Waiting rule: every action that makes Streamlit run the script waits for that run to finish,
read from the app's own websocket (a `script_finished` message saying FINISHED_SUCCESSFULLY),
then for the page to be idle. Neither a fixed sleep nor the run-state attribute is enough:
a fast run may never show as "running", and `st.rerun()` ends a run early, then starts
another. After that, Playwright's `expect` polls for what a person would see.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

try:
    from playwright.sync_api import Browser, Page, expect
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the chromium_executable fixture then skips (or fails in CI) with a message
    Browser = Page = expect = None
    PlaywrightTimeout = TimeoutError

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
DESKTOP = {"width": 1366, "height": 900}
DEMO_PASSWORD = "proxi-demo-2026"
TIMEOUT_MS = 20_000
# A tap the browser has not sent to the server after this long was lost in the page (seen once
# in CI on a console whose fragment refreshes every 2 s); a person would tap again.
UNSENT_MS = 5_000
IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
taken: list[Path] = []  # screenshots written by this test session
SETTLE_MS = 120
# When the page last changed its run state (see `settle`).
WATCH_RUN_STATE = """
window.__proxiChanged = performance.now();
new MutationObserver(() => { window.__proxiChanged = performance.now(); }).observe(
  document, {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
"""


class RunWatcher:
    """Counts the finished script runs of each websocket connection of one page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.connections: list[int] = []  # finished runs, one entry per connection
        self.fragment_runs = 0  # finished runs of a fragment (a button inside one, a poll)
        self.reruns_asked = 0  # rerun requests the page sent (a tap, a field committed)
        page.on("websocket", self._connected)

    def _connected(self, socket) -> None:
        if not socket.url.endswith("/_stcore/stream"):
            return
        self.connections.append(0)
        number = len(self.connections) - 1

        def received(payload) -> None:
            # script_finished messages are tiny; skip parsing deltas (tables, charts).
            if isinstance(payload, bytes) and len(payload) < 512:
                finished = _finished(payload)
                if finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    self.connections[number] += 1
                elif finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    self.fragment_runs += 1

        def sent(payload) -> None:
            if isinstance(payload, bytes) and _asks_rerun(payload):
                self.reruns_asked += 1

        socket.on("framereceived", received)
        socket.on("framesent", sent)

    @property
    def total(self) -> int:
        return sum(self.connections)

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        if not self.wait_for(condition, TIMEOUT_MS):
            raise AssertionError(f"timed out after {TIMEOUT_MS} ms waiting for {what}")
        settle(self.page)

    def wait_for(self, condition: Callable[[], bool], timeout_ms: int) -> bool:
        """Whether `condition` came true within `timeout_ms`."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.page.wait_for_timeout(25)  # lets Playwright deliver the websocket events
        return True


def _finished(payload: bytes) -> int | None:
    """The ScriptFinishedStatus a websocket message carries, if it is a script_finished."""
    try:
        message = ForwardMsg.FromString(payload)
    except Exception:  # not a ForwardMsg: nothing to count
        return None
    return message.script_finished if message.WhichOneof("type") == "script_finished" else None


def _asks_rerun(payload: bytes) -> bool:
    try:
        return BackMsg.FromString(payload).WhichOneof("type") == "rerun_script"
    except Exception:  # not a BackMsg
        return False


def settle(page: Page) -> None:
    """The page done with what the server sent: Playwright hears a websocket frame before
    the page's own code has decoded and rendered it, so give the page a moment, then wait
    until it shows the app idle and its run state has not changed for a while."""
    page.wait_for_timeout(SETTLE_MS)
    page.wait_for_function(
        """([idle, quiet]) => document.querySelector(idle)
            && performance.now() - (window.__proxiChanged || 0) > quiet""",
        arg=[IDLE, SETTLE_MS],
        polling=25,
    )


def _instrument(page: Page) -> Page:
    page.runs = RunWatcher(page)
    page.dialogs = []  # every alert/confirm/prompt, for the script-injection checks
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


@contextmanager
def new_page(
    browser: Browser, server, viewport: dict = PHONE, touch: bool = False
) -> Iterator[Page]:
    """A fresh browser context (its own cookies: another person) with one page; `touch`: a
    touch screen, for a journey that draws with a finger (`finger_stroke`)."""
    context = browser.new_context(
        viewport=viewport, locale="fr-FR", base_url=server.url, has_touch=touch
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(WATCH_RUN_STATE)
    expect.set_options(timeout=TIMEOUT_MS)
    page = _instrument(context.new_page())
    errors_before = _server_errors(server)
    try:
        yield page
    except BaseException:
        _failure_screenshot(page)
        _report_server_errors(server, errors_before)
        raise
    finally:
        context.close()


def finger_stroke(page: Page, points: list[tuple[float, float]]) -> None:
    """One finger on the screen along `points` (page coordinates), then lifted: the touch
    events a phone sends (Playwright's mouse sends mouse events, its touchscreen only taps)."""
    cdp = page.context.new_cdp_session(page)
    try:
        for kind, (x, y) in zip(
            ["touchStart", *["touchMove"] * (len(points) - 1)], points, strict=True
        ):
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def new_tab(page: Page) -> Page:
    """Another tab of the same browser context (same cookies)."""
    return _instrument(page.context.new_page())


def _failure_screenshot(page: Page) -> None:
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0].split("::")[-1]
    with contextlib.suppress(Exception):  # the page may be gone: the first error matters
        screenshot(page, f"FAILED-{test}-{len(taken)}")


# How the server logs a page that raised: the browser then shows a blank page (the app
# shows no error details), so a failing test prints what the server logged meanwhile.
UNCAUGHT = "Uncaught app execution"


def _server_errors(server) -> int:
    """Where the server's log ends now (0 without a log)."""
    log = getattr(server, "log_path", None)
    return log.stat().st_size if log and log.exists() else 0


def _report_server_errors(server, since: int) -> None:
    log = getattr(server, "log_path", None)
    if not log or not log.exists():
        return
    with open(log, "rb") as handle:
        handle.seek(since)
        written = handle.read().decode("utf-8", "replace")
    if UNCAUGHT in written:
        print(f"The server raised during this test ({log}):\n{written}", file=sys.stderr)


def loaded_after(page: Page, navigate: Callable[[], object]) -> None:
    """Do something that loads a new document, then wait for its first finished run."""
    before = len(page.runs.connections)
    navigate()
    page.runs.wait_until(
        lambda: len(page.runs.connections) > before and page.runs.connections[-1] > 0,
        "the app to load and finish its first run",
    )


def open_app(page: Page, path: str = "/") -> None:
    loaded_after(page, lambda: page.goto(path))


def reload(page: Page) -> None:
    loaded_after(page, page.reload)


def rerun_after(page: Page, action: Callable[[], object], again_if_lost: bool = False) -> None:
    """Do `action`, then wait for the script run it caused to finish. `again_if_lost`: if the
    page never sent it to the server, do it once more (only for a button, where a second tap
    the server never saw the first of changes nothing else)."""
    before, asked = page.runs.total, page.runs.reruns_asked
    action()
    if again_if_lost and not page.runs.wait_for(
        lambda: page.runs.reruns_asked > asked or page.runs.total > before, UNSENT_MS
    ):
        print("The page did not send a tap to the server: tapping again.", file=sys.stderr)
        action()
    if not page.runs.wait_for(lambda: page.runs.total > before, TIMEOUT_MS):
        sent = "sent" if page.runs.reruns_asked > asked else "never sent"  # known only now
        raise AssertionError(
            f"timed out after {TIMEOUT_MS} ms waiting for the script run to finish"
            f" (the page {sent} its request)"
        )
    settle(page)


def click_in_fragment(page: Page, target) -> None:
    """Click a button drawn by an `st.fragment`: only that fragment reruns."""
    before = page.runs.fragment_runs
    target.click()
    page.runs.wait_until(lambda: page.runs.fragment_runs > before, "the fragment run to finish")


def click_in_step(page: Page, target) -> None:
    """Click a button of a lesson's step (app_pages/lesson.py) or of a scenario's scene
    (app_pages/scenario.py), both fragments: it reruns the step or the scene alone, or the
    whole page when the page around it changes (the lesson's mark at its last step, another
    lesson opened). Waits for whichever run it caused."""
    before = (page.runs.total, page.runs.fragment_runs)
    target.click()
    page.runs.wait_until(
        lambda: (page.runs.total, page.runs.fragment_runs) != before, "the step's run to finish"
    )


def click(page: Page, target) -> None:
    """Click something that reruns the script, and wait for that run to finish."""
    is_button = target.evaluate("element => element.tagName === 'BUTTON'")
    rerun_after(page, target.click, again_if_lost=is_button)


def type_and_enter(page: Page, field, text: str) -> None:
    """Fill a text field and press Enter (which commits it and reruns the script)."""
    field.fill(text)
    rerun_after(page, lambda: field.press("Enter"))


def main(page: Page):
    """The page's main area (not the sidebar)."""
    return page.get_by_test_id("stMain")


def session_cookie(page: Page) -> dict | None:
    cookies = [c for c in page.context.cookies() if c["name"] == "proxi_session"]
    return cookies[0] if cookies else None


def log_in(page: Page, identifier: str, password: str = DEMO_PASSWORD) -> None:
    """Use the login form; the app then sends the browser for its cookie and back to /."""
    open_app(page, "/")
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe").fill(password)
    # The app sends the browser to /proxi-auth/complete, which sets the cookie and 303s to /.
    loaded_after(page, page.get_by_role("button", name="Se connecter").click)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
    assert session_cookie(page), "logged in, but the browser holds no proxi_session cookie"


def log_out(page: Page) -> None:
    """The sidebar button; the app then sends the browser to /proxi-auth/logout and back."""
    open_sidebar(page)
    loaded_after(page, page.get_by_role("button", name="Se déconnecter").click)
    expect(page.get_by_label("Identifiant")).to_be_visible()


def open_sidebar(page: Page) -> None:
    """On a phone the sidebar starts collapsed: open it like a person would."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
    expect(page.get_by_test_id("stSidebarContent")).to_be_visible()


def go_to(page: Page, title: str) -> None:
    """Tap a page in the navigation (the sidebar on a phone: open it, tap, close it)."""
    open_sidebar(page)
    click(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name=title))
    close = page.get_by_test_id("stSidebarCollapseButton").get_by_role("button")
    if page.viewport_size["width"] < 768 and close.is_visible():
        close.click()
        expect(page.get_by_test_id("stSidebarContent")).not_to_be_in_viewport()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    taken.append(path)
    return path
