"""The demo command: seeds only an empty database, and its accounts work."""

from __future__ import annotations

import pytest
from builders import count

from proxi.cli import main
from proxi.ops import demo
from proxi.people import accounts, passwords
from proxi.people.permissions import OPERATOR
from proxi.progress import events, store
from proxi.progress.db import open_db


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    # The demo creates 16 accounts; the cost parameters travel with each hash, so a cheaper
    # N here still verifies through the real code. test_accounts checks the real cost.
    monkeypatch.setattr(passwords, "SCRYPT_N", 2**10)


def counts(path) -> tuple[int, int]:
    with open_db(path) as db:
        return count(db, "people"), count(db, "events")


def test_demo_accounts_log_in_with_the_shared_password(db):
    assert demo.seed_demo(db) == 16
    for identifier, role in [
        ("coordination", "coordinator"),
        ("formatrice", "trainer"),
        ("manager.habitat", "manager"),
        ("manager.logis", "manager"),
        ("karim.haddad", "learner"),
    ]:
        assert accounts.authenticate(db, identifier, demo.DEMO_PASSWORD).has_role(role)
    assert len(accounts.list_organisations(db)) == 3


def test_demo_learners_have_varied_progress(db):
    demo.seed_demo(db)
    statuses = {row[0] for row in db.execute("SELECT status FROM module_progress")}
    assert {"completed", "in_progress", "quiz_failed"} <= statuses
    learners = accounts.list_people(db, role="learner")
    assert len(learners) == 12
    untouched = [p for p in learners if store.resume_point(db, p.id) is None]
    assert len(untouched) == 2
    assert count(db, "scenario_progress") > 0


def test_demo_if_empty_seeds_once_then_does_nothing(tmp_path):
    path = str(tmp_path / "progress.db")
    assert main(["demo", "--db", path, "--if-empty"]) == 0
    first = counts(path)
    assert first[0] == 16
    assert main(["demo", "--db", path, "--if-empty"]) == 0
    assert counts(path) == first


def test_demo_never_touches_a_database_that_has_people(tmp_path, capsys):
    path = str(tmp_path / "real.db")
    with open_db(path) as db:
        accounts.create_person(db, OPERATOR, "vrai.agent", "Vrai Agent", "mot-de-passe-long")
    assert main(["demo", "--db", path]) == 1
    assert "déjà des comptes" in capsys.readouterr().err
    assert main(["demo", "--db", path, "--if-empty"]) == 0
    assert main(["demo", "--db", path, "--people", "5", "--events", "50"]) == 1
    assert counts(path) == (1, 0)


@pytest.mark.slow  # a database at size: not in test-fast
def test_synthetic_database_has_the_requested_size_and_consistent_progress(tmp_path):
    path = str(tmp_path / "bench.db")
    assert main(["demo", "--db", path, "--people", "20", "--events", "3000"]) == 0
    with open_db(path) as db:
        assert db.execute("SELECT COUNT(*) FROM people WHERE roles = 'learner'").fetchone() == (20,)
        assert count(db, "events") == 3000
        before = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in events.TABLES}
        assert count(db, "module_progress") > 0 and count(db, "scenario_progress") > 0
        store.rebuild_derived(db)
        assert {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in before} == before
        assert accounts.authenticate(db, "apprenant.00001", demo.DEMO_PASSWORD)


def test_people_and_events_go_together(tmp_path, capsys):
    assert main(["demo", "--db", str(tmp_path / "x.db"), "--people", "5"]) == 1
    assert "vont ensemble" in capsys.readouterr().err
