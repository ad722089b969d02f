"""The production mode (`python -m proxi serve`): several Streamlit processes behind nginx.

Real nginx (Debian's package; .ci/run installs it), real `streamlit run` processes on free
loopback ports, a fresh demo database. The group session test puts the projector on one
process and every phone on the other (chosen by the proxy's sticky cookie) and checks that
every vote reaches the projector and the database once.
"""

from __future__ import annotations

import asyncio
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


@pytest.fixture
def demo_db(tmp_path) -> Path:
    db_path = tmp_path / "progress.db"
    seed = [sys.executable, "-m", "proxi", "demo", "--db", str(db_path), "--if-empty"]
    subprocess.run(seed, cwd=server.REPO_ROOT, check=True, capture_output=True, timeout=120)
    return db_path


def answered_by(url: str, cookie: str) -> str:
    """The app process nginx sends a browser holding this process cookie to."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Proxi-Process"]


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


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_demo(request, tmp_path) -> Path | str:
    """The demo in the database every app process shares: one SQLite file on this machine,
    or one PostgreSQL database, as several machines would."""
    if request.param == "sqlite":
        return request.getfixturevalue("demo_db")
    url = request.getfixturevalue("migrated_postgres_url")
    seed = [sys.executable, "-m", "proxi", "demo", "--db", url, "--if-empty"]
    subprocess.run(seed, cwd=server.REPO_ROOT, check=True, capture_output=True, timeout=120)
    return url


def test_a_group_session_works_with_the_projector_and_the_phones_on_two_processes(
    shared_demo, tmp_path
):
    plan = serve.make_plan(APP, 2, "127.0.0.1", 0, tmp_path / "run")
    figures = bench_load.Figures()
    # Every server of one deployment signs sessions with the same key.
    environment = server.server_env(shared_demo, secret="une-clé-partagée-" + "x" * 32)
    with (
        open(tmp_path / "serve.log", "wb") as log,
        serve.running(plan, environment, output=log),
    ):
        cookies = one_cookie_per_process(plan.url, 2)
        (first, on_first), (second, on_second) = cookies.items()
        for _ in range(3):  # sticky: the same cookie, the same process
            assert answered_by(plan.url, on_first) == first
        projecting = load.Proxi(plan.url, bench_load.PASSWORD, [], bench_load.TRAINER, on_first)
        phones = load.Proxi(plan.url, bench_load.PASSWORD, [], bench_load.TRAINER, on_second)

        def room_setup():
            return load.open_group_session(shared_demo, bench_load.TRAINER, "bruit-nuit")

        room = asyncio.run(
            bench_load.room_phase(phones, None, PHONES, 6.0, figures, room_setup, projecting)
        )

    assert figures.errors == []  # each phone joined and voted once; the database holds each vote
    assert len(room.choices) == PHONES
    assert room.projector_delay is not None  # the projector showed every vote
    assert room.processes == {"phones": {second}, "projector": {first}}


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


def test_the_image_and_compose_run_the_production_mode():
    import yaml

    dockerfile = (server.REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["python", "-m", "proxi", "serve"' in dockerfile
    assert "install -y -qq --no-install-recommends nginx" in dockerfile
    compose = yaml.safe_load((server.REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["proxi"]
    assert service["build"] == "." and "proxi-donnees:/app/progress" in service["volumes"]
    assert service["ports"] == ["127.0.0.1:8501:8501"]
