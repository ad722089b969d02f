"""The audit log: appended with the act, never rewritten, read by the coordination only,
exported with the person, anonymised by an erasure, purged with the retention period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from proxi.errors import NotAllowed
from proxi.ops import privacy, retention
from proxi.people import accounts, audit
from proxi.people.permissions import OPERATOR

PASSWORD = "correct-horse-battery"


@pytest.fixture
def coordinator(db, organisation):
    return accounts.create_person(
        db, OPERATOR, "claire.morel", "Claire Morel", PASSWORD, roles=("coordinator",)
    )


@pytest.fixture(autouse=True)
def empty_log(db, coordinator, learner):
    """These tests write their own entries: the set-up's (the accounts created) go."""
    db.execute("DELETE FROM audit_log")


def test_an_entry_says_who_did_what_to_whom(db, coordinator, learner):
    audit.record(db, coordinator, "person.deactivate", learner, {"reason": "départ"})
    [entry] = audit.entries(db, coordinator)
    assert (entry.actor_name, entry.label, entry.target_name) == (
        "Claire Morel",
        "Compte désactivé",
        "Karim Haddad",
    )
    assert entry.details == {"reason": "départ"}
    assert entry.at[:10] == datetime.now(UTC).date().isoformat()


def test_the_command_line_is_named_as_such(db, coordinator):
    audit.record(db, None, "scenario.publish", "scenario:bruit-nuit")
    [entry] = audit.entries(db, coordinator)
    assert (entry.actor_name, entry.target) == (audit.COMMAND_LINE, "scenario:bruit-nuit")


def test_filters_by_act_by_person_and_by_dates(db, coordinator, learner):
    day = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    audit.record(db, coordinator, "person.create", learner, now=day)
    audit.record(db, coordinator, "invitation.create", learner, now=day + timedelta(days=1))
    audit.record(db, coordinator, "scenario.publish", "scenario:porte", now=day + timedelta(2))

    def actions(**filters):
        return [e.action for e in audit.entries(db, coordinator, **filters)]

    assert actions() == ["scenario.publish", "invitation.create", "person.create"]
    assert actions(actions=("person.create",)) == ["person.create"]
    assert actions(person_id=learner.id) == ["invitation.create", "person.create"]
    assert actions(since="2026-11-04", until="2026-11-04") == ["invitation.create"]
    assert actions(until="2026-11-03") == ["person.create"]


def test_only_the_coordination_reads_it(db, coordinator, learner):
    manager = accounts.create_person(
        db, OPERATOR, "m.dupont", "M. Dupont", PASSWORD, roles=("manager",)
    )
    for viewer in (learner, manager):
        with pytest.raises(NotAllowed, match="réservé à la coordination"):
            audit.entries(db, viewer)


def test_an_entry_cannot_be_rewritten(db, coordinator, learner):
    audit.record(db, coordinator, "person.deactivate", learner)
    changes = (
        ("action = 'person.create'", {}),
        ("actor_id = :actor_id", {"actor_id": learner.id}),
        ("details = '{}x'", {}),
    )
    for change_sql, params in changes:
        with pytest.raises(db.engine.integrity_error, match="append-only"):
            db.execute(f"UPDATE audit_log SET {change_sql}", params)


def test_an_unknown_act_is_a_programming_error(db, coordinator):
    with pytest.raises(ValueError, match="audit.ACTIONS"):
        audit.record(db, coordinator, "person.teleport")


def test_the_person_finds_the_acts_about_them_in_their_export(db, coordinator, learner):
    audit.record(db, coordinator, "person.deactivate", learner)
    exported = privacy.export_person(db, learner.id)["tables"]["audit_log"]
    assert [row["action"] for row in exported] == ["person.deactivate"]


def test_an_erasure_leaves_the_act_but_not_the_person(db, coordinator, learner):
    audit.record(db, coordinator, "person.deactivate", learner)
    privacy.erase_person(db, coordinator, learner.id)
    log = audit.entries(db, coordinator)
    assert [(e.action, e.actor_name, e.target_name) for e in log] == [
        ("person.erase", "Claire Morel", privacy.ANONYMOUS_NAME),
        ("person.deactivate", "Claire Morel", privacy.ANONYMOUS_NAME),
    ]


def test_the_purge_removes_entries_older_than_the_retention_period(db, coordinator, learner):
    now = datetime.now(UTC)
    audit.record(db, coordinator, "person.create", learner, now=now - timedelta(days=40))
    audit.record(db, coordinator, "person.deactivate", learner, now=now - timedelta(days=5))
    done = retention.purge(db, 30, now=now)
    assert done.audit_deleted == 1
    assert [e.action for e in audit.entries(db, coordinator)] == ["person.deactivate"]
