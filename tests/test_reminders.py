"""Due dates that reach people: who a date holds for, and the reminders a real SMTP server
receives across a simulated month (the clock is a parameter)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from proxi.errors import NotAllowed
from proxi.mail import MailConfig
from proxi.ops import reminders
from proxi.people import accounts, audit, follow_up
from proxi.people.permissions import OPERATOR
from proxi.progress import due_dates, store
from proxi.progress.db import open_db

PASSWORD = "mot-de-passe-solide"
TITLES = {"m1": "Accueillir", "m2": "Désamorcer"}
DUE = date(2026, 3, 10)


def finish(db, person_id: int, module_id: str, on: date) -> None:
    at = datetime(on.year, on.month, on.day, 9, tzinfo=UTC)
    store.record_step(db, person_id, module_id, "l1", 0, 1, ["l1"], now=at)
    store.record_quiz(db, person_id, module_id, 9, 10, 70, ["l1"], now=at)


@pytest.fixture
def office():
    """Habitat A: a manager, three learners on two teams (sites); Logis B: one learner."""
    db = open_db(":memory:")
    a = accounts.create_organisation(db, OPERATOR, "Habitat A", "bailleur").id
    b = accounts.create_organisation(db, OPERATOR, "Logis B", "bailleur").id
    people = {
        "manager": ("chef", "Julien Chef", a, "", ("manager",)),
        "alice": ("alice", "Alice Abri", a, "Nord", ("learner",)),
        "arthur": ("arthur", "Arthur Ache", a, "Sud", ("learner",)),
        "anna": ("anna", "Anna Nord", a, "Nord", ("learner",)),
        "bruno": ("bruno", "Bruno Bel", b, "Nord", ("learner",)),
        "coord": ("coord", "Claire Coord", None, "", ("coordinator",)),
    }
    found = {"org_a": a, "org_b": b}
    for key, (identifier, name, org, site, roles) in people.items():
        found[key] = accounts.create_person(
            db, OPERATOR, identifier, name, PASSWORD, organisation_id=org, site=site, roles=roles,
            email=f"{identifier}@exemple.fr",
        )  # fmt: skip
    return db, found


def set_for(db, who, module_id, on, **target):
    follow_up.set_due_date(db, who, module_id, on, **target)


def test_the_most_precise_date_holds_person_then_team_then_organisation(office):
    db, p = office
    manager = p["manager"]
    set_for(db, manager, "m1", date(2026, 4, 30), organisation_id=p["org_a"])
    set_for(db, manager, "m1", date(2026, 4, 15), organisation_id=p["org_a"], site="Nord")
    set_for(db, manager, "m1", date(2026, 4, 1), person_id=p["alice"].id)
    held = {
        name: [d.due_on for d in due_dates.for_person(db, p[name].id)]
        for name in ("alice", "anna", "arthur", "bruno")
    }
    assert held == {
        "alice": ["2026-04-01"],
        "anna": ["2026-04-15"],
        "arthur": ["2026-04-30"],
        "bruno": [],
    }
    set_for(db, manager, "m1", None, person_id=p["alice"].id)  # removed: the team's holds
    assert [d.due_on for d in due_dates.for_person(db, p["alice"].id)] == ["2026-04-15"]


def test_a_manager_sets_dates_only_in_their_organisation(office):
    db, p = office
    with pytest.raises(NotAllowed):
        set_for(db, p["manager"], "m1", DUE, person_id=p["bruno"].id)
    with pytest.raises(NotAllowed):
        set_for(db, p["manager"], "m1", DUE, organisation_id=p["org_b"])
    with pytest.raises(NotAllowed):
        set_for(db, p["alice"], "m1", DUE, person_id=p["alice"].id)
    set_for(db, p["coord"], "m1", DUE, person_id=p["bruno"].id)
    assert [d.due_on for d in due_dates.for_person(db, p["bruno"].id)] == ["2026-03-10"]


def test_the_learner_sees_late_first_then_by_date_and_finished_last(office):
    db, p = office
    set_for(db, p["manager"], "m1", date(2026, 3, 20), person_id=p["alice"].id)
    set_for(db, p["manager"], "m2", date(2026, 3, 5), person_id=p["alice"].id)
    today = date(2026, 3, 8)
    dues = due_dates.for_person(db, p["alice"].id)
    assert [(d.module_id, d.late(today)) for d in dues] == [("m2", True), ("m1", False)]
    assert dues[0].phrase(today) == "En retard : à terminer pour le 05/03/2026"
    assert dues[1].phrase(today) == "À terminer pour le 20/03/2026 (dans 12 jours)"
    finish(db, p["alice"].id, "m2", date(2026, 3, 7))
    dues = due_dates.for_person(db, p["alice"].id)
    assert [(d.module_id, d.completed) for d in dues] == [("m1", False), ("m2", True)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 2), None),  # 8 days before
        (date(2026, 3, 3), "avant"),
        (date(2026, 3, 10), "avant"),  # the day itself
        (date(2026, 3, 11), "retard-0"),
        (date(2026, 3, 17), "retard-0"),
        (date(2026, 3, 18), "retard-1"),
        (date(2026, 3, 25), "retard-2"),
    ],
)
def test_the_schedule_of_one_due_date(today, expected):
    assert reminders.step(due_dates.Due(1, "m1", DUE.isoformat(), False), today) == expected
    assert reminders.step(due_dates.Due(1, "m1", DUE.isoformat(), True), today) is None


def test_a_simulated_month_sends_exactly_the_expected_reminders(office, smtp_server):
    """Due on 10 March for the whole of Habitat A: Alice finished on 1 March, Anna finishes
    on 15 March, Arthur never does; the command runs every day, twice on the 11th."""
    db, p = office
    set_for(db, p["manager"], "m1", DUE, organisation_id=p["org_a"])
    finish(db, p["alice"].id, "m1", date(2026, 3, 1))
    config = smtp_server.config()
    received: list[tuple[str, str]] = []
    day = date(2026, 3, 1)
    while day <= date(2026, 3, 31):
        if day == date(2026, 3, 15):
            finish(db, p["anna"].id, "m1", day)
        for _ in range(2 if day == date(2026, 3, 11) else 1):
            run = reminders.send_reminders(db, config, day, TITLES)
            received += [(day.isoformat(), r.email) for r in run.sent]
        day += timedelta(days=1)
    assert received == [
        ("2026-03-03", "anna@exemple.fr"),
        ("2026-03-03", "arthur@exemple.fr"),
        ("2026-03-11", "anna@exemple.fr"),
        ("2026-03-11", "arthur@exemple.fr"),
        ("2026-03-18", "arthur@exemple.fr"),
        ("2026-03-25", "arthur@exemple.fr"),
    ]
    to_learners = [m for m in smtp_server.messages if "point de la semaine" not in m["Subject"]]
    assert [m["To"] for m in to_learners] == [email for _, email in received]
    assert not any(
        m["To"] in ("alice@exemple.fr", "bruno@exemple.fr") for m in smtp_server.messages
    )
    late = to_learners[-1]
    assert late["Subject"] == "Proxi : le module « Accueillir » était à terminer pour le 10/03/2026"
    body = late.get_content().replace("\r\n", "\n")
    assert body.startswith("Bonjour Arthur Ache,")
    assert "il n'est pas encore terminé" in body and "/modules?module=m1" in body


def test_a_failed_message_is_retried_by_the_next_run_and_no_address_is_reported(
    office, smtp_server
):
    db, p = office
    accounts.update_person(db, OPERATOR, p["anna"].id, email=None)
    set_for(db, p["manager"], "m1", DUE, person_id=p["arthur"].id)
    set_for(db, p["manager"], "m1", DUE, person_id=p["anna"].id)
    closed = MailConfig("127.0.0.1", 9, "formation@proxi.test")  # nothing listens there
    first = reminders.send_reminders(db, closed, date(2026, 3, 4), TITLES)
    assert [r.name for r, _ in first.failed] == ["Arthur Ache"] and not first.sent
    assert [r.name for r in first.no_address] == ["Anna Nord"]
    again = reminders.send_reminders(db, smtp_server.config(), date(2026, 3, 5), TITLES)
    assert [r.name for r in again.sent] == ["Arthur Ache"]


def test_the_weekly_digest_names_the_late_and_the_inactive_once_a_week(office, smtp_server):
    db, p = office
    set_for(db, p["manager"], "m1", DUE, organisation_id=p["org_a"])
    finish(db, p["alice"].id, "m1", date(2026, 3, 15))  # active lately, and finished
    monday = date(2026, 3, 16)
    for day in (monday, monday + timedelta(days=1), monday + timedelta(days=7)):
        reminders.send_reminders(db, smtp_server.config(), day, TITLES)
    digests = [m for m in smtp_server.messages if m["To"] == "chef@exemple.fr"]
    assert len(digests) == 2  # week 12 once, week 13 once
    text = digests[0].get_content().replace("\r\n", "\n")
    assert "Arthur Ache : « Accueillir », échéance du 10/03/2026" in text
    assert (
        "Anna Nord : « Accueillir »" in text and "Alice Abri" not in text.split("Sans activité")[0]
    )
    assert "Sans activité depuis 30 jours ou plus :\n- Anna Nord\n- Arthur Ache" in text
    assert "Bruno" not in text  # another organisation's


def test_a_reminder_by_hand_is_previewed_sent_and_audited(office, smtp_server):
    db, p = office
    set_for(db, p["manager"], "m1", DUE, person_id=p["arthur"].id)
    preview = reminders.by_hand(db, p["arthur"].id, "m1", TITLES)
    body = preview.body(date(2026, 3, 12))
    assert "était à terminer pour le 10/03/2026" in body
    reminders.send_now(db, smtp_server.config(), p["manager"], preview, date(2026, 3, 12))
    (message,) = smtp_server.messages
    assert (
        message["To"] == "arthur@exemple.fr"
        and message.get_content().replace("\r\n", "\n").strip() == body.strip()
    )
    (entry,) = audit.entries(db, p["coord"], actions=("reminder.send",))
    assert entry.target_id == p["arthur"].id and entry.details == {"module_id": "m1"}
    finish(db, p["arthur"].id, "m1", date(2026, 3, 13))
    assert reminders.by_hand(db, p["arthur"].id, "m1", TITLES) is None  # finished: nothing to send
