"""A real Streamlit server for a load test: started on a free 127.0.0.1 port, measured, stopped.

`served(script, db_path)` runs `streamlit run SCRIPT` from the repository (so it reads the
project's .streamlit/config.toml: Proxi and the empty page are served the same way) and
yields a `Server` whose CPU seconds and resident memory come from /proc.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from proxi.ops.serve import free_port, healthy

__all__ = ["free_port", "served", "served_by_proxy"]  # free_port: the e2e tests use it too

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log_path: Path

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


OWN_SETTINGS = {
    "PROXI_MODULES_DIR",
    "PROXI_SCENARIOS_DIR",
    "PROXI_SECRET",
    "PROXI_DB",
    "PROXI_DATABASE_URL",
}


def server_env(
    db_path: Path | str | None, secret: str | None = None, **extra: str
) -> dict[str, str]:
    """The server's environment: this one's, but for the database (a file, or a PostgreSQL
    URL) and the secret it is given."""
    env = {key: value for key, value in os.environ.items() if key not in OWN_SETTINGS}
    if isinstance(db_path, str) and db_path.startswith("postgresql://"):
        env["PROXI_DATABASE_URL"] = db_path
    elif db_path is not None:
        env["PROXI_DB"] = str(db_path)
    if secret:
        env["PROXI_SECRET"] = secret
    env.update(extra)
    return env


def start(script: str, env: dict[str, str], port: int | None = None, options=()) -> tuple:
    """(Popen, Server) for `streamlit run script`; the caller stops it with `stop`."""
    port = port or free_port()
    handle, log_name = tempfile.mkstemp(prefix="proxi-bench-", suffix=".log")
    command = [
        *(sys.executable, "-m", "streamlit", "run", script),
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true", "--server.fileWatcherType", "none"),
        *("--browser.gatherUsageStats", "false"),
        *options,
    ]
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", process.pid, Path(log_name))
    try:
        wait_healthy(server.url, process, server.log_path)
    except BaseException:
        stop(process)
        raise
    return process, server


def wait_healthy(url: str, process: subprocess.Popen | None, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"streamlit exited ({process.returncode}):\n{log_path.read_text()}")
        if healthy(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not healthy after {START_TIMEOUT_S}s:\n{log_path.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def served(script: str, env: dict[str, str], options=()):
    process, server = start(script, env, options=options)
    try:
        yield server
    finally:
        stop(process)
        server.log_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Group:
    """`python -m proxi serve`'s processes, measured together: the apps and nginx."""

    url: str
    pids: tuple[int, ...]

    def cpu_seconds(self) -> float:
        return sum(Server(self.url, pid, Path()).cpu_seconds() for pid in self.pids)

    def rss_mb(self) -> float:
        return sum(Server(self.url, pid, Path()).rss_mb() for pid in self.pids)


@contextlib.contextmanager
def served_by_proxy(script: str, env: dict[str, str], processes: int, options=()):
    """`script` run by `processes` Streamlit processes behind nginx (proxi/ops/serve.py)."""
    from proxi.ops import serve

    plan = serve.make_plan(REPO_ROOT / script, processes, "127.0.0.1", 0)
    handle, log_name = tempfile.mkstemp(prefix="proxi-bench-serve-", suffix=".log")
    try:
        with (
            os.fdopen(handle, "wb") as log,
            serve.running(plan, env, options, output=log) as running,
        ):
            yield Group(plan.url, tuple(p.pid for p in running.processes))
    finally:
        Path(log_name).unlink(missing_ok=True)
