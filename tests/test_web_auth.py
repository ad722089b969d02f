"""The auth routes and the signed session cookie (requests go through tests/asgi.py)."""

from __future__ import annotations

import os
import stat

import pytest
from asgi import SECRET, request, session_cookie
from starlette.applications import Starlette

from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db
from proxi.web import auth as web_auth


@pytest.fixture
def app(db_path):
    return Starlette(routes=web_auth.auth_routes(db_path, SECRET))


@pytest.fixture
def ticket(db_path):
    with open_db(db_path) as db:
        person = accounts.create_person(
            db, OPERATOR, "karim.haddad", "Karim Haddad", "mot-de-passe-long"
        )
        return accounts.issue_login_ticket(db, person.id)


def test_complete_sets_an_httponly_samesite_cookie_and_redirects_home(app, ticket, db_path):
    status, headers = request(app, "/proxi-auth/complete", f"ticket={ticket}")
    assert (status, headers["location"]) == (303, ["/"])
    raw = headers["set-cookie"][0]
    assert "HttpOnly" in raw and "SameSite=lax" in raw and "Path=/" in raw
    assert "Max-Age=2592000" in raw and "Secure" not in raw
    token = web_auth.session_token_from_cookie(
        session_cookie(headers)["proxi_session"].value, SECRET
    )
    with open_db(db_path) as db:
        assert accounts.person_for_session(db, token).identifier == "karim.haddad"


def test_cookie_is_secure_over_https(app, ticket):
    _, headers = request(app, "/proxi-auth/complete", f"ticket={ticket}", scheme="https")
    assert "Secure" in headers["set-cookie"][0]


def test_a_used_ticket_sets_no_cookie(app, ticket):
    request(app, "/proxi-auth/complete", f"ticket={ticket}")
    status, headers = request(app, "/proxi-auth/complete", f"ticket={ticket}")
    assert status == 303 and "set-cookie" not in headers
    assert headers["location"] == [f"/?{web_auth.TICKET_REFUSED_QUERY}"]


def test_next_page_is_followed_only_on_this_site(app, ticket):
    _, headers = request(app, "/proxi-auth/complete", f"ticket={ticket}&next=/mes-modules")
    assert headers["location"] == ["/mes-modules"]


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "mes-modules", ""]
)
def test_unsafe_next_falls_back_home(target):
    assert web_auth.safe_next(target) == "/"


def test_logout_revokes_the_session_and_deletes_the_cookie(app, ticket, db_path):
    _, headers = request(app, "/proxi-auth/complete", f"ticket={ticket}")
    value = session_cookie(headers)["proxi_session"].value
    status, headers = request(app, "/proxi-auth/logout", cookie=f"proxi_session={value}")
    assert (status, headers["location"]) == (303, ["/"])
    cleared = session_cookie(headers)["proxi_session"]
    assert cleared.value in ("", '""') and cleared["max-age"] == "0"
    token = web_auth.session_token_from_cookie(value, SECRET)
    with open_db(db_path) as db:
        assert accounts.person_for_session(db, token) is None  # every tab, at the next rerun


def test_signed_cookie_round_trips():
    assert web_auth.session_token_from_cookie(web_auth.sign("abc", SECRET), SECRET) == "abc"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda value: "x" + value,  # another token, old signature
        lambda value: value[:-2] + ("AA" if not value.endswith("AA") else "BB"),  # signature
        lambda value: value.split(".")[0],  # unsigned
        lambda value: web_auth.sign("abc", b"t" * 64),  # signed with another secret
        lambda value: "",
    ],
)
def test_tampered_cookie_is_rejected(tamper):
    assert web_auth.session_token_from_cookie(tamper(web_auth.sign("abc", SECRET)), SECRET) is None


def test_secret_is_created_beside_the_database_readable_by_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("PROXI_SECRET", raising=False)
    first = web_auth.load_secret(tmp_path / "progress.db")
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    web_auth._secret_file.cache_clear()  # as a restarted server would
    assert web_auth.load_secret(tmp_path / "progress.db") == first
    assert len(first) >= 32


def test_secret_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PROXI_SECRET", "un-secret-de-production-assez-long")
    assert web_auth.load_secret(tmp_path / "progress.db") == b"un-secret-de-production-assez-long"
    assert not (tmp_path / "secret.key").exists()
