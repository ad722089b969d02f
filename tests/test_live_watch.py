"""The phone's version (proxi.live.watch) and its route (app_pages/phone_watch.py): it changes
whenever the phone's screen must change, and only then, so an idle phone reruns nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from app_pages import phone_watch
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.live import signing
from proxi.live.watch import phone_version
from proxi.progress.db import open_db

MORNING = datetime(2026, 3, 12, 8, 30, tzinfo=UTC)


def test_the_version_moves_with_each_move_of_the_trainer_and_not_with_a_vote(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    mine, other = join_all(db, code, learners[:2])
    seen = [phone_version(db, mine.token)]

    def changed() -> bool:
        seen.append(phone_version(db, mine.token))
        return seen[-1] != seen[-2]

    assert not changed()  # nothing happened: an idle phone reruns nothing
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    assert changed()
    live.vote(db, mine.token, decision.id, 0)
    live.vote(db, other.token, decision.id, 1)
    assert not changed()  # a tap reruns the phone's ballot itself; others' votes show nothing
    live_flow.freeze(db, trainer, session_id)
    assert changed()
    live_flow.resume(db, trainer, session_id)
    assert changed() and seen[-1] == seen[-3]  # the ballot again, as the phone drew it
    live_flow.reveal(db, trainer, session_id, porte)
    assert changed()
    participant = live_room.participant_for(db, mine.token)
    live_room.assign_role(db, trainer, participant.id, "gardien")
    assert changed()  # the role card appears
    live_flow.end_session(db, trainer, session_id)
    assert changed()
    assert len(set(seen)) == len(seen) - 3  # never back to an earlier screen but the ballot


def test_the_version_moves_when_the_countdown_ends(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    (mine,) = join_all(db, code, learners[:1])
    live_flow.open_vote(db, trainer, session_id, porte, seconds=30)
    now = datetime.now(UTC)
    running = phone_version(db, mine.token, now)
    assert phone_version(db, mine.token, now + timedelta(seconds=29)) == running
    assert phone_version(db, mine.token, now + timedelta(seconds=31)) != running


def test_the_version_moves_with_the_attendance_sheets(make_people, join_all):
    db = open_db(":memory:")
    org, trainer, learners = make_people(db)
    session = live.create_session(
        db, trainer, "Journée", MORNING.date(), "journee", "Salle 2", [org.id], ["p"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    mine, other = join_all(db, code, learners[:2])
    before = phone_version(db, mine.token)
    signing.open_sheet(db, trainer, session.id, "matin", now=MORNING)
    opened = phone_version(db, mine.token)
    signing.sign(db, other.token, "matin", "téléphone", now=MORNING)
    assert phone_version(db, mine.token) == opened  # someone else's signature
    signing.sign(db, mine.token, "matin", "téléphone", now=MORNING)
    signed = phone_version(db, mine.token)
    signing.countersign(db, trainer, session.id, "matin", now=MORNING)
    assert len({before, opened, signed, phone_version(db, mine.token)}) == 4


def test_an_unknown_or_withdrawn_pass_has_no_version(room, join_all):
    db, trainer, learners, _, code = room
    (mine,) = join_all(db, code, learners[:1])
    assert phone_version(db, "pas-un-laissez-passer") is None
    assert phone_version(db, "") is None
    live_room.remove_participant(db, trainer, live_room.participant_for(db, mine.token).id)
    assert phone_version(db, mine.token) is None  # the phone then shows « rejoignez-la »


def test_the_route_answers_the_version_of_the_pass_in_its_header(
    porte, make_people, join_all, tmp_path, monkeypatch, asgi_get
):
    def ask(path: str, headers: dict[str, str]) -> tuple[int, dict, dict[str, str]]:
        status, answer, body = asgi_get(phone_watch.routes(), path, headers=headers.items())
        return status, json.loads(body), dict(answer)

    path = tmp_path / "progress.db"
    monkeypatch.setenv("PROXI_DB", str(path))  # the database the route's pool opens
    db = open_db(path)
    org, trainer, learners = make_people(db)
    session = live.create_session(
        db, trainer, "Séance", MORNING.date(), "matin", "Salle 2", [org.id], ["porte"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, porte)
    session_id = session.id
    (mine,) = join_all(db, code, learners[:1])
    status, body, headers = ask(phone_watch.VERSION_PATH, {phone_watch.PASS_HEADER: mine.token})
    assert status == 200 and body == {"version": phone_version(db, mine.token)}
    assert headers["cache-control"] == "no-store"  # a cached answer would hide a new vote
    live_flow.open_vote(db, trainer, session_id, porte)
    assert ask(phone_watch.VERSION_PATH, {phone_watch.PASS_HEADER: mine.token})[1] == {
        "version": phone_version(db, mine.token)
    }
    assert ask(phone_watch.VERSION_PATH, {phone_watch.PASS_HEADER: "faux"})[:2] == (
        404,
        {"version": None},
    )
    assert ask(phone_watch.VERSION_PATH, {})[:2] == (404, {"version": None})
