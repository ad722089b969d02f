"""HTTP requests to an ASGI application without a server (a test helper, no tests here).

httpx (which starlette.testclient needs) is not a dependency, so `request` drives the ASGI
application directly: one HTTP scope in, the response start message out. That is exactly
what uvicorn hands Streamlit's Starlette app.
"""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

SECRET = b"s" * 64


def request(app, path: str, query: str = "", cookie: str = "", scheme: str = "http", extra=()):
    """GET `path` (with `extra` request headers); returns (status, {header: [values]})."""
    headers = [(b"host", b"proxi.test"), *extra]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "server": ("proxi.test", 443 if scheme == "https" else 80),
        "client": ("127.0.0.1", 5000),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    found: dict[str, list[str]] = {}
    for name, value in start["headers"]:
        found.setdefault(name.decode().lower(), []).append(value.decode())
    return start["status"], found


def session_cookie(headers) -> SimpleCookie:
    cookie = SimpleCookie()
    cookie.load(headers["set-cookie"][0])
    return cookie
