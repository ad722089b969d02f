"""Production mode: one Streamlit process per core behind nginx, started by one command.

    python -m proxi serve [--processes N] [--address 0.0.0.0] [--port 8501]

One Python process serves one core (the GIL), so a room of phones and a hundred learners
need several. This module is the one place that knows how: it prepares the shared state
(schema migrated once, the cookie secret), starts N `streamlit run app.py` on free loopback
ports, writes nginx's configuration from `nginx.conf` beside this file (sticky sessions by a
cookie, websockets) and runs nginx in front of them, then watches them all: if one stops,
it stops the others and exits non-zero, so the container's restart policy starts afresh.

What the processes share, and why it is enough:
- the SQLite database in WAL mode (proxi/progress/db.py): every read and write goes through
  it, group sessions included (the projector and the phones only meet in the database), so a
  projector and its phones may sit on different processes;
- the signing secret ($PROXI_SECRET or `secret.key`, made here before any process starts),
  and Streamlit's own cookie secret derived from it (XSRF tokens stay valid across restarts);
- the content folders (each process re-reads a file whose fingerprint changed).

The same command is the front of several machines or containers: `--upstream HOST:PORT`
runs nginx alone in front of Proxi servers started elsewhere (each its own `serve`, all on one
PostgreSQL database; compose.postgresql.yaml). The process cookie chosen by the front travels
to the next proxy, which hashes the same value: a browser keeps its container and its process.

`make run` stays one process.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from proxi.errors import ProxiError
from proxi.progress.db import database_path, open_db
from proxi.web.auth import load_secret

TEMPLATE = Path(__file__).with_name("nginx.conf")
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
LOOPBACK = "127.0.0.1"


class ServeError(ProxiError):
    """The production mode could not start, or one of its processes stopped."""


@dataclass(frozen=True)
class Plan:
    """What to run: the public address, the app processes' ports, the run folder, and the
    Proxi servers started elsewhere that nginx also spreads browsers over."""

    app: Path  # app.py; its folder holds .streamlit/config.toml
    address: str
    port: int
    app_ports: tuple[int, ...]
    run_dir: Path
    own_run_dir: bool = False  # made for this run: removed when it stops
    upstreams: tuple[str, ...] = ()  # "host:port" of other machines' or containers' servers

    @property
    def servers(self) -> list[str]:
        """Every "host:port" nginx spreads browsers over: the processes here, then the others."""
        return [*(f"{LOOPBACK}:{port}" for port in self.app_ports), *self.upstreams]

    @property
    def url(self) -> str:
        host = LOOPBACK if self.address in ("0.0.0.0", "") else self.address
        return f"http://{host}:{self.port}"


def default_processes() -> int:
    """$PROXI_PROCESSES, else one per core this process may use."""
    chosen = os.environ.get("PROXI_PROCESSES")
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise ServeError(
                f"PROXI_PROCESSES doit être un nombre entier positif (reçu : {chosen})."
            )
        return int(chosen)
    return len(os.sched_getaffinity(0))


def make_plan(
    app: Path,
    processes: int,
    address: str,
    port: int,
    run_dir: Path | None = None,
    upstreams: Sequence[str] = (),
) -> Plan:
    if processes < 1 and not upstreams:
        raise ServeError("Il faut au moins un processus.")
    for upstream in upstreams:
        _check_upstream(upstream)
    if not app.is_file():
        raise ServeError(f"{app} introuvable : lancez la commande depuis le dossier de Proxi.")
    folder = run_dir or Path(tempfile.mkdtemp(prefix="proxi-serve-"))
    folder.mkdir(parents=True, exist_ok=True)
    # nginx's workers (another user when it is started as root) read their files in there.
    folder.chmod(0o755)
    ports = tuple(free_port() for _ in range(processes))
    return Plan(
        app.resolve(),
        address,
        port or free_port(),
        ports,
        folder,
        run_dir is None,
        tuple(upstreams),
    )


def _check_upstream(upstream: str) -> None:
    host, _, port = upstream.rpartition(":")
    if not host or not port.isdigit() or any(c.isspace() or c in ";{}" for c in upstream):
        raise ServeError(
            f"Serveur amont invalide : « {upstream} ». Attendu : HÔTE:PORT (par exemple proxi:8501)."
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


# --- nginx ----------------------------------------------------------------------------------


class _Fields(string.Template):
    delimiter = "@"  # nginx uses `$` for its own variables


def nginx_config(plan: Plan) -> str:
    servers = "\n".join(
        f"        server {address} max_fails=1 fail_timeout=5s;" for address in plan.servers
    )
    listen = (
        f"[{plan.address}]:{plan.port}" if ":" in plan.address else f"{plan.address}:{plan.port}"
    )
    return _Fields(TEMPLATE.read_text(encoding="utf-8")).substitute(
        run_dir=plan.run_dir,
        upload_mb=f"{_upload_limit_mb(plan.app) + 1}m",
        upstream_servers=servers,
        listen=listen,
    )


def _upload_limit_mb(app: Path) -> int:
    config = app.parent / ".streamlit" / "config.toml"
    if not config.is_file():
        return 200  # Streamlit's default
    return int(
        tomllib.loads(config.read_text(encoding="utf-8"))
        .get("server", {})
        .get("maxUploadSize", 200)
    )


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise ServeError(
            "nginx est introuvable : installez le paquet nginx (apt-get install nginx), "
            "ou utilisez l'image Docker de Proxi (docs/exploitation.md)."
        )
    return found


def write_nginx_config(plan: Plan) -> Path:
    plan.run_dir.mkdir(parents=True, exist_ok=True)
    path = plan.run_dir / "nginx.conf"
    path.write_text(nginx_config(plan), encoding="utf-8")
    return path


def nginx_command(plan: Plan, config: Path, *extra: str) -> list[str]:
    folder = str(plan.run_dir)
    return [
        nginx_binary(),
        "-p",
        folder,
        "-e",
        "stderr",
        "-c",
        str(config),
        "-g",
        "daemon off;",
        *extra,
    ]


# --- The app processes ----------------------------------------------------------------------


def shared_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment every app process gets: one database, one secret, nginx trusted.

    Also prepares what they share before any of them starts: the schema is migrated and the
    secret file made here, once (proxi/progress/db.py and web/auth.py are safe against a race,
    this keeps the start quiet)."""
    env = dict(base)
    target = database_path(env.get("PROXI_DATABASE_URL") or env.get("PROXI_DB"))
    if isinstance(target, Path):
        target = target.resolve()
        env["PROXI_DB"] = str(target)
    open_db(target).close()
    with _environ(env):
        secret = load_secret(target)
    env.setdefault(
        "STREAMLIT_SERVER_COOKIE_SECRET",
        hmac.new(secret, b"streamlit server.cookieSecret", hashlib.sha256).hexdigest(),
    )
    trusted = [a.strip() for a in env.get("PROXI_TRUSTED_PROXIES", "").split(",") if a.strip()]
    env["PROXI_TRUSTED_PROXIES"] = ",".join(dict.fromkeys([*trusted, LOOPBACK]))
    return env


@contextlib.contextmanager
def _environ(env: Mapping[str, str]) -> Iterator[None]:
    """load_secret reads $PROXI_SECRET: let it see the children's environment."""
    saved = os.environ.get("PROXI_SECRET")
    if "PROXI_SECRET" in env:
        os.environ["PROXI_SECRET"] = env["PROXI_SECRET"]
    else:
        os.environ.pop("PROXI_SECRET", None)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PROXI_SECRET", None)
        else:
            os.environ["PROXI_SECRET"] = saved


def app_command(plan: Plan, port: int, options: Sequence[str] = ()) -> list[str]:
    return [
        *(sys.executable, "-m", "streamlit", "run", str(plan.app)),
        *("--server.port", str(port), "--server.address", LOOPBACK),
        *("--server.headless", "true", "--server.fileWatcherType", "none"),
        *options,
    ]


# --- Running them ---------------------------------------------------------------------------


@dataclass
class Running:
    """The started processes: the apps, then nginx (last started, first stopped)."""

    plan: Plan
    apps: list[subprocess.Popen]
    proxy: subprocess.Popen | None = None

    @property
    def processes(self) -> list[subprocess.Popen]:
        return [*self.apps, *([self.proxy] if self.proxy else [])]

    def stopped(self) -> subprocess.Popen | None:
        """A process that has exited, if any."""
        return next((p for p in self.processes if p.poll() is not None), None)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.plan.own_run_dir:
            shutil.rmtree(self.plan.run_dir, ignore_errors=True)


def start(
    plan: Plan,
    env: Mapping[str, str],
    options: Sequence[str] = (),
    output: IO[bytes] | None = None,
) -> Running:
    """Start the app processes, wait until each answers (and each server elsewhere), then
    nginx in front of them. A front alone (no process of its own) touches no database."""
    shared = shared_environment(env) if plan.app_ports else dict(env)
    config = write_nginx_config(plan)
    checked = subprocess.run(
        nginx_command(plan, config, "-t", "-q"), capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        raise ServeError(f"configuration nginx refusée : {checked.stderr.strip()}")
    running = Running(plan, [])
    try:
        for port in plan.app_ports:
            running.apps.append(_spawn(app_command(plan, port, options), plan, shared, output))
        for address in plan.servers:
            _wait_healthy(f"http://{address}", running)
        running.proxy = _spawn(nginx_command(plan, config), plan, shared, output)
        _wait_healthy(plan.url, running)
    except BaseException:
        running.stop()
        raise
    return running


def _spawn(command: list[str], plan: Plan, env: Mapping[str, str], output) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=plan.app.parent, env=dict(env), stdout=output, stderr=output
    )


def _name(process: subprocess.Popen) -> str:
    """« nginx » or « streamlit run … --server.port 41234 », for a French message."""
    words = [str(word) for word in process.args] if isinstance(process.args, list) else []
    if words and words[0].endswith("nginx"):
        return "nginx"
    port = words[words.index("--server.port") + 1] if "--server.port" in words else "?"
    return f"Streamlit (port {port})"


def healthy(url: str) -> bool:
    """Whether the Streamlit server (or nginx in front of one) at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait_healthy(url: str, running: Running) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        gone = running.stopped()
        if gone is not None:
            raise ServeError(f"« {_name(gone)} » s'est arrêté au démarrage ({gone.returncode}).")
        if healthy(url):
            return
        time.sleep(0.2)
    raise ServeError(f"{url} ne répond pas après {START_TIMEOUT_S:.0f} s.")


@contextlib.contextmanager
def running(
    plan: Plan, env: Mapping[str, str], options: Sequence[str] = (), output=None
) -> Iterator[Running]:
    """Started for the block, stopped after it (benchmarks and tests)."""
    started = start(plan, env, options, output)
    try:
        yield started
    finally:
        started.stop()


def serve(plan: Plan, env: Mapping[str, str], on_ready=None, output=None) -> int:
    """Run until SIGTERM or SIGINT (0), or until one process stops on its own (1)."""
    asked_to_stop: list[int] = []

    def stop_asked(signum, _frame) -> None:
        asked_to_stop.append(signum)

    previous = {s: signal.signal(s, stop_asked) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        started = start(plan, env, output=output)
        try:
            if on_ready is not None:
                on_ready(started)
            while not asked_to_stop:
                gone = started.stopped()
                if gone is not None:
                    raise ServeError(
                        f"« {_name(gone)} » s'est arrêté ({gone.returncode}) : "
                        "arrêt des autres processus."
                    )
                time.sleep(0.5)
        finally:
            started.stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0
