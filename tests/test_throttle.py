"""Login throttling by identifier AND client: an attacker is slowed then blocked on their
own client; the owner, on theirs, still logs in; a spread attack delays, never locks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from proxi.errors import AuthError
from proxi.people import accounts, throttle

PASSWORD = "correct-horse-battery"  # the `learner` fixture's
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ATTACKER, OWNER = "203.0.113.9", "198.51.100.20"


def attempt(db, password: str, client: str, at: datetime) -> str:
    """« ok », or the French message of the refusal."""
    try:
        accounts.authenticate(db, "karim.haddad", password, now=at, client=client)
    except AuthError as error:
        return str(error)
    return "ok"


def counted(db) -> int:
    return db.execute("SELECT count(*) FROM login_failures").fetchone()[0]


def test_twenty_wrong_passwords_from_one_client_do_not_stop_the_owner(db, learner):
    answers = [
        attempt(db, f"essai-{n}-faux", ATTACKER, T0 + timedelta(seconds=n)) for n in range(20)
    ]
    assert answers[:3] == ["Identifiant ou mot de passe incorrect."] * 3
    assert answers[-1].startswith("Trop de tentatives") or answers[-1].startswith("Patientez")
    assert counted(db) <= throttle.MAX_FAILURES  # refused tries are not even counted
    assert attempt(db, PASSWORD, OWNER, T0 + timedelta(seconds=21)) == "ok"
    # …and the owner's success does not unblock the attacker.
    assert attempt(db, PASSWORD, ATTACKER, T0 + timedelta(minutes=2)) != "ok"


def test_one_client_is_slowed_down_then_blocked(db, learner):
    for n in range(3):
        attempt(db, "faux-faux-faux", ATTACKER, T0 + timedelta(minutes=n))
    soon = attempt(db, PASSWORD, ATTACKER, T0 + timedelta(minutes=2, seconds=2))
    assert soon.startswith("Patientez 3 secondes avant de réessayer.")
    assert "un lien pour en choisir un nouveau" in soon
    for n in range(3, 5):
        attempt(db, "faux-faux-faux", ATTACKER, T0 + timedelta(minutes=n))
    blocked = attempt(db, PASSWORD, ATTACKER, T0 + timedelta(minutes=5))
    assert blocked.startswith("Trop de tentatives. Réessayez dans 14 minutes.")
    assert attempt(db, PASSWORD, ATTACKER, T0 + timedelta(minutes=20)) == "ok"


def test_a_spread_attack_delays_the_owner_but_never_locks_them_out(db, learner):
    for n in range(throttle.BRAKE_AFTER):
        client = f"192.0.2.{n}"
        assert attempt(db, "faux-faux-faux", client, T0 + timedelta(seconds=n)) != "ok"
    last = T0 + timedelta(seconds=throttle.BRAKE_AFTER - 1)
    delayed = attempt(db, PASSWORD, OWNER, last + timedelta(seconds=10))
    assert delayed.startswith("Patientez 20 secondes")
    assert attempt(db, PASSWORD, OWNER, last + throttle.BRAKE_PAUSE) == "ok"


def test_unknown_identifiers_are_throttled_per_client_too(db):
    for n in range(5):
        with pytest.raises(AuthError):
            accounts.authenticate(
                db, "inconnu", "x" * 12, now=T0 + timedelta(minutes=n), client=ATTACKER
            )
    with pytest.raises(AuthError, match="Trop de tentatives"):
        accounts.authenticate(
            db, "inconnu", "x" * 12, now=T0 + timedelta(minutes=6), client=ATTACKER
        )
    with pytest.raises(AuthError, match="incorrect"):
        accounts.authenticate(db, "inconnu", "x" * 12, now=T0 + timedelta(minutes=6), client=OWNER)
