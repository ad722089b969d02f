"""What every HTTP answer and every client address must respect at the edge.

- `NoFraming`: ASGI middleware (mounted by app.py) that adds `X-Frame-Options: SAMEORIGIN`
  and `Content-Security-Policy: frame-ancestors 'self'` to every response, so no other
  site can frame Proxi (clickjacking); Streamlit's own component frames stay allowed.
- `client_address`: the address of the person, not of the reverse proxy. X-Forwarded-For
  is believed only when the connection comes from a proxy listed in
  $PROXI_TRUSTED_PROXIES (comma-separated addresses); anyone else could forge it.
"""

from __future__ import annotations

import os

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def client_address(peer: str | None, forwarded_for: str | None, trusted: set[str]) -> str | None:
    """The client's address: the peer, or, behind trusted proxies, the first address in
    X-Forwarded-For (read from the right) that is not one of them."""
    if peer not in trusted or not forwarded_for:
        return peer
    for address in reversed([a.strip() for a in forwarded_for.split(",") if a.strip()]):
        if address not in trusted:
            return address
    return peer
