"""Accessibility in the browser: French page language, a label on every field, an alt text
on every image (on every page, for each role), and WCAG AA contrast on the projector."""

from __future__ import annotations

import re

import pytest

from .a11y import IMAGES_WITHOUT_ALT, UNLABELLED_FIELDS, low_contrast
from .browser import (
    DESKTOP,
    PHONE,
    PROJECTOR,
    expect,
    log_in,
    log_out,
    new_page,
    open_app,
    screenshot,
)
from .steps import SCENARIO, end_session, read_until, reveal, running_session

pytestmark = pytest.mark.e2e

ANONYMOUS_PAGES = ["/", "/rejoindre", "/donnees"]
LEARNER_PAGES = ["/accueil", f"/situations?scenario={SCENARIO}", "/ma-progression"]
LESSON_WITH_A_BLOCK = "/modules?module=4-gestion-des-conflits&lecon=01-quand-la-tension-monte"
STAFF_PAGES = ["/seances", "/tableau-de-bord", "/personnes", "/atelier"]
DASHBOARD_TABS = ["Relances", "Parcours", "Fiche individuelle", "Impressions"]


def problems_on(page) -> list[str]:
    found = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != "fr":
        found.append(f'<html lang="{lang}">, not "fr"')
    found += [f"field without a label: {html}" for html in page.evaluate(UNLABELLED_FIELDS)]
    found += [f"image without alt: {html}" for html in page.evaluate(IMAGES_WITHOUT_ALT)]
    return found


def check(page, who: str, path: str, report: dict) -> None:
    open_app(page, path)
    if found := problems_on(page):
        report[f"{who} {path}"] = found


def readable(report: dict) -> str:
    return "\n".join(f"{path}: {problem}" for path, found in report.items() for problem in found)


def test_every_page_is_french_with_labelled_fields_and_described_images(
    proxi_server, chromium_browser
):
    report: dict[str, list[str]] = {}
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        for path in ANONYMOUS_PAGES:
            check(page, "anonymous", path, report)
        log_in(page, "isabelle.roux")
        for path in LEARNER_PAGES:
            check(page, "learner", path, report)
        open_app(page, LESSON_WITH_A_BLOCK)
        read_until(page, "Valider ma réponse")
        if found := problems_on(page):
            report[f"learner {LESSON_WITH_A_BLOCK} (block)"] = found
    session_id, _ = running_session(proxi_server, "Séance accessibilité")
    try:
        with new_page(chromium_browser, proxi_server, DESKTOP) as page:
            log_in(page, "coordination")
            for path in STAFF_PAGES:
                check(page, "coordinator", path, report)
            for tab in DASHBOARD_TABS:  # the dashboard builds a tab only when it is opened
                open_app(page, "/tableau-de-bord")
                page.get_by_role("tab", name=tab).click()
                expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
                page.wait_for_load_state("networkidle")
                if found := problems_on(page):
                    report[f"dashboard › {tab}"] = found
            log_out(page)
            log_in(page, "formatrice")
            for path in ("/seances", f"/projection?seance={session_id}"):
                check(page, "trainer", path, report)
    finally:
        end_session(proxi_server, session_id)
    assert not report, "Accessibility problems:\n" + readable(report)


def test_projector_text_meets_wcag_aa_contrast(proxi_server, chromium_browser):
    session_id, code = running_session(proxi_server, "Séance contraste")
    try:
        with new_page(chromium_browser, proxi_server, PROJECTOR) as page:
            log_in(page, "formatrice")
            open_app(page, f"/projection?seance={session_id}")
            expect(page.get_by_text(re.compile(r"^A\. .+ — 0 vote\(s\)$"))).to_be_visible()
            expect(page.get_by_role("img").first).to_be_visible()  # the QR code
            screenshot(page, "a11y-projector")
            failures = low_contrast(page)
            reveal(proxi_server, session_id)  # the feedback of every option, in italics
            expect(page.get_by_text("Redire ce que la personne vit", exact=False)).to_be_visible()
            failures += [f"(résultat dévoilé) {text}" for text in low_contrast(page)]
    finally:
        end_session(proxi_server, session_id)
    assert not failures, "Projector text below WCAG AA:\n" + "\n".join(failures)
