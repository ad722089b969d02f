"""Helpers for page tests: a temporary database and content, people, logged-in AppTests."""

from __future__ import annotations

import shutil
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "motdepasse-de-test"


def use_temporary_world(
    tmp_path: Path, monkeypatch, content: str = "fixtures", database: Path | str | None = None
) -> Path | str:
    """Point Proxi at a fresh database and at copies of the fixture (or shipped) content.

    The database is a new file, or the one the `app_database` fixture chose (pass it): the
    test then runs on SQLite and on PostgreSQL."""
    if database is None:
        database = tmp_path / "progress.db"
        monkeypatch.setenv("PROXI_DB", str(database))
    if content == "fixtures":
        shutil.copytree(FIXTURES / "modules", tmp_path / "modules")
        shutil.copytree(FIXTURES / "scenarios", tmp_path / "scenarios")
        monkeypatch.setenv("PROXI_MODULES_DIR", str(tmp_path / "modules"))
        monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path / "scenarios"))
    st.cache_resource.clear()
    st.cache_data.clear()
    return database


def make_person(
    db_path: Path | str,
    identifier: str,
    roles=("learner",),
    organisation: str = "Habitat Val de Seine",
):
    db = open_db(db_path)
    existing = {o.name: o for o in accounts.list_organisations(db)}
    org = existing.get(organisation) or accounts.create_organisation(
        db, OPERATOR, organisation, "bailleur"
    )
    person = accounts.create_person(
        db,
        OPERATOR,
        identifier,
        identifier.replace(".", " ").title(),
        PASSWORD,
        organisation_id=org.id,
        site="Quartier des Tilleuls",
        job_category="gardien",
        roles=roles,
    )
    db.close()
    return person


def session_token(db_path: Path | str, person) -> str:
    db = open_db(db_path)
    token = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, person.id))
    db.close()
    return token


def run_page_directly(db_path: Path | str, person, page: str) -> AppTest:
    """Run one page file on its own, as a crafted URL or a page switch would reach it."""
    at = AppTest.from_file(str(Path(APP).parent / page), default_timeout=30)
    if person is not None:
        at.session_state["session_token"] = session_token(db_path, person)
    return at.run()


def logged_in(db_path: Path | str, person, page: str | None = None) -> AppTest:
    """An AppTest whose tab holds a live session for `person` (AppTest has no cookies)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["session_token"] = session_token(db_path, person)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def open_as(landlords, who: str, page: str, **query) -> AppTest:
    """`page`, opened by `ids[who]` of the `landlords` fixture (db, ids), with `query`."""
    db, ids = landlords
    at = AppTest.from_file(APP, default_timeout=30)
    ticket = accounts.issue_login_ticket(db, ids[who])
    at.session_state["session_token"] = accounts.redeem_login_ticket(db, ticket)
    at.query_params.update(query)
    at.run()
    at.switch_page(page)
    return at.run()


def show_tab(at: AppTest, tab: str) -> AppTest:
    """The dashboard with its tab `tab` open (the tab a person taps is kept in the session)."""
    at.session_state["dashboard-tab"] = tab
    return at.run()


def no_exception(at: AppTest) -> None:
    assert [e.value for e in at.exception] == []


def create_zoe(at: AppTest) -> None:
    """Fill and send the « Créer » form of the people page for Zoé Neuve (no password:
    she gets an invitation)."""
    form = {box.label: box for box in at.text_input}
    form["Nom affiché"].input("Zoé Neuve")
    form["Identifiant de connexion"].input("zoe.neuve")
    next(b for b in at.button if b.label == "Créer la personne").click().run()
    no_exception(at)


def shown_facts(at: AppTest, first_label: str) -> dict[str, str]:
    """The pairs ui.facts shows (« - **Label** : value »), as read: without escapes."""
    listed = next(m.value for m in at.markdown if m.value.startswith(f"- **{first_label}** : "))
    lines = (line[4:].replace("\\", "") for line in listed.split("\n"))
    return dict(line.split("** : ", 1) for line in lines)


def texts(at: AppTest) -> str:
    """Everything the page shows as text, in one string, for 'the user sees X' assertions."""
    parts = [
        e.value
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "info",
            "success",
            "warning",
            "error",
        )
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def chart_specs(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the charts on the page (AppTest has no chart element)."""
    import json

    found = at.get("vega_lite_chart")
    return [json.loads(chart.proto.spec) for chart in found]


# --- One page file run alone (the live pages: sessions.py, join.py, room.py) ------------------


def page(name: str, person=None, db=None, query: dict | None = None) -> AppTest:
    """app_pages/`name` run by itself, as `person` when given, with `query` in its URL."""
    at = AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=30)
    if person is not None:
        ticket = accounts.issue_login_ticket(db, person.id)
        at.session_state["session_token"] = accounts.redeem_login_ticket(db, ticket)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return at.run()


def join(at: AppTest, code: str | None, name: str | None = None) -> AppTest:
    """The join page's form: the code (None keeps what the link put there), then a name."""
    if code is not None:
        at.text_input[0].input(code)
    if name is not None:
        at.text_input[1].input(name)
    at.button[0].click()
    return at.run()
