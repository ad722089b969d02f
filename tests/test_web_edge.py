"""The HTTP edge: no framing by other sites, no cross-site logout, the real client address."""

from __future__ import annotations

import pytest
from asgi import SECRET, request

from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db
from proxi.web import auth as web_auth
from proxi.web.edge import NoFraming, client_address


def response_headers(app, path: str = "/") -> dict[str, str]:
    _, headers = request(app, path)
    return {name: values[0] for name, values in headers.items()}


async def page(scope, receive, send):
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
    )
    await send({"type": "http.response.body", "body": b"<html></html>"})


@pytest.mark.parametrize("path", ["/", "/accueil", "/_stcore/health", "/proxi-auth/logout"])
def test_no_other_site_may_frame_any_answer(path):
    headers = response_headers(NoFraming(page), path)
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["content-security-policy"] == "frame-ancestors 'self'"


def test_app_py_mounts_the_framing_guard():
    import app

    assert any(m.cls is NoFraming for m in app.app._user_middleware)


def test_a_cross_site_logout_does_not_log_anyone_out(db_path):
    from starlette.applications import Starlette

    app = Starlette(routes=web_auth.auth_routes(db_path, SECRET))
    with open_db(db_path) as db:
        person = accounts.create_person(db, OPERATOR, "alice", "Alice", "motdepasse-assez-long")
        token = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, person.id))
    cookie = f"proxi_session={web_auth.sign(token, SECRET)}"
    status, headers = request(
        app, "/proxi-auth/logout", cookie=cookie, extra=[(b"sec-fetch-site", b"cross-site")]
    )
    assert status == 303 and "set-cookie" not in headers
    with open_db(db_path) as db:
        assert accounts.person_for_session(db, token) is not None
    status, headers = request(
        app, "/proxi-auth/logout", cookie=cookie, extra=[(b"sec-fetch-site", b"same-origin")]
    )
    with open_db(db_path) as db:
        assert accounts.person_for_session(db, token) is None


TRUSTED = {"127.0.0.1"}


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # behind the documented proxy
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # a forged first entry
        ("203.0.113.9", "10.0.0.1", "203.0.113.9"),  # not from the proxy: header ignored
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1", "127.0.0.1"),
    ],
)
def test_the_client_address_trusts_forwarded_for_only_from_the_proxy(peer, forwarded, expected):
    assert client_address(peer, forwarded, TRUSTED) == expected
    assert client_address(peer, forwarded, set()) == peer
