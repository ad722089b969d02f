"""Real-browser fixtures: Proxi served by `streamlit run` on a free port, and Debian's chromium.

The server runs once for the whole test session with a temporary database seeded with the
demo (`python -m proxi demo --if-empty`). The browser is launched once for this package and
closed when its last test ends: Playwright's sync API keeps an asyncio loop marked as running
in this thread, which would break any later test that calls `asyncio.run`.

Without /usr/bin/chromium the browser tests are skipped with a message; with CI=true they
fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.server import free_port, wait_healthy
from bench.stclient import Tab

from .browser import CHROMIUM, LAUNCH_ARGS, SCREENSHOTS, taken

REPO = Path(__file__).resolve().parents[2]
skipped: list[str] = []  # why the browser tests did not run, said once at the end


@dataclass(frozen=True)
class Server:
    url: str
    db_path: Path | str  # the SQLite file, or the PostgreSQL URL
    log_path: Path


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's chromium, or a skip (a failure in CI) saying why the browser tests did not run."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is absent (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (pip install -e '.[dev]')"
    if problem is None:
        return str(CHROMIUM)
    if _in_ci():
        pytest.fail(f"Browser tests cannot run in CI: {problem}.", pytrace=False)
    skipped.append(f"Browser tests skipped: {problem}.")
    pytest.skip(skipped[-1])


@pytest.fixture(scope="session")
def proxi_server(tmp_path_factory, chromium_executable) -> Server:
    """`streamlit run app.py` on a free port with a fresh demo database; stopped at the end."""
    with serving(tmp_path_factory.mktemp("proxi-e2e")) as server:
        yield server


@pytest.fixture(scope="session")
def proxi_server_on_postgresql(tmp_path_factory, chromium_executable, session_postgres_url):
    """The same server on a PostgreSQL database, the demo seeded into it."""
    with serving(tmp_path_factory.mktemp("proxi-e2e-pg"), database=session_postgres_url) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def each_server(request) -> Server:
    """For the journeys that prove the store end to end: the server on each engine."""
    on_sqlite = request.param == "sqlite"
    return request.getfixturevalue("proxi_server" if on_sqlite else "proxi_server_on_postgresql")


@contextlib.contextmanager
def serving(folder: Path, database: str | None = None, **environment: str) -> Iterator[Server]:
    """A Proxi server of its own: a demo database in `folder` (or the PostgreSQL `database`),
    `environment` on top of ours (a journey that publishes points PROXI_SCENARIOS_DIR at a
    copy, never at the repo's)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"PROXI_MODULES_DIR", "PROXI_SCENARIOS_DIR", "PROXI_SECRET", "PROXI_DATABASE_URL"}
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db_path: Path | str
    if database:
        db_path = env["PROXI_DATABASE_URL"] = database
        env["PROXI_SECRET"] = "clé-des-parcours-" + "x" * 32  # required with a server database
    else:
        db_path = folder / "progress.db"
        env["PROXI_DB"] = str(db_path)
    # The links the app prints (invitations, proofs' QR codes) lead to this server.
    env["PROXI_PUBLIC_URL"] = url
    env.update(environment)
    seed = [sys.executable, "-m", "proxi", "demo", "--db", str(db_path), "--if-empty"]
    subprocess.run(seed, cwd=REPO, env=env, check=True, capture_output=True, timeout=120)
    log_path = folder / "streamlit.log"
    command = [
        *(sys.executable, "-m", "streamlit", "run", "app.py"),
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true", "--server.fileWatcherType", "none"),
        *("--browser.gatherUsageStats", "false"),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, process, log_path)
        warm_up(url)
        yield Server(url, db_path, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up(url: str) -> None:
    """One full script run before the first test. A fresh server's first run imports every
    page; on a loaded machine that alone outlasted the browser's 20 s wait, so the first
    browser test failed for a reason no user meets twice. Over the websocket (no browser,
    no login, nothing written), in a thread of its own: Playwright may already hold this
    thread's event loop."""

    async def first_run() -> None:
        tab = Tab(url)
        try:
            await tab.open()
        finally:
            await tab.close()

    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(first_run())
        except BaseException as error:  # handed to the fixture below
            failures.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


@pytest.fixture(scope="package")
def chromium_browser(chromium_executable):
    """One headless chromium for the package; each test opens its own contexts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=LAUNCH_ARGS, headless=True
        )
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter) -> None:
    if skipped:
        terminalreporter.write_line(skipped[0], yellow=True)
    if taken:
        terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")
