"""Journey: a learner sees on the home, on a phone, the due date their manager set (written
through the core as the dashboard writes it; the manager's form is tested with AppTest).
Screenshot: test-artifacts/screenshots/due-date-home.png."""

from __future__ import annotations

from datetime import timedelta

import pytest

from proxi import dates
from proxi.content.catalogue import load_catalogue
from proxi.people import follow_up
from proxi.progress import due_dates

from .browser import PHONE, expect, log_in, main, new_page, screenshot
from .steps import core, person

pytestmark = pytest.mark.e2e


def test_a_learner_sees_the_due_date_on_the_home(proxi_server, chromium_browser):
    due = dates.today() + timedelta(days=3)
    with core(proxi_server) as db:
        karim = person(db, "karim.haddad")
        finished = due_dates.completed_modules(db, [karim.id]).get(karim.id, set())
        modules = load_catalogue().course.modules.values()
        module = next(m for m in modules if m.id not in finished)  # the demo finished some
        manager = person(db, "manager.habitat")
        follow_up.set_due_date(db, manager, module.id, due, person_id=karim.id)
    with new_page(chromium_browser, proxi_server, PHONE) as phone:
        log_in(phone, "karim.haddad")
        expect(main(phone).get_by_role("heading", name="Mes échéances")).to_be_visible()
        line = main(phone).get_by_text(f"{module.title} — ", exact=False).first
        expect(line).to_contain_text(f"À terminer pour le {due:%d/%m/%Y} (dans 3 jours)")
        expect(line).to_be_in_viewport()  # above the list of modules, seen without scrolling
        screenshot(phone, "due-date-home")
