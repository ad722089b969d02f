"""What every HTTP answer and every client address must respect at the edge.

- `NoFraming`: ASGI middleware (mounted by app.py) that adds `X-Frame-Options: SAMEORIGIN`
  and `Content-Security-Policy: frame-ancestors 'self'` to every response, so no other
  site can frame Proxi (clickjacking); Streamlit's own component frames stay allowed.
- `client_address`: the address of the person, not of the reverse proxy. X-Forwarded-For
  is believed only when the connection comes from a proxy listed in
  $PROXI_TRUSTED_PROXIES (comma-separated addresses); anyone else could forge it.
- `DeviceCookie`: ASGI middleware that gives each browser a random `proxi_device` cookie
  with its first page, so that limits meant for one device (wrong join codes) hold across
  its reloads and tabs; `device_key` names the device from it, or from the client's address
  when a client sends no cookie. Clearing cookies starts a new device: the looser limit per
  address (proxi.live.room) still holds then.
"""

from __future__ import annotations

import os
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEVICE_COOKIE = "proxi_device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
FRAMING_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
}


class NoFraming:
    """ASGI middleware: forbid framing by other sites on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in FRAMING_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def trusted_proxies() -> set[str]:
    return {a.strip() for a in os.environ.get("PROXI_TRUSTED_PROXIES", "").split(",") if a.strip()}


LOOPBACK = ("127.0.0.1", "::1")


def client_address(peer: str | None, forwarded_for: str | None, trusted: set[str]) -> str | None:
    """The client's address: the peer, or, behind trusted proxies, the first address in
    X-Forwarded-For (read from the right) that is not one of them.

    A peer of None is a loopback one: Streamlit's st.context.ip_address hides 127.0.0.1 and
    ::1, which is where a proxy on the same machine (nginx, `proxi serve`) connects from."""
    if peer is None:
        peer = next((address for address in LOOPBACK if address in trusted), LOOPBACK[0])
    if peer not in trusted or not forwarded_for:
        return peer
    for address in reversed([a.strip() for a in forwarded_for.split(",") if a.strip()]):
        if address not in trusted:
            return address
    return peer


class DeviceCookie:
    """ASGI middleware: a page sent to a browser without a device cookie sets one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _request_cookie(scope, DEVICE_COOKIE):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    secure = "; Secure" if is_https(Request(scope)) else ""
                    headers.append(
                        "Set-Cookie",
                        f"{DEVICE_COOKIE}={secrets.token_urlsafe(18)}; Path=/; "
                        f"Max-Age={DEVICE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _request_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(name)
            if morsel is not None and morsel.value:
                return morsel.value
    return None


def device_key(cookie: str | None, address: str | None) -> str:
    """The device a request comes from: its browser's cookie, else its client address."""
    if cookie:
        return f"browser:{cookie[:64]}"
    return f"ip:{address or 'inconnue'}"


def is_https(request: Request) -> bool:
    """Whether the browser speaks HTTPS to us (directly, or to the proxy in front)."""
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"
