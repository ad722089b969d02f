"""The session cookie: two Starlette routes that set and clear it, and its signature.

A Streamlit script cannot set an HttpOnly cookie, so the login page sends the browser to

    GET /proxi-auth/complete?ticket=...[&next=/page]   redeem the ticket, set the cookie, 303
    GET /proxi-auth/logout                             revoke the session, clear it, 303 to /
                                                       (refused when another site sent the browser)

and on every rerun app.py reads `st.context.cookies["proxi_session"]`, checks it with
`session_token_from_cookie`, then asks `accounts.person_for_session`. Mount with::

    st.App("app.py", routes=web_auth.auth_routes())

The cookie is `token.signature` (HMAC-SHA256 with the server secret): a forged or altered
cookie is rejected before any database lookup. The secret comes from $PROXI_SECRET, else from
`secret.key` beside the database, created on first use with mode 0600.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from proxi.errors import AuthError, ConfigurationError
from proxi.people import accounts
from proxi.progress.db import database_path, open_db
from proxi.web.edge import is_https

COOKIE_NAME = "proxi_session"
COMPLETE_PATH = "/proxi-auth/complete"
LOGOUT_PATH = "/proxi-auth/logout"
# The app shows a French "link expired, log in again" when it sees this in the URL.
TICKET_REFUSED_QUERY = "connexion=expiree"


def auth_routes(db_path: str | Path | None = None, secret: bytes | None = None) -> list[Route]:
    """The two auth routes, bound to a database path and a signing secret."""

    def complete(request: Request) -> RedirectResponse:
        return _complete(request, db_path, secret or load_secret(db_path))

    def logout(request: Request) -> RedirectResponse:
        return _logout(request, db_path, secret or load_secret(db_path))

    # Plain functions: Starlette runs them in its thread pool, each with its own connection.
    return [
        Route(COMPLETE_PATH, complete, methods=["GET"]),
        Route(LOGOUT_PATH, logout, methods=["GET"]),
    ]


def _complete(request: Request, db_path, secret: bytes) -> RedirectResponse:
    ticket = request.query_params.get("ticket", "")
    with open_db(db_path) as db:
        try:
            token = accounts.redeem_login_ticket(db, ticket)
        except AuthError:
            return RedirectResponse(f"/?{TICKET_REFUSED_QUERY}", status_code=303)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        sign(token, secret),
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


def _logout(request: Request, db_path, secret: bytes) -> RedirectResponse:
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return RedirectResponse("/", status_code=303)  # another site may not log anyone out
    token = session_token_from_cookie(request.cookies.get(COOKIE_NAME), secret)
    if token:
        with open_db(db_path) as db:
            accounts.revoke_session(db, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(
        COOKIE_NAME, path="/", secure=is_https(request), httponly=True, samesite="lax"
    )
    return response


def sign(token: str, secret: bytes) -> str:
    """The cookie value for a session token."""
    return f"{token}.{_mac(token, secret)}"


def session_token_from_cookie(cookie_value: str | None, secret: bytes | None = None) -> str | None:
    """The session token in a cookie value, or None if absent or its signature is wrong."""
    if not cookie_value or "." not in cookie_value:
        return None
    token, _, mac = cookie_value.rpartition(".")
    expected = _mac(token, secret or load_secret())
    return token if token and hmac.compare_digest(mac, expected) else None


def safe_next(target: str | None) -> str:
    """A same-site path to go to after login; anything else (//host, http:, \\) gives "/"."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 32 for char in target)
    ):
        return "/"
    return target


def load_secret(db_path: str | Path | None = None) -> bytes:
    """$PROXI_SECRET, else the key file beside the database (created 0600 if missing)."""
    from_env = os.environ.get("PROXI_SECRET")
    if from_env:
        return from_env.encode()
    target = database_path(db_path)
    if isinstance(target, Path):
        return _secret_file(target.parent.resolve() / "secret.key")
    if target == ":memory:":
        return _secret_file(Path(".").resolve() / "secret.key")
    # A database server serves several app servers: each must sign with the same key.
    raise ConfigurationError(
        "PROXI_SECRET est obligatoire avec une base PostgreSQL : donnez la même clé "
        "(32 caractères au moins) à chaque serveur de l'application."
    )


@functools.cache
def _secret_file(path: Path) -> bytes:
    if not path.exists():
        # Written aside then hard-linked: the key appears whole, and when two processes
        # start together the second link fails and both read the same key.
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    secret = path.read_bytes().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} is too short to sign sessions: delete it to regenerate")
    return secret


def _mac(token: str, secret: bytes) -> str:
    digest = hmac.new(secret, token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
