"""Who is using the app: logging in and out, and the role check at the top of each page.

Identity survives a refresh because it comes from the `proxi_session` cookie (signed,
HttpOnly, set by the `/proxi-auth/complete` route after login) and is checked against the
database on EVERY run: logging out or deactivating an account takes effect at once, in
every tab. Within one tab the token is also kept in session state, which is how AppTest
(which has no browser and no cookies) logs in.

Once per run, not once per call: the shell checks the session before drawing the menu and
the page checks it again in `require()`; `checked_once()` (around the shell's run) lets the
second ask reuse the first answer. A fragment's rerun or a callback runs outside it and
checks the database itself. `per_run` keeps other answers of the same run the same way
(the learner's progress, read by a page and by the fragment it draws).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar
from urllib.parse import urlencode

import streamlit as st

from app_pages.connection import db
from proxi.people import accounts, permissions
from proxi.people.accounts import Person

TOKEN_KEY = "session_token"
REDIRECT_KEY = "_redirect_to"
T = TypeVar("T")
# While `checked_once()` is open: a list holding this run's answer once it is known.
_this_run: ContextVar[list[Person | None] | None] = ContextVar("proxi_this_run", default=None)
# While `checked_once()` is open: what `per_run` made in this run, by name.
_made_this_run: ContextVar[dict[str, object] | None] = ContextVar("proxi_made", default=None)


@contextlib.contextmanager
def checked_once() -> Iterator[None]:
    """Within this block (one script run), the session is looked up once."""
    opened, made = _this_run.set([]), _made_this_run.set({})
    try:
        yield
    finally:
        _this_run.reset(opened)
        _made_this_run.reset(made)


def per_run(name: str, make: Callable[[], T]) -> T:
    """`make()`, once per run within `checked_once()`; outside it (a fragment's rerun, a
    callback), made again at each call. Forgotten with the person at a login or logout."""
    made = _made_this_run.get()
    if made is None:
        return make()
    if name not in made:
        made[name] = make()
    return made[name]  # type: ignore[return-value]  # made by `make` under this name


def _cookie_token() -> str | None:
    from proxi.web.auth import COOKIE_NAME, session_token_from_cookie

    try:
        cookie = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser context (AppTest, bare mode): no cookie to read
        return None
    return session_token_from_cookie(cookie) if cookie else None


def current_person() -> Person | None:
    """The logged-in person, checked against the database on every run."""
    _send_pending_redirect()
    answer = _this_run.get()
    if answer:
        return answer[0]
    person = _look_up()
    if answer is not None:
        answer.append(person)
    return person


def _forget() -> None:
    """Logging in or out changes the answer: the next ask in this run looks it up again."""
    answer, made = _this_run.get(), _made_this_run.get()
    if answer:
        answer.clear()
    if made:
        made.clear()


def _look_up() -> Person | None:
    # The cookie is read (and its signature checked) only when the tab holds no live token.
    for read in (lambda: st.session_state.get(TOKEN_KEY), _cookie_token):
        token = read()
        if token:
            person = accounts.person_for_session(db(), token)
            if person is not None:
                st.session_state[TOKEN_KEY] = token
                return person
    st.session_state.pop(TOKEN_KEY, None)
    return None


def log_in(person: Person, next_path: str = "/") -> None:
    """Open a session for this tab, then send the browser for its cookie and on to
    `next_path` (the page asked for before logging in; the route keeps it same-site)."""
    _forget()
    st.session_state[TOKEN_KEY] = accounts.redeem_login_ticket(
        db(), accounts.issue_login_ticket(db(), person.id)
    )
    ticket = accounts.issue_login_ticket(db(), person.id)
    query = urlencode({"ticket": ticket, **({"next": next_path} if next_path != "/" else {})})
    _redirect(f"/proxi-auth/complete?{query}")


def log_out(person: Person) -> None:
    """Revoke every session of the person (all tabs, all devices), then clear the cookie."""
    accounts.revoke_all_sessions(db(), person.id)
    st.session_state.clear()
    _forget()
    _redirect("/proxi-auth/logout")


def _redirect(url: str) -> None:
    """Send the browser to one of our own routes, at the start of the next run.

    Callers st.rerun() next, and Streamlit drops every message not yet flushed to the
    browser when a rerun starts (AppSession._clear_queue keeps only lifecycle messages
    and toasts): sent now, the redirect would be lost about one time in ten.
    """
    st.session_state[REDIRECT_KEY] = url


def _send_pending_redirect() -> None:
    """Enqueue the redirect the previous run asked for (how st.login reaches its routes)."""
    url = st.session_state.pop(REDIRECT_KEY, None)
    if not url:
        return
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    ctx.enqueue(message)


def require(act: str | None = None) -> Person:
    """The current person if they may do `act` (proxi.people.permissions; None: anyone
    logged in); otherwise stop the page here."""
    person = current_person()
    if person is None:
        st.warning("Connectez-vous pour accéder à cette page.")
        st.stop()
    if act and not permissions.may(person, act):
        st.error("Cette page n'est pas accessible avec votre rôle.")
        st.stop()
    return person
