"""The page language: Streamlit's HTML shell says <html lang="en">; Proxi is French.

Screen readers pick their voice from `lang`, and browsers offer to translate an "English"
page. Streamlit has no option for it, and `st.html` cannot run a script, so this small ASGI
middleware (mounted by app.py with `st.App(..., middleware=[Middleware(FrenchPage)])`)
rewrites that one attribute in the HTML page Streamlit serves for "/" and every page URL.

Only uncompressed 200 text/html responses are touched. For page URLs (no file extension,
outside Streamlit's own prefixes) it asks the inner app for an uncompressed body: the shell
is about 2 kB, and Streamlit's gzip middleware sits inside this one.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENGLISH = b'<html lang="en"'
FRENCH = b'<html lang="fr"'
STREAMLIT_PREFIXES = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/")


def is_page_path(path: str) -> bool:
    """A URL Streamlit answers with its HTML shell ("/", "/accueil"...), not a file."""
    last = path.rsplit("/", 1)[-1]
    return not path.startswith(STREAMLIT_PREFIXES) and "." not in last


class FrenchPage:
    """ASGI middleware: serve the page shell with <html lang="fr">."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        await self.app({**scope, "headers": headers}, receive, _Rewriter(send))


class _Rewriter:
    """Buffers one uncompressed 200 HTML response, fixes its lang, passes the rest through."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = Headers(raw=message["headers"])
            if (
                message["status"] == 200
                and headers.get("content-type", "").startswith("text/html")
                and "content-encoding" not in headers
            ):
                self.start = message
                return
        elif message["type"] == "http.response.body" and self.start is not None:
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._send_french()
            return
        await self.send(message)

    async def _send_french(self) -> None:
        if self.start is None:  # only called once the start message was kept
            return
        body = b"".join(self.chunks).replace(ENGLISH, FRENCH, 1)
        headers = MutableHeaders(raw=list(self.start["headers"]))
        headers["content-length"] = str(len(body))
        await self.send({**self.start, "headers": headers.raw})
        await self.send({"type": "http.response.body", "body": body})
