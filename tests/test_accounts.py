"""Accounts: passwords, login messages, throttling, tickets and sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from builders import everything_stored

from proxi.errors import AuthError
from proxi.people import accounts, passwords
from proxi.people.accounts import InvalidAccount
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db

PASSWORD = "correct-horse-battery"  # the password of the `learner` fixture
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fail(db, identifier, at, password="mauvais-mot-de-passe"):
    with pytest.raises(AuthError) as raised:
        accounts.authenticate(db, identifier, password, now=at)
    return str(raised.value)


def logged_in_token(db, person, at=T0):
    return accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, person.id, at), at)


# --- Passwords ---------------------------------------------------------------------------


@pytest.mark.real_password_cost
def test_password_hash_is_salted_scrypt_with_its_parameters():
    encoded = passwords.hash_password(PASSWORD)
    scheme, n, r, p, salt, key = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert PASSWORD not in encoded
    assert passwords.hash_password(PASSWORD) != encoded  # a fresh salt each time
    assert passwords.verify_password(PASSWORD, encoded)
    assert not passwords.verify_password(PASSWORD + "x", encoded)


@pytest.mark.parametrize("broken", [None, "", "md5$abc", "scrypt$16384$8$1$!!$!!"])
def test_a_broken_hash_never_verifies(broken):
    assert not passwords.verify_password(PASSWORD, broken)


def test_short_password_is_refused_in_french():
    with pytest.raises(passwords.WeakPassword, match="au moins 10 caractères"):
        passwords.hash_password("court")


# --- People ------------------------------------------------------------------------------


def test_create_person_normalises_identifier_and_keeps_roles(db, organisation):
    person = accounts.create_person(
        db,
        OPERATOR,
        "  Julien.Lefevre ",
        "Julien Lefèvre",
        PASSWORD,
        roles=("manager", "learner"),
        organisation_id=organisation.id,
        job_category="manager-proximite",
    )
    assert person.identifier == "julien.lefevre"
    assert person.has_role("manager") and not person.has_role("coordinator")
    assert person.job_label == "Manager de proximité"


def test_identifier_already_taken_is_refused(db, learner):
    with pytest.raises(InvalidAccount, match="déjà utilisé"):
        accounts.create_person(db, OPERATOR, "KARIM.HADDAD", "Autre Karim", PASSWORD)


@pytest.mark.parametrize(
    "field, value", [("job_category", "astronaute"), ("roles", ("admin",)), ("email", "pas-mail")]
)
def test_invalid_fields_are_refused(db, field, value):
    with pytest.raises(InvalidAccount):
        accounts.create_person(db, OPERATOR, "x.y", "X Y", PASSWORD, **{field: value})


def test_update_person_changes_only_what_is_given(db, learner):
    updated = accounts.update_person(db, OPERATOR, learner.id, site="Cité des Marronniers")
    assert updated.site == "Cité des Marronniers"
    assert updated.display_name == learner.display_name and updated.roles == learner.roles


def test_list_people_by_organisation_and_role(db, learner, organisation):
    accounts.create_person(db, OPERATOR, "chef", "Chef", PASSWORD, roles=("manager",))
    assert [p.identifier for p in accounts.list_people(db, organisation.id)] == ["karim.haddad"]
    assert [p.identifier for p in accounts.list_people(db, role="manager")] == ["chef"]


# --- Login ------------------------------------------------------------------------------


def test_right_credentials_open_the_account(db, learner):
    assert accounts.authenticate(db, "Karim.Haddad", PASSWORD, now=T0).id == learner.id


def test_wrong_password_and_unknown_identifier_say_the_same(db, learner):
    wrong_password = fail(db, "karim.haddad", T0)
    unknown = fail(db, "personne.inconnue", T0)
    assert wrong_password == unknown == "Identifiant ou mot de passe incorrect."


def test_five_failures_lock_the_identifier_for_fifteen_minutes(db, learner):
    for minute in range(5):
        fail(db, "karim.haddad", T0 + timedelta(minutes=minute))
    locked_at = T0 + timedelta(minutes=5)
    message = fail(db, "karim.haddad", locked_at, password=PASSWORD)  # even the right one
    assert message.startswith("Trop de tentatives. Réessayez dans 14 minutes.")
    assert "Demandez à votre manager ou à la coordination un lien" in message
    later = fail(db, "karim.haddad", T0 + timedelta(minutes=18), PASSWORD)
    assert later.startswith("Trop de tentatives. Réessayez dans 1 minute.")
    assert accounts.authenticate(db, "karim.haddad", PASSWORD, now=T0 + timedelta(minutes=20))


def test_unknown_identifiers_are_throttled_too(db):
    for minute in range(5):
        fail(db, "inconnu", T0 + timedelta(minutes=minute))
    assert fail(db, "inconnu", T0 + timedelta(minutes=6)).startswith("Trop de tentatives")


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(db, learner):
    for minute in (0, 5, 10, 15, 20):
        fail(db, "karim.haddad", T0 + timedelta(minutes=minute))
    assert accounts.authenticate(db, "karim.haddad", PASSWORD, now=T0 + timedelta(minutes=21))


def test_a_success_forgets_earlier_failures(db, learner):
    for minute in range(4):
        fail(db, "karim.haddad", T0 + timedelta(minutes=minute))
    accounts.authenticate(db, "karim.haddad", PASSWORD, now=T0 + timedelta(minutes=4))
    fail(db, "karim.haddad", T0 + timedelta(minutes=5))
    assert accounts.lockout_remaining(db, "karim.haddad", T0 + timedelta(minutes=5)) is None


def test_throttling_survives_a_restart(db_path):
    first = open_db(db_path)
    for minute in range(5):
        fail(first, "karim.haddad", T0 + timedelta(minutes=minute))
    first.close()
    assert accounts.lockout_remaining(open_db(db_path), "karim.haddad", T0 + timedelta(minutes=5))


def test_deactivated_account_cannot_log_in(db, learner):
    accounts.deactivate_person(db, OPERATOR, learner.id)
    assert "désactivé" in fail(db, "karim.haddad", T0, password=PASSWORD)
    assert "incorrect" in fail(db, "karim.haddad", T0)  # without the password: nothing said


# --- Tickets and sessions ---------------------------------------------------------------


def test_ticket_opens_a_session_once(db, learner):
    ticket = accounts.issue_login_ticket(db, learner.id, T0)
    token = accounts.redeem_login_ticket(db, ticket, T0)
    assert accounts.person_for_session(db, token, T0).id == learner.id
    with pytest.raises(AuthError, match="plus valable"):
        accounts.redeem_login_ticket(db, ticket, T0)


def test_ticket_expires_after_sixty_seconds(db, learner):
    ticket = accounts.issue_login_ticket(db, learner.id, T0)
    with pytest.raises(AuthError):
        accounts.redeem_login_ticket(db, ticket, T0 + timedelta(seconds=61))


def test_tickets_and_tokens_are_stored_only_as_hashes(db, learner):
    ticket = accounts.issue_login_ticket(db, learner.id, T0)
    token = accounts.redeem_login_ticket(db, ticket, T0)
    dump = everything_stored(db)
    assert ticket not in dump and token not in dump


def test_session_lasts_thirty_days(db, learner):
    token = logged_in_token(db, learner)
    assert accounts.person_for_session(db, token, T0 + timedelta(days=29))
    assert accounts.person_for_session(db, token, T0 + timedelta(days=30, seconds=1)) is None


def test_logout_closes_only_that_session(db, learner):
    phone, desk = logged_in_token(db, learner), logged_in_token(db, learner)
    accounts.revoke_session(db, phone)
    assert accounts.person_for_session(db, phone, T0) is None
    assert accounts.person_for_session(db, desk, T0) is not None


def test_deactivation_ends_every_session_at_once(db, learner):
    tabs = [logged_in_token(db, learner) for _ in range(3)]
    accounts.deactivate_person(db, OPERATOR, learner.id)
    assert [accounts.person_for_session(db, token, T0) for token in tabs] == [None] * 3
    accounts.set_active(db, OPERATOR, learner.id, True)
    assert accounts.person_for_session(db, tabs[0], T0) is None  # revoked, not just hidden


def test_password_reset_ends_every_session(db, learner):
    token = logged_in_token(db, learner)
    accounts.set_password(db, OPERATOR, learner.id, "un-nouveau-mot-de-passe")
    assert accounts.person_for_session(db, token, T0) is None
    assert accounts.authenticate(db, "karim.haddad", "un-nouveau-mot-de-passe", now=T0)


def test_unknown_or_empty_token_is_nobody(db):
    assert accounts.person_for_session(db, None) is None
    assert accounts.person_for_session(db, "n-importe-quoi") is None
