"""Every administrative writer of the core, called as every role: refused unless the one
permissions module allows it, and a refusal changes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from proxi.documents.attestation import set_logo
from proxi.errors import NotAllowed
from proxi.ops import privacy
from proxi.people import accounts, follow_up, permissions, roster
from proxi.people.permissions import OPERATOR

PASSWORD = "correct-horse-battery"
ROSTER = (
    "Nom;Identifiant;Organisation;Site;Catégorie d'emploi;Rôle\r\n"
    "Anne Durand;anne.durand;Habitat Val de Seine;Nord;gardien;apprenant\r\n"
)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def actors(db, organisation, learner):
    other = accounts.create_organisation(db, OPERATOR, "Ville de Mantes", "ville")
    made = {
        role: accounts.create_person(
            db,
            OPERATOR,
            f"test.{role}",
            role.title(),
            PASSWORD,
            organisation_id=organisation.id,
            roles=(role,),
        )
        for role in ("learner", "trainer", "manager", "coordinator")
    }
    made["outsider"] = accounts.create_person(
        db, OPERATOR, "agent.ville", "Agent Ville", PASSWORD, organisation_id=other.id
    )
    return made


# Each writer, called by actor `a` on target person `t`.
WRITERS = {
    "create_organisation": lambda db, a, t: accounts.create_organisation(
        db, a, "Asso", "association"
    ),
    "set_logo": lambda db, a, t: set_logo(db, a, t.organisation_id, png()),
    "create_person": lambda db, a, t: accounts.create_person(
        db, a, "nouveau", "Nouveau", PASSWORD, organisation_id=t.organisation_id
    ),
    "update_person": lambda db, a, t: accounts.update_person(db, a, t.id, site="Sud"),
    "set_password": lambda db, a, t: accounts.set_password(db, a, t.id, "temporaire-123"),
    "deactivate_person": lambda db, a, t: accounts.deactivate_person(db, a, t.id),
    "apply_roster": lambda db, a, t: roster.apply_roster(db, a, roster.read_roster(db, ROSTER)),
    "erase_person": lambda db, a, t: privacy.erase_person(db, a, t.id),
    "set_due_date": lambda db, a, t: follow_up.set_due_date(
        db, a, "m1", date(2027, 1, 15), person_id=t.id
    ),
    "set_team_due_date": lambda db, a, t: follow_up.set_due_date(
        db, a, "m1", date(2027, 1, 15), organisation_id=t.organisation_id, site="Nord"
    ),
    "record_training": lambda db, a, t: follow_up.record_training(
        db,
        a,
        t.id,
        title="Sécurité incendie",
        provider="Institut du feu",
        started_on=date(2026, 3, 2),
        ended_on=date(2026, 3, 3),
        hours="14",
        module_id=None,
        proof=follow_up.Proof("attestation.pdf", b"%PDF-1.4\n%%EOF\n"),
    ),  # fmt: skip
}
# Who may, on a learner of their own organisation (the manager's scope).
MANAGER_WRITERS = {
    "create_person", "update_person", "set_password", "deactivate_person", "set_due_date",
    "set_team_due_date", "record_training",
}  # fmt: skip
ALLOWED = {
    "learner": set(),
    "trainer": set(),
    "manager": MANAGER_WRITERS,
    "coordinator": set(WRITERS),
}


def snapshot(db) -> tuple:
    return (
        db.execute("SELECT * FROM people ORDER BY id").fetchall(),
        db.execute("SELECT * FROM organisations ORDER BY id").fetchall(),
        db.execute("SELECT * FROM organisation_logos").fetchall(),
        db.execute("SELECT * FROM due_dates ORDER BY id").fetchall(),
        db.execute("SELECT id FROM external_trainings ORDER BY id").fetchall(),
        db.execute("SELECT count(*) FROM audit_log").fetchone(),
    )


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("role", ALLOWED)
def test_every_writer_as_every_role(db, actors, learner, role, writer):
    before = snapshot(db)
    if writer in ALLOWED[role]:
        WRITERS[writer](db, actors[role], learner)
        after = snapshot(db)
        assert after != before
        assert after[-1] > before[-1]  # and it is in the audit log
    else:
        with pytest.raises(NotAllowed):
            WRITERS[writer](db, actors[role], learner)
        assert snapshot(db) == before


@pytest.mark.parametrize("writer", sorted(MANAGER_WRITERS))
def test_a_manager_is_refused_outside_their_organisation(db, actors, writer):
    before = snapshot(db)
    with pytest.raises(NotAllowed, match="votre organisation"):
        WRITERS[writer](db, actors["manager"], actors["outsider"])
    assert snapshot(db) == before


def test_a_manager_never_makes_or_touches_a_coordinator(db, actors, organisation):
    manager = actors["manager"]
    before = snapshot(db)
    with pytest.raises(NotAllowed):
        accounts.create_person(
            db, manager, "chef", "Chef", PASSWORD, organisation_id=organisation.id,
            roles=("coordinator",),
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        accounts.update_person(db, manager, actors["learner"].id, roles=("coordinator",))
    with pytest.raises(NotAllowed):
        accounts.update_person(db, manager, actors["learner"].id, organisation_id=None)
    with pytest.raises(NotAllowed):
        accounts.set_password(db, manager, actors["coordinator"].id, "temporaire-123")
    assert snapshot(db) == before


def test_nobody_deactivates_their_own_account(db, actors):
    with pytest.raises(NotAllowed, match="propre compte"):
        accounts.deactivate_person(db, actors["manager"], actors["manager"].id)


def test_a_trainer_runs_only_their_own_sessions(db, actors):
    class Session:
        trainer_id = actors["trainer"].id

    assert permissions.may(actors["trainer"], "session.run", Session())
    assert not permissions.may(actors["manager"], "session.run", Session())
    Session.trainer_id = actors["coordinator"].id
    assert not permissions.may(actors["trainer"], "session.run", Session())
    assert permissions.may(actors["coordinator"], "session.run", Session())


def test_an_unknown_act_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown act"):
        permissions.may(OPERATOR, "person.delete")


def test_every_guarded_page_names_a_known_act():
    assert set(permissions.PAGES.values()) <= set(permissions.ACTS)
    assert permissions.roles_for("person.manage") == ("manager", "coordinator")
