"""The production mode (`python -m proxi serve`): several Streamlit processes behind nginx.

Real nginx (Debian's package; .ci/run installs it), real `streamlit run` processes on free
loopback ports, a fresh demo database. The group session test puts the projector on one
process and every phone on the other (chosen by the proxy's sticky cookie) and checks that
every vote reaches the projector and the database once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench import bench_load, load, server
from proxi.ops import serve

APP = server.REPO_ROOT / "app.py"
PHONES = 8

pytestmark = pytest.mark.slow


def with_demo(database: Path | str) -> Path | str:
    """The database, the demo seeded into it (`python -m proxi demo --if-empty`)."""
    seed = [sys.executable, "-m", "proxi", "demo", "--db", str(database), "--if-empty"]
    subprocess.run(seed, cwd=server.REPO_ROOT, check=True, capture_output=True, timeout=120)
    return database


@pytest.fixture
def demo_db(tmp_path) -> Path | str:
    return with_demo(tmp_path / "progress.db")


def answered_by(url: str, cookie: str) -> str:
    """The app process nginx sends a browser holding this process cookie to (behind a front,
    the container's nginx and its process, as bench/stclient.py names them)."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return ", ".join(response.headers.get_all("X-Proxi-Process"))


def one_cookie_per_process(url: str, count: int) -> dict[str, str]:
    """process -> a `proxi_process` cookie that lands there."""
    found: dict[str, str] = {}
    for number in range(200):
        cookie = f"proxi_process=essai-{number}"
        found.setdefault(answered_by(url, cookie), cookie)
        if len(found) == count:
            return found
    raise AssertionError(f"200 cookies reached only {sorted(found)}")


def test_the_proxy_configuration_is_accepted_by_nginx(tmp_path):
    plan = serve.make_plan(APP, 3, "127.0.0.1", 0, tmp_path / "run")
    config = serve.write_nginx_config(plan)
    checked = subprocess.run(
        serve.nginx_command(plan, config, "-t"), capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    for port in plan.app_ports:
        assert f"server 127.0.0.1:{port} " in config.read_text()


def test_a_front_alone_is_accepted_by_nginx_and_refuses_what_is_not_host_and_port(tmp_path):
    front = serve.make_plan(
        APP, 0, "127.0.0.1", 0, tmp_path / "front", upstreams=["127.0.0.1:8601", "[::1]:8602"]
    )
    config = serve.write_nginx_config(front)
    checked = subprocess.run(
        serve.nginx_command(front, config, "-t"), capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert front.app_ports == () and "server [::1]:8602 " in config.read_text()
    for wrong in ["proxi", "proxi:port", "proxi:8501; include /etc/passwd", ":8501"]:
        with pytest.raises(serve.ServeError, match="Attendu : HÔTE:PORT"):
            serve.make_plan(APP, 0, "127.0.0.1", 0, tmp_path / "x", upstreams=[wrong])


@pytest.fixture
def postgres_demo(migrated_postgres_url) -> Path | str:
    return with_demo(migrated_postgres_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_demo(request) -> Path | str:
    """The demo in the database every app process shares: one SQLite file on this machine,
    or one PostgreSQL database, as several machines would."""
    return request.getfixturevalue("demo_db" if request.param == "sqlite" else "postgres_demo")


def shared_environment(database: Path | str) -> dict[str, str]:
    # Every server of one deployment signs sessions with the same key.
    return server.server_env(database, secret="une-clé-partagée-" + "x" * 32)


def assert_a_session_spans_two_processes(url: str, database: Path | str) -> None:
    """Projector on one process, every phone on the other: every vote reaches the projector
    and the database once."""
    cookies = one_cookie_per_process(url, 2)
    (first, on_first), (second, on_second) = cookies.items()
    for _ in range(3):  # sticky: the same cookie, the same process
        assert answered_by(url, on_first) == first
    projecting = load.Proxi(url, bench_load.PASSWORD, [], bench_load.TRAINER, on_first)
    phones = load.Proxi(url, bench_load.PASSWORD, [], bench_load.TRAINER, on_second)
    figures = bench_load.Figures()

    def room_setup():
        return load.open_group_session(database, bench_load.TRAINER, "bruit-nuit")

    room = asyncio.run(
        bench_load.room_phase(phones, None, PHONES, 6.0, figures, room_setup, projecting)
    )
    assert figures.errors == []  # each phone joined and voted once; the database holds each vote
    assert len(room.choices) == PHONES
    assert room.projector_delay is not None  # the projector showed every vote
    assert room.processes == {"phones": {second}, "projector": {first}}


def test_a_group_session_works_with_the_projector_and_the_phones_on_two_processes(
    shared_demo, tmp_path
):
    plan = serve.make_plan(APP, 2, "127.0.0.1", 0, tmp_path / "run")
    with (
        open(tmp_path / "serve.log", "wb") as log,
        serve.running(plan, shared_environment(shared_demo), output=log),
    ):
        assert_a_session_spans_two_processes(plan.url, shared_demo)


def test_behind_a_front_a_browser_keeps_its_server_and_a_session_spans_two(postgres_demo, tmp_path):
    """compose.postgresql.yaml, as processes: two app servers (each a `serve` of its own, as
    a container runs it) on one PostgreSQL database, and a front (`serve --upstream`)."""
    environment = shared_environment(postgres_demo)
    servers = [serve.make_plan(APP, 1, "127.0.0.1", 0, tmp_path / f"app-{n}") for n in (1, 2)]
    front = serve.make_plan(
        APP, 0, "127.0.0.1", 0, tmp_path / "front",
        upstreams=[plan.url.removeprefix("http://") for plan in servers],
    )  # fmt: skip
    with contextlib.ExitStack() as running, open(tmp_path / "serve.log", "wb") as log:
        for plan in [*servers, front]:
            running.enter_context(serve.running(plan, environment, output=log))
        with urllib.request.urlopen(f"{front.url}/", timeout=10) as response:
            process_cookies = [
                cookie
                for cookie in response.headers.get_all("Set-Cookie")
                if cookie.startswith("proxi_process=")
            ]
            first_page_from = ", ".join(response.headers.get_all("X-Proxi-Process"))
        # One cookie, the front's: the server's own nginx hashed the same value.
        assert len(process_cookies) == 1, process_cookies
        cookie = process_cookies[0].split(";")[0]
        assert answered_by(front.url, cookie) == first_page_from
        assert_a_session_spans_two_processes(front.url, postgres_demo)


def test_the_command_starts_the_processes_and_stops_them_all(demo_db, tmp_path):
    port = serve.free_port()
    command = [sys.executable, "-m", "proxi", "serve", "--processes", "2", "--address",
               "127.0.0.1", "--port", str(port), "--db", str(demo_db)]  # fmt: skip
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        launcher = subprocess.Popen(command, cwd=server.REPO_ROOT, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 120
        while "processus derrière nginx" not in log.read_text() and launcher.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        children = children_of(launcher.pid)
        assert len(children) == 3, log.read_text()  # two apps and nginx
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as response:
            assert response.status == 200
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=60) == 0, log.read_text()
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    assert "Proxi arrêté." in log.read_text()
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists() and not zombie(pid)]


def children_of(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_when_one_process_stops_the_others_stop_and_the_command_fails(demo_db, tmp_path):
    plan = serve.make_plan(APP, 2, "127.0.0.1", 0, tmp_path / "run")
    seen: list[serve.Running] = []

    def one_dies(running: serve.Running) -> None:
        seen.append(running)
        os.kill(running.apps[0].pid, signal.SIGKILL)

    with (
        open(tmp_path / "serve.log", "wb") as log,
        pytest.raises(serve.ServeError, match=r"Streamlit \(port \d+\) » s'est arrêté"),
    ):
        serve.serve(plan, server.server_env(demo_db), on_ready=one_dies, output=log)
    assert all(process.poll() is not None for process in seen[0].processes)


def test_the_postgresql_compose_file_wires_the_topology_tested_above():
    import ipaddress
    from urllib.parse import urlsplit

    import yaml

    from proxi import cli

    text = (server.REPO_ROOT / "compose.postgresql.yaml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    services = compose["services"]
    front, app, database = services["front"], services["proxi"], services["postgres"]
    assert front["build"] == app["build"] == "." and front["image"] == app["image"]
    assert front["command"][:3] == ["python", "-m", "proxi"]
    command = cli.build_parser().parse_args(front["command"][3:])
    assert command.upstream == ["proxi:8501"] and command.processes is None
    assert (command.address, command.port) == ("0.0.0.0", 8501)
    # Only the front is reachable, and only from this host (the HTTPS proxy).
    assert front["ports"] == ["127.0.0.1:8501:8501"]
    assert "ports" not in app and "ports" not in database
    url = urlsplit(app["environment"]["PROXI_DATABASE_URL"])
    assert (url.hostname, url.port, url.path) == ("postgres", 5432, "/proxi")
    assert (url.username, "/" + database["environment"]["POSTGRES_DB"]) == ("proxi", url.path)
    assert database["environment"]["POSTGRES_USER"] == url.username
    assert "PROXI_SECRET:?" in app["environment"]["PROXI_SECRET"]  # the same on every container
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert front["depends_on"]["proxi"]["condition"] == "service_healthy"
    # The app containers believe X-Forwarded-For from the front only (and the host's proxy).
    subnet = ipaddress.ip_network(compose["networks"]["proxi"]["ipam"]["config"][0]["subnet"])
    front_address = ipaddress.ip_address(front["networks"]["proxi"]["ipv4_address"])
    trusted = app["environment"]["PROXI_TRUSTED_PROXIES"].split(",")
    assert front_address in subnet and str(front_address) in trusted
    assert "proxi-scenarios:/app/scenarios" in app["volumes"]


def test_the_image_and_compose_run_the_production_mode():
    import yaml

    dockerfile = (server.REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["python", "-m", "proxi", "serve"' in dockerfile
    assert "install -y -qq --no-install-recommends nginx" in dockerfile
    compose = yaml.safe_load((server.REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["proxi"]
    assert service["build"] == "." and "proxi-donnees:/app/progress" in service["volumes"]
    assert service["ports"] == ["127.0.0.1:8501:8501"]
