"""The progress store: events and derived progress, written together, rebuilt identically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from proxi.people.permissions import OPERATOR
from proxi.progress import events, store

MODULE = "4-gestion-des-conflits"
LESSONS = ["01-tension", "02-ecoute"]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def read_lesson(db, person_id, lesson_id, step_count=3, at=START):
    for step in range(step_count):
        recorded = store.record_step(
            db, person_id, MODULE, lesson_id, step, step_count, LESSONS, now=at
        )
    return recorded


def derived_tables(db) -> dict[str, list[tuple]]:
    return {
        table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in events.TABLES
    }


def test_step_appends_an_event_and_moves_the_lesson_on(db, learner):
    store.record_step(db, learner.id, MODULE, "01-tension", 1, 3, LESSONS, now=START)
    [event] = store.history(db, learner.id)
    assert (event["verb"], event["object_type"], event["object_id"]) == (
        "viewed",
        "lesson",
        f"{MODULE}/01-tension",
    )
    assert event["context"]["lesson_ids"] == LESSONS
    assert store.lesson_position(db, learner.id, MODULE, "01-tension") == 1
    assert store.learner_overview(db, learner.id).module(MODULE)["status"] == "in_progress"


def test_lesson_completes_when_every_step_was_seen_in_any_order(db, learner):
    for step in (2, 0):
        recorded = store.record_step(db, learner.id, MODULE, "01-tension", step, 3, LESSONS)
        assert not recorded.lesson_completed
    recorded = store.record_step(db, learner.id, MODULE, "01-tension", 1, 3, LESSONS)
    assert recorded.lesson_completed
    lesson = store.lesson_states(db, learner.id, MODULE)["01-tension"]
    assert lesson["steps_seen"] == [0, 1, 2] and lesson["completed_at"]
    assert [e["verb"] for e in store.history(db, learner.id)][:2] == ["completed", "viewed"]


def test_module_completes_the_instant_the_quiz_is_passed_after_all_lessons(db, learner):
    for lesson_id in LESSONS:
        read_lesson(db, learner.id, lesson_id)
    assert store.learner_overview(db, learner.id).module(MODULE)["completed_at"] is None
    recorded = store.record_quiz(db, learner.id, MODULE, 8, 10, 70, LESSONS, now=START)
    assert recorded.module_completed
    module = store.learner_overview(db, learner.id).module(MODULE)
    assert module["status"] == "completed"
    assert module["completed_at"] == events.timestamp(START)
    assert (module["lessons_done"], module["lessons_total"], module["quiz_best"]) == (2, 2, 80.0)
    assert store.history(db, learner.id)[0]["object_type"] == "module"


def test_module_completes_on_the_last_lesson_when_the_quiz_was_passed_first(db, learner):
    store.record_quiz(db, learner.id, MODULE, 10, 10, 70, LESSONS)
    read_lesson(db, learner.id, LESSONS[0])
    assert store.learner_overview(db, learner.id).module(MODULE)["status"] == "in_progress"
    assert read_lesson(db, learner.id, LESSONS[1]).module_completed


def test_failed_quiz_then_passed_keeps_the_best_score(db, learner):
    for lesson_id in LESSONS:
        read_lesson(db, learner.id, lesson_id)
    failed = store.record_quiz(db, learner.id, MODULE, 5, 10, 70, LESSONS)
    assert not failed.module_completed
    module = store.learner_overview(db, learner.id).module(MODULE)
    assert (module["status"], module["quiz_best"]) == ("quiz_failed", 50.0)
    store.record_quiz(db, learner.id, MODULE, 9, 10, 70, LESSONS)
    store.record_quiz(db, learner.id, MODULE, 7, 10, 70, LESSONS)
    module = store.learner_overview(db, learner.id).module(MODULE)
    assert (module["status"], module["quiz_best"], module["quiz_attempts"]) == (
        "completed",
        90.0,
        3,
    )


def test_completion_survives_a_lesson_added_later(db, learner):
    for lesson_id in LESSONS:
        read_lesson(db, learner.id, lesson_id)
    store.record_quiz(db, learner.id, MODULE, 9, 10, 70, LESSONS)
    longer = [*LESSONS, "03-nouvelle"]
    store.record_step(db, learner.id, MODULE, "03-nouvelle", 0, 2, longer)
    module = store.learner_overview(db, learner.id).module(MODULE)
    assert module["status"] == "completed" and module["lessons_total"] == 3


def test_double_submitted_answer_is_recorded_once(db, learner):
    context = {"module_id": MODULE, "lesson_id": "01-tension"}
    first = store.record_answer(db, learner.id, "b1", [1], True, context, "answer-b1-1")
    second = store.record_answer(db, learner.id, "b1", [1], True, context, "answer-b1-1")
    assert not first.duplicate and second.duplicate and second.uuid == first.uuid
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
    assert store.last_answer(db, learner.id, "b1")["attempts"] == 1


def test_an_event_and_its_progress_are_written_together_or_not_at_all(db, learner, monkeypatch):
    def crash(*args):
        raise RuntimeError("power cut between the event and its progress")

    monkeypatch.setattr(store, "_write_rows", crash)
    with pytest.raises(RuntimeError):
        store.record_step(db, learner.id, MODULE, "01-tension", 0, 3, LESSONS)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    assert store.resume_point(db, learner.id) is None


def test_scenario_state_is_saved_after_every_move(db, learner):
    start = {"scenario": "bruit-nuit", "node": "loge", "vars": {"tension": 4}, "history": []}
    store.record_scenario_state(db, learner.id, "bruit-nuit", start, "started")
    moved = {**start, "node": "ecoute", "history": [{"node": "loge", "choice": 1}]}
    store.record_scenario_state(
        db, learner.id, "bruit-nuit", moved, "chose", node_id="loge", response=1
    )
    assert store.saved_scenario_state(db, learner.id, "bruit-nuit") == moved
    resume = store.resume_point(db, learner.id)
    assert (resume.kind, resume.scenario_id) == ("scenario", "bruit-nuit")
    path = db.execute(
        "SELECT node_id, choice_index, COUNT(*) FROM events"
        " WHERE scenario_id = :scenario_id AND verb = 'chose' GROUP BY node_id, choice_index",
        {"scenario_id": "bruit-nuit"},
    ).fetchall()
    assert path == [("loge", 1, 1)]


def test_a_choice_needs_its_node_and_index(db, learner):
    with pytest.raises(ValueError):
        store.record_scenario_state(db, learner.id, "bruit-nuit", {}, "chose")


def test_endings_reached_and_best_outcome(db, learner):
    for ending, outcome in (("fin_tendue", "defavorable"), ("fin_calme", "favourable")):
        store.record_scenario_state(db, learner.id, "bruit-nuit", {}, "started")
        store.record_scenario_state(
            db,
            learner.id,
            "bruit-nuit",
            {"node": ending},
            "ended",
            response=ending,
            outcome=outcome,
        )
    store.record_scenario_state(
        db, learner.id, "bruit-nuit", {}, "ended", response="fin_x", outcome="mitigee"
    )
    row = store.learner_overview(db, learner.id).scenarios["bruit-nuit"]
    assert row["plays"] == 2
    assert row["endings"] == ["fin_tendue", "fin_calme", "fin_x"]
    assert row["best_outcome"] == "favourable"


def test_group_session_moves_leave_personal_progress_alone(db, learner):
    store.record_scenario_state(
        db, learner.id, "bruit-nuit", {"node": "loge"}, "started", session_id="S1", mode="group"
    )
    assert store.saved_scenario_state(db, learner.id, "bruit-nuit") is None
    assert db.execute("SELECT session_id FROM events").fetchone()[0] == "S1"


def test_resume_point_follows_the_latest_activity(db, learner):
    assert store.resume_point(db, learner.id) is None
    store.record_scenario_state(db, learner.id, "hall-occupe", {}, "started")
    store.record_step(db, learner.id, MODULE, "02-ecoute", 2, 4, LESSONS)
    resume = store.resume_point(db, learner.id)
    assert (resume.kind, resume.module_id, resume.lesson_id, resume.step) == (
        "lesson",
        MODULE,
        "02-ecoute",
        2,
    )


def test_time_spent_adds_up_and_caps_a_forgotten_tab(db, learner):
    store.record_step(db, learner.id, MODULE, "01-tension", 0, 3, LESSONS, duration_s=40)
    store.record_step(db, learner.id, MODULE, "01-tension", 1, 3, LESSONS, duration_s=7200)
    spent = store.learner_overview(db, learner.id).time_spent
    assert spent[("module", MODULE)] == 40 + store.MAX_DURATION_S


def test_timestamps_are_utc_iso_8601_with_offset(db, learner):
    paris = datetime(2026, 3, 2, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    store.record_event(db, learner.id, "attended", "session", "S1", now=paris)
    assert store.history(db, learner.id)[0]["timestamp"] == "2026-03-02T10:00:00.000+00:00"


def test_rebuild_derived_gives_identical_tables(db, learner, organisation):
    from proxi.people import accounts

    other = accounts.create_person(
        db, OPERATOR, "isabelle.roux", "Isabelle Roux", "mot-de-passe-long"
    )
    for person in (learner, other):
        read_lesson(db, person.id, LESSONS[0])
        store.record_step(db, person.id, MODULE, LESSONS[1], 0, 2, LESSONS, duration_s=33.3)
        store.record_answer(db, person.id, "b1", {"a": "x"}, False, {"module_id": MODULE})
        store.record_quiz(db, person.id, MODULE, 6, 10, 70, LESSONS, duration_s=12.1)
        store.record_scenario_state(db, person.id, "bruit-nuit", {"node": "n"}, "started")
        store.record_scenario_state(
            db, person.id, "bruit-nuit", {"node": "f"}, "ended", response="f", outcome="mitigee"
        )
    read_lesson(db, learner.id, LESSONS[1], step_count=2)
    store.record_quiz(db, learner.id, MODULE, 9, 10, 70, LESSONS)
    live = derived_tables(db)
    assert all(live.values())
    for table in events.TABLES:
        db.execute(f"DELETE FROM {table}")
    assert store.rebuild_derived(db) == db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert derived_tables(db) == live


def test_rebuild_corrects_tampered_progress(db, learner):
    read_lesson(db, learner.id, LESSONS[0])
    db.execute("UPDATE lesson_progress SET completed_at = NULL, last_step = 0")
    store.rebuild_derived(db)
    assert store.lesson_states(db, learner.id, MODULE)[LESSONS[0]]["completed_at"]


@pytest.mark.parametrize(
    ("score", "max_score", "pass_mark", "passed"),
    [(7, 10, 70, True), (6, 10, 70, False)],  # the rule itself: test_quiz.py
)
def test_a_quiz_attempt_is_recorded_with_the_verdict_of_the_pass_rule(
    db, learner, score, max_score, pass_mark, passed
):
    recorded = store.record_quiz(db, learner.id, MODULE, score, max_score, pass_mark, LESSONS)
    [event] = store.history(db, learner.id)
    assert event["verb"] == ("passed" if passed else "failed")
    assert event["result"]["success"] is passed and recorded.duplicate is False


@pytest.mark.parametrize("step", [-1, 3])
def test_a_step_outside_the_lesson_is_refused_and_records_nothing(db, learner, step):
    with pytest.raises(ValueError, match="outside 0..2"):
        store.record_step(db, learner.id, MODULE, "01-tension", step, 3, LESSONS)
    assert store.history(db, learner.id) == []


def test_durations_are_kept_to_a_tenth_of_a_second(db, learner):
    store.record_step(db, learner.id, MODULE, "01-tension", 0, 3, LESSONS, duration_s=12.34)
    [event] = store.history(db, learner.id)
    assert event["result"]["duration_s"] == 12.3


def test_one_module_row_is_the_overviews_row(db, learner):
    """module_row (a lesson step's cheap check) reads what learner_overview reads."""
    assert store.module_row(db, learner.id, MODULE) is None
    read_lesson(db, learner.id, "01-tension")
    row = store.module_row(db, learner.id, MODULE)
    assert row == store.learner_overview(db, learner.id).modules[MODULE]
    assert row["status"] == "in_progress"
