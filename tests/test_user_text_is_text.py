"""Every user-typed text (a guest's name, a display name) is shown as typed, never as Markdown."""

from __future__ import annotations

import pytest
from pages import logged_in, make_person, use_temporary_world

from proxi.content.markdown import MD, plain
from proxi.live import attendance
from proxi.live import report as live_report
from proxi.live import sessions as live
from proxi.people.permissions import OPERATOR
from proxi.progress.reports import Viewer

HOSTILE_NAMES = [
    "[Signez ici](https://exemple.invalid/piege)",
    "**Important** : <b>appelez</b> le 3615",
    "# Titre",
    ":red[Alerte] $x^2$",
    "1. liste",
    "<https://exemple.invalid>",
]


def html(markdown: str) -> str:
    return MD.render(markdown)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_plain_text_renders_to_exactly_what_was_typed(name):
    rendered = html(plain(name))
    assert "<a " not in rendered and "<strong>" not in rendered and "<h1>" not in rendered
    assert "<ol>" not in rendered and "<b>" not in rendered
    assert (
        rendered.strip()
        == f"<p>{name.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>"
    )


def test_a_guest_name_is_not_a_link_on_the_attendance_sheet_or_the_role_cards(
    room, porte, join_all
):
    db, trainer, learners, session_id, code = room
    join_all(db, code, [], guests=[HOSTILE_NAMES[0]])
    session = live.get_session(db, session_id)
    sheet = html(
        live_report.attendance_markdown(db, attendance.sheet(db, session, Viewer.of(trainer)))
    )
    cards = html(live_report.role_cards_markdown(porte, {"m_roche": [HOSTILE_NAMES[0]]}))
    for rendered in (sheet, cards):
        assert "<a " not in rendered
        assert "[Signez ici](https://exemple.invalid/piege)" in rendered


def test_a_display_name_with_markup_is_shown_as_typed_on_the_home_page(tmp_path, monkeypatch):
    db_path = use_temporary_world(tmp_path, monkeypatch)
    person = make_person(db_path, "alice")
    from proxi.people import accounts
    from proxi.progress.db import open_db

    db = open_db(db_path)
    accounts.update_person(db, OPERATOR, person.id, display_name=HOSTILE_NAMES[0])
    at = logged_in(db_path, person)
    assert "<a " not in html(at.title[0].value)
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "<a " not in html(sidebar) and "Signez ici" in sidebar
