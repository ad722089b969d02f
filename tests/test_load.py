"""The small load test on the real server: 10 learners and a room of 15 phones at once.

`streamlit run app.py` on a free 127.0.0.1 port over a fresh demo database; the client of
bench/stclient.py logs the learners in through the login form and the cookie route, and
they tap through lessons and scenarios; then 15 phones join a group session with its code
and vote while the projector polls. Fails when a click errors, a phone cannot join, a vote
is lost or doubled, or the projector never shows the tally — never on timing (the timed
version is `make bench-load`).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from bench import bench_load, load, server

pytestmark = pytest.mark.slow  # a real server and its clients: not in test-fast

LEARNERS, PHONES = 10, 15


def test_ten_learners_and_fifteen_phones_on_the_real_server(tmp_path):
    db_path = tmp_path / "progress.db"
    seed = [sys.executable, "-m", "proxi", "demo", "--db", str(db_path), "--if-empty"]
    subprocess.run(seed, cwd=server.REPO_ROOT, check=True, capture_output=True, timeout=120)
    learners = load.learner_identifiers(db_path, LEARNERS)
    figures = bench_load.Figures()

    async def both(url: str) -> tuple:
        target = load.Proxi(url, bench_load.PASSWORD, learners, bench_load.TRAINER)
        tally = await bench_load.learners_phase(target, srv, LEARNERS, 8, (1.0, 2.0), figures)
        room_setup = lambda: load.open_group_session(db_path, bench_load.TRAINER, "bruit-nuit")  # noqa: E731
        room = await bench_load.room_phase(target, srv, PHONES, 6.0, figures, room_setup)
        return tally, room

    with server.served("app.py", server.server_env(db_path)) as srv:
        tally, room = asyncio.run(both(srv.url))

    assert figures.errors == []
    assert set(tally.seconds) & {"step", "choice"}, tally.seconds.keys()
    assert len(room.choices) == PHONES  # every phone voted; check_votes found each in the db
    assert room.projector_delay is not None
