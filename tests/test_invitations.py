"""Invitations and reset links: one-time, expiring, personal; the temporary password that
must be changed; the person's own password and sessions; the sheet and the e-mail."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from proxi.dates import utc
from proxi.documents.invitation_sheet import invitation_sheet
from proxi.errors import AuthError, NotAllowed
from proxi.people import accounts, audit, invitations, passwords
from proxi.people.permissions import OPERATOR

BASE = "https://proxi.exemple.fr"
NEW = "mon-propre-mot-de-passe"


@pytest.fixture
def manager(db, organisation):
    return accounts.create_person(
        db, OPERATOR, "chef.agence", "Chef Agence", "motdepasse-chef",
        organisation_id=organisation.id, roles=("manager",),
    )  # fmt: skip


@pytest.fixture
def newcomer(db, organisation):
    return accounts.create_person(
        db, OPERATOR, "Élodie  Durand", "Élodie Durand", organisation_id=organisation.id,
        email="elodie@exemple.fr",
    )  # fmt: skip


def test_an_identifier_is_normalised_and_an_account_without_password_opens_nothing(db, newcomer):
    assert newcomer.identifier == "elodie-durand"
    with pytest.raises(AuthError, match="incorrect"):
        accounts.authenticate(db, "elodie-durand", "")


def test_an_invitation_sets_the_persons_own_password_once(db, manager, newcomer):
    issued = invitations.issue(db, manager, newcomer.id)
    assert issued.link(BASE) == f"{BASE}/invitation?jeton={issued.token}"
    assert invitations.pending(db, issued.token).person.identifier == "elodie-durand"
    invitations.redeem(db, issued.token, NEW)
    assert accounts.authenticate(db, "elodie-durand", NEW).id == newcomer.id
    with pytest.raises(invitations.InvitationInvalid, match="déjà servi"):
        invitations.redeem(db, issued.token, "un-autre-mot-de-passe")
    assert accounts.authenticate(db, "elodie-durand", NEW).id == newcomer.id
    stored = db.execute("SELECT token_hash FROM invitations").fetchone()[0]
    assert stored == passwords.token_hash(issued.token) != issued.token


def test_an_invitation_expires(db, manager, newcomer):
    issued = invitations.issue(db, manager, newcomer.id)
    later = utc() + invitations.LIFETIMES["invitation"] + timedelta(minutes=1)
    with pytest.raises(invitations.InvitationInvalid):
        invitations.pending(db, issued.token, now=later)
    with pytest.raises(invitations.InvitationInvalid):
        invitations.redeem(db, issued.token, NEW, now=later)


def test_a_new_link_replaces_the_earlier_one(db, manager, newcomer):
    first = invitations.issue(db, manager, newcomer.id)
    second = invitations.issue(db, manager, newcomer.id, "reset")
    with pytest.raises(invitations.InvitationInvalid):
        invitations.pending(db, first.token)
    assert invitations.pending(db, second.token).kind == "reset"


def test_a_weak_password_keeps_the_link_for_another_try(db, manager, newcomer):
    issued = invitations.issue(db, manager, newcomer.id)
    with pytest.raises(passwords.WeakPassword, match="au moins 10"):
        invitations.redeem(db, issued.token, "court")
    invitations.redeem(db, issued.token, NEW)


def test_a_deactivated_persons_link_does_nothing(db, manager, newcomer):
    issued = invitations.issue(db, manager, newcomer.id)
    accounts.deactivate_person(db, manager, newcomer.id)
    with pytest.raises(invitations.InvitationInvalid):
        invitations.redeem(db, issued.token, NEW)


def test_a_reset_link_from_the_manager_replaces_a_forgotten_password(db, manager, learner):
    issued = invitations.issue(db, manager, learner.id, "reset")
    invitations.redeem(db, issued.token, NEW)
    assert accounts.authenticate(db, "karim.haddad", NEW).id == learner.id
    acts = [(e.action, e.actor_name, e.target_name) for e in audit.entries(db, OPERATOR)]
    assert acts[0] == ("reset.create", "Chef Agence", "Karim Haddad")


def test_only_a_manager_of_the_person_or_the_coordination_issues_links(db, learner):
    for role in ("learner", "trainer"):
        actor = accounts.create_person(db, OPERATOR, f"x.{role}", "X", roles=(role,))
        with pytest.raises(NotAllowed):
            invitations.issue(db, actor, learner.id)
    elsewhere = accounts.create_organisation(db, OPERATOR, "Autre bailleur", "bailleur")
    other = accounts.create_person(
        db, OPERATOR, "chef.ailleurs", "Chef", organisation_id=elsewhere.id, roles=("manager",)
    )
    with pytest.raises(NotAllowed, match="votre organisation"):
        invitations.issue(db, other, learner.id)
    assert db.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0


def test_a_password_set_by_a_manager_is_temporary(db, manager, learner):
    accounts.set_password(db, manager, learner.id, "temporaire-2026")
    person = accounts.authenticate(db, "karim.haddad", "temporaire-2026")
    assert person.password_temporary
    private = invitations.after_temporary_password(db, person)
    invitations.redeem(db, private.token, NEW)
    assert not accounts.authenticate(db, "karim.haddad", NEW).password_temporary
    assert not any(e.action == "reset.create" for e in audit.entries(db, OPERATOR))


def test_the_operators_first_coordinator_keeps_their_password(db):
    first = accounts.create_person(db, OPERATOR, "coord", "Coord", NEW, roles=("coordinator",))
    assert not first.password_temporary


def test_changing_ones_own_password_needs_the_current_one(db, learner):
    ticket = accounts.issue_login_ticket(db, learner.id)
    here = accounts.redeem_login_ticket(db, ticket)
    there = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, learner.id))
    with pytest.raises(accounts.InvalidAccount, match="actuel"):
        accounts.change_own_password(db, learner, "pas-le-bon-mot", NEW, here)
    accounts.change_own_password(db, learner, "correct-horse-battery", NEW, here)
    assert accounts.authenticate(db, "karim.haddad", NEW).id == learner.id
    assert accounts.person_for_session(db, here) is not None  # this browser stays
    assert accounts.person_for_session(db, there) is None  # the others are closed


def test_the_person_sees_and_closes_their_own_sessions(db, learner, manager):
    here = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, learner.id))
    there = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, learner.id))
    theirs = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, manager.id))
    listed = accounts.open_sessions(db, learner, here)
    assert [s.current for s in listed] == [False, True]
    accounts.close_own_session(db, manager, listed[0].id)  # someone else's: nothing happens
    assert accounts.person_for_session(db, there) is not None
    accounts.close_own_session(db, learner, listed[0].id)
    assert accounts.person_for_session(db, there) is None
    assert accounts.person_for_session(db, here) is not None
    assert accounts.person_for_session(db, theirs) is not None


def test_the_printed_sheet_has_one_page_per_person_with_their_link(db, manager, newcomer, learner):
    links = invitations.issue_many(db, manager, [newcomer.id, learner.id])
    reader = PdfReader(io.BytesIO(invitation_sheet(db, links, BASE)))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert "Élodie Durand" in first and "elodie-durand" in first
    assert "Habitat Val de Seine" in first
    assert links[0].token in first.replace("\n", "")
    assert links[1].token not in first.replace("\n", "")
    assert "ne sert qu'une fois" in first


def test_invitations_go_by_email_to_those_with_an_address(
    db, manager, newcomer, learner, smtp_server
):
    done = invitations.send(db, manager, [newcomer.id, learner.id], smtp_server.config(), BASE)
    assert [p.identifier for p in done.sent] == ["elodie-durand"]
    assert [p.identifier for p in done.without_address] == ["karim.haddad"]
    [message] = smtp_server.messages
    assert message["To"] == "elodie@exemple.fr"
    assert message["Subject"] == "Votre accès à Proxi"
    body = message.get_content()
    token = body.split("jeton=")[1].split()[0]
    assert "« elodie-durand »" in body
    invitations.redeem(db, token, NEW)
    assert accounts.authenticate(db, "elodie-durand", NEW).id == newcomer.id
    sent = [e for e in audit.entries(db, OPERATOR) if e.action == "invitation.send"]
    assert [(e.actor_name, e.target_name) for e in sent] == [("Chef Agence", "Élodie Durand")]


def test_a_mail_server_that_does_not_answer_is_reported_in_french(db, manager, newcomer):
    from proxi.mail import MailConfig

    dead = MailConfig("127.0.0.1", 9, "formation@proxi.test")
    done = invitations.send(db, manager, [newcomer.id], dead, BASE)
    assert done.sent == [] and "n'a pas pu partir" in done.failed[0][1]
