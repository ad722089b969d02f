"""Retention: detailed events older than the period go; progress and proof of training stay."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders import count
from streamlit.testing.v1 import AppTest

from proxi.cli import main
from proxi.ops import retention
from proxi.people import accounts, invitations, passwords
from proxi.people.permissions import OPERATOR
from proxi.progress import store
from proxi.progress.db import open_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=800)  # beyond the default two years
RECENT = NOW - timedelta(days=10)
DERIVED = ("lesson_progress", "block_answers", "module_progress", "scenario_progress", "resume")
PRIVACY_PAGE = str(Path(__file__).parent.parent / "app_pages" / "privacy.py")


def learn(db, person_id: int, when: datetime) -> None:
    """A lesson seen, a reflection, a quiz failed then passed, a scenario played to its end."""
    for step in range(2):
        store.record_step(db, person_id, "m1", "l1", step, 2, ["l1"], now=when)
    store.record_answer(db, person_id, "m1/l1#r", "Mon ressenti", None, {}, now=when)
    store.record_answer(db, person_id, "m1/l1#q", 2, True, {}, now=when)
    store.record_quiz(db, person_id, "m1", 10, 100, 70, ["l1"], now=when)
    store.record_quiz(db, person_id, "m1", 80, 100, 70, ["l1"], now=when)
    state = {"node": "fin", "history": [{"node": "debut", "choice": 0}]}
    store.record_scenario_state(db, person_id, "porte", state, "started", now=when)
    store.record_scenario_state(
        db, person_id, "porte", state, "chose", node_id="debut", response=0, now=when
    )
    store.record_scenario_state(
        db, person_id, "porte", state, "ended", response="fin", outcome="favourable", now=when
    )


def derived(db) -> dict[str, list[tuple]]:
    return {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}").fetchall())) for t in DERIVED}


def verbs(db, person_id: int) -> Counter:
    rows = db.execute(
        "SELECT verb FROM events WHERE person_id = :person_id", {"person_id": person_id}
    ).fetchall()
    return Counter(row[0] for row in rows)


@pytest.fixture
def two_learners(db, organisation):
    def person(identifier):
        return accounts.create_person(
            db,
            OPERATOR,
            identifier,
            identifier.title(),
            "mot-de-passe-long",
            organisation_id=organisation.id,
        )

    old, recent = person("ancien"), person("recent")
    learn(db, old.id, OLD)
    learn(db, recent.id, RECENT)
    return old, recent


def test_purge_deletes_old_detail_and_keeps_proof_of_training(db, two_learners):
    old, recent = two_learners
    before_recent = verbs(db, recent.id)
    done = retention.purge(db, now=NOW)
    assert done.days == 730 and done.cutoff.startswith("2024-06-01")
    assert verbs(db, old.id) == Counter(
        {"completed": 2, "passed": 1, "ended": 1}  # lesson + module completed, quiz, outcome
    )
    assert done.events_deleted == 7  # 2 steps, 2 answers, 1 failed quiz, start, choice
    assert verbs(db, recent.id) == before_recent


def test_purge_leaves_progress_and_the_learner_home_unchanged(db, two_learners):
    old, _ = two_learners
    before, home = derived(db), store.learner_overview(db, old.id)
    retention.purge(db, now=NOW)
    after = derived(db)
    assert store.learner_overview(db, old.id) == home
    assert home.module("m1")["status"] == "completed"
    # Only the old free-text answer was blanked; every other derived row is as it was.
    changed = set(before["block_answers"]) - set(after["block_answers"])
    assert [(row[1], row[4]) for row in changed] == [("m1/l1#r", '"Mon ressenti"')]
    assert {t: rows for t, rows in after.items() if t != "block_answers"} == {
        t: rows for t, rows in before.items() if t != "block_answers"
    }


def test_recent_free_text_is_kept(db, two_learners):
    _, recent = two_learners
    retention.purge(db, now=NOW)
    assert store.last_answer(db, recent.id, "m1/l1#r")["response"] == "Mon ressenti"


def test_purge_runs_in_small_batches_and_is_recorded(db, two_learners):
    done = retention.purge(db, 5, now=NOW, batch_size=3)
    assert done.events_deleted == 14  # both learners' detail is older than 5 days
    row = db.execute(
        "SELECT retention_days, events_deleted, answers_cleared FROM retention_purges"
    ).fetchone()
    assert row == (5, 14, 2)
    assert retention.purge(db, 5, now=NOW).events_deleted == 0  # a second run finds nothing


def test_sessions_expired_before_the_cutoff_are_deleted(db, learner):
    for moment in (OLD, RECENT):
        accounts.redeem_login_ticket(
            db, accounts.issue_login_ticket(db, learner.id, moment), moment
        )
    done = retention.purge(db, now=NOW)
    assert done.sessions_deleted == 1
    assert count(db, "web_sessions") == 1


def test_used_and_expired_invitation_links_are_deleted_a_valid_one_stays(db, learner, organisation):
    newcomer = accounts.create_person(
        db, OPERATOR, "nadia.neuve", "Nadia Neuve", organisation_id=organisation.id
    )
    invitations.issue(db, OPERATOR, learner.id, now=NOW - timedelta(days=20))  # expired
    used = invitations.issue(db, OPERATOR, learner.id, now=NOW - timedelta(days=2))
    invitations.redeem(db, used.token, "un-mot-de-passe-a-moi", now=NOW - timedelta(days=1))
    valid = invitations.issue(db, OPERATOR, newcomer.id, now=NOW - timedelta(days=1))
    retention.purge(db, now=NOW)
    hashes = [row[0] for row in db.execute("SELECT token_hash FROM invitations")]
    assert hashes == [passwords.token_hash(valid.token)]
    assert invitations.pending(db, valid.token, now=NOW).person.id == newcomer.id


def test_retention_period_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROXI_RETENTION_DAYS", "365")
    assert retention.retention_days() == 365
    monkeypatch.setenv("PROXI_RETENTION_DAYS", "deux ans")
    assert retention.retention_days() == 730
    monkeypatch.delenv("PROXI_RETENTION_DAYS")
    assert retention.retention_days() == 730


def test_a_period_under_one_day_is_refused_in_french(db):
    with pytest.raises(retention.RetentionError, match="nombre de jours ≥ 1"):
        retention.purge(db, 0)


def test_the_privacy_page_states_the_configured_period(monkeypatch):
    monkeypatch.setenv("PROXI_RETENTION_DAYS", "365")
    at = AppTest.from_file(PRIVACY_PAGE, default_timeout=30).run()
    assert "conservé **365 jours**" in "\n".join(m.value for m in at.markdown)


def test_purge_command(tmp_path, capsys):
    path = tmp_path / "progress.db"
    with open_db(path) as db:
        org = accounts.create_organisation(db, OPERATOR, "Ville", "ville")
        person = accounts.create_person(
            db, OPERATOR, "a", "A", "mot-de-passe-long", organisation_id=org.id
        )
        learn(db, person.id, datetime.now(UTC) - timedelta(days=100))
    assert main(["purge", "--days", "90", "--db", str(path)]) == 0
    assert "7 événements détaillés" in capsys.readouterr().out
    with open_db(path) as db:
        assert verbs(db, person.id) == Counter({"completed": 2, "passed": 1, "ended": 1})
