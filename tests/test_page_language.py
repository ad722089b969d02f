"""The page shell is served in French: <html lang="fr"> (proxi/web/language.py)."""

from __future__ import annotations

import asyncio

import pytest

from proxi.web.language import FrenchPage, is_page_path

SHELL = b'<!doctype html><html lang="en"><head></head><body></body></html>'


def shell_app(body: bytes = SHELL, content_type: bytes = b"text/html", status: int = 200):
    """An inner app like Streamlit's static handler; it records the headers it was given."""
    seen = {}

    async def app(scope, receive, send):
        seen["headers"] = dict(scope["headers"])
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    return app, seen


def get(app, path: str) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": [(b"accept-encoding", b"gzip"), (b"host", b"proxi.test")],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(FrenchPage(app)(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


@pytest.mark.parametrize("path", ["/", "/accueil", "/tableau-de-bord"])
def test_page_urls_get_the_french_shell(path):
    app, seen = shell_app()
    status, headers, body = get(app, path)
    assert status == 200
    assert b'<html lang="fr">' in body and b'lang="en"' not in body
    assert headers[b"content-length"] == str(len(body)).encode()
    assert b"accept-encoding" not in seen["headers"]  # asked uncompressed, to be editable


def test_assets_and_streamlit_routes_pass_through_untouched():
    for path in ("/static/js/index.js", "/_stcore/health", "/favicon.png"):
        app, seen = shell_app(b'var s = "<html lang="en">";', b"text/javascript")
        _, _, body = get(app, path)
        assert b'lang="en"' in body
        assert seen["headers"][b"accept-encoding"] == b"gzip"


def test_a_non_html_or_non_200_answer_on_a_page_url_is_untouched():
    app, _ = shell_app(b'{"lang": "<html lang="en">"}', b"application/json")
    assert b'lang="en"' in get(app, "/accueil")[2]
    app, _ = shell_app(SHELL, status=404)
    assert b'lang="en"' in get(app, "/inconnue")[2]


def test_page_paths():
    assert is_page_path("/") and is_page_path("/ma-progression")
    assert not is_page_path("/static/css/a.css") and not is_page_path("/robots.txt")
