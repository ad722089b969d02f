"""The HTTP edge: no framing by other sites, no cross-site logout, the real client address."""

from __future__ import annotations

import pytest
from asgi import SECRET, request

from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db
from proxi.web import auth as web_auth
from proxi.web import memory
from proxi.web.edge import DEVICE_COOKIE, DeviceCookie, NoFraming, client_address, device_key


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


def test_app_py_mounts_the_framing_guard_and_the_device_cookie(monkeypatch):
    # The server freezes its heap on import (tests/test_memory.py); a test process must not.
    monkeypatch.setattr(memory, "freeze_warm_heap", lambda *args, **kwargs: 0)
    import app

    mounted = {m.cls for m in app.app._user_middleware}
    assert NoFraming in mounted and DeviceCookie in mounted


async def data(scope, receive, send):
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b"{}"})


def test_a_browser_gets_one_device_cookie_with_its_first_page_and_keeps_it():
    _, headers = request(DeviceCookie(page), "/rejoindre")
    (cookie,) = headers["set-cookie"]
    name, value = cookie.split(";")[0].split("=", 1)
    assert name == DEVICE_COOKIE and len(value) >= 20
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    _, again = request(DeviceCookie(page), "/rejoindre", cookie=f"{DEVICE_COOKIE}={value}")
    assert "set-cookie" not in again  # a reload or a new tab keeps the same device
    _, other = request(DeviceCookie(page), "/")
    assert other["set-cookie"][0].split(";")[0] != cookie.split(";")[0]  # another browser
    _, secure = request(DeviceCookie(page), "/", scheme="https")
    assert "Secure" in secure["set-cookie"][0]
    assert "set-cookie" not in request(DeviceCookie(data), "/_stcore/health")[1]


def test_a_device_is_its_browser_cookie_else_its_address():
    assert device_key("abc", "203.0.113.7") == "browser:abc"
    assert device_key(None, "203.0.113.7") == device_key("", "203.0.113.7") == "ip:203.0.113.7"


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


def test_a_loopback_peer_streamlit_hides_is_the_local_proxy():
    """st.context.ip_address is None for 127.0.0.1 and ::1: nginx on the same machine."""
    assert client_address(None, "203.0.113.7", TRUSTED) == "203.0.113.7"
    assert client_address(None, "203.0.113.7", {"::1"}) == "203.0.113.7"
    assert client_address(None, "203.0.113.7", set()) == "127.0.0.1"  # header not believed
    assert client_address(None, None, TRUSTED) == "127.0.0.1"
