"""No English on any page of any role, as a person reaches it (issue 13, item 26).

Each demo role logs in and taps every page of its menu, then on each page every tab, every
closed expander, and what only shows while someone acts: a field being typed in (« Press
Enter to submit form »), a list searched for nothing (« No results »), a file dragged over
an upload zone (« Drag and drop a file here »). The logged out visitor, the guest who joins
a group session from the login page, and a mistyped address are scanned too.

What is scanned is what a person can read or hear: the app's rendered text (`innerText`
leaves out what is hidden; Material icon names, drawn as glyphs, are taken out) and the
placeholder, title and aria-label of visible elements (a screen reader speaks them). It
fails on Streamlit's and PyYAML's own English and on common English UI words. Each page is
screenshotted as it opens, and any place where English shows
(test-artifacts/screenshots/english-*.png).
"""

from __future__ import annotations

import re

import pytest

from .browser import (
    DESKTOP,
    IDLE,
    PHONE,
    click,
    expect,
    go_to,
    log_in,
    main,
    new_page,
    open_app,
    rerun_after,
    screenshot,
    settle,
)
from .steps import end_session, running_session

pytestmark = pytest.mark.e2e

# Streamlit's and PyYAML's own English (1.67), as it reaches the screen.
STREAMLIT_DEFAULTS = (
    r"Skip to main content|Choose options?|Choose an option|Select all|Clear all|Select\.\.\."
    r"|Drag and drop|Browse files|\bUpload\b|per file|\bLimit \d|DD/MM/YYYY|YYYY/MM/DD"
    r"|Page not found|You have requested page|Running the app|Running\.\.\.|No results"
    r"|Press Enter|Enter to apply|File type not allowed|did not find expected|mapping values"
    r"|while (?:scanning|parsing)|Made with Streamlit|\bDeploy\b|\bRerun\b|Clear cache"
    r"|Manage app|Main menu|App pages|(?:Expand|Collapse) sidebar|Show password|Hide password"
    r"|Clear value|Selected values|Scroll tabs|Download as CSV|Fullscreen|Close fullscreen"
)
# Everyday English of an interface; none is a French word (« Code », « Menu », « Stop »,
# « Options » and « Date » are, and are left out).
ENGLISH_WORDS = (
    r"\b(?:upload|browse|download|submit|cancel|search|close|open|select|choose|clear|loading"
    r"|running|settings|delete|remove|next|previous|back|save|edit|show|hide|expand|collapse"
    r"|please|error|warning|press|drag|drop|files|results?|found|sidebar|password|skip"
    r"|increment|decrement|copy|view|rename|count|theme|print|about|help"
    r"|the|and|of|to|here|your|you|with|this|is|not)\b"
)
ENGLISH = re.compile(f"{STREAMLIT_DEFAULTS}|{ENGLISH_WORDS}", re.IGNORECASE)
READABLE = """() => {
  let text = document.body.innerText;  // with the lists and dialogs drawn outside the app
  for (const icon of document.querySelectorAll('[data-testid="stIconMaterial"]')) {
    if (icon.textContent) text = text.split(icon.textContent).join(" ");
  }
  const texts = [text];
  for (const element of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
    if (!element.checkVisibility()) continue;
    for (const name of ["placeholder", "title", "aria-label"]) {
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts;
}"""
# A file held over an upload zone: what react-dropzone hears when someone drags one in.
DRAG_OVER = """(zone) => {
  const held = new DataTransfer();
  held.items.add(new File(["a"], "liste.csv", {type: "text/csv"}));
  zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: held, bubbles: true}));
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: held, bubbles: true}));
}"""
DRAG_AWAY = """(zone) => zone.dispatchEvent(new DragEvent("dragleave", {bubbles: true}))"""
ROLES = ["karim.haddad", "formatrice", "manager.habitat", "coordination"]
RERUN_STARTS_MS = 400
FIELDS_PER_PAGE = 4  # typed in one by one: enough to show each kind of instruction


class Scan:
    """What English each place showed, and a screenshot of each place."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.found: dict[str, list[str]] = {}
        self.places = 0

    def __call__(self, page, where: str) -> None:
        settle(page)
        english = sorted(
            {m.group(0) for text in page.evaluate(READABLE) for m in ENGLISH.finditer(text)}
        )
        self.places += 1
        if english or "›" not in where:  # each page as it opens, and any English found
            screenshot(page, f"english-{self.who}-{self.places:02d}")
        if english:
            self.found[where] = english


def menu(page) -> list[str]:
    """The titles of the navigation's pages (each link reads its icon, then its title)."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [text.split("\n")[-1].strip() for text in links]


def every_tab(page, where: str, scan: Scan) -> None:
    tabs = main(page).get_by_role("tab")
    for index in range(tabs.count()):
        tap_tab(page, tabs.nth(index))
        name = tabs.nth(index).inner_text()
        scan(page, f"{where} › {name}")
        every_expander(page, f"{where} › {name}", scan)
        while_acting(page, f"{where} › {name}", scan)


def tap_tab(page, tab) -> None:
    """Open a tab. A lazy tab (on_change="rerun") reruns the script, a plain one does not:
    give a rerun the time to start, then wait for it if it did."""
    if tab.get_attribute("aria-selected") == "true":
        return
    before = page.runs.total
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    page.wait_for_timeout(RERUN_STARTS_MS)
    if page.runs.total == before and not page.locator(IDLE).count():
        page.runs.wait_until(lambda: page.runs.total > before, "the tab's script run")
    settle(page)


def every_expander(page, where: str, scan: Scan) -> None:
    """Open each closed expander in view (st.expander opens without a script run)."""
    every = main(page).locator("details")
    for index in range(every.count()):
        details = every.nth(index)
        summary = details.locator("summary")
        if details.get_attribute("open") is not None or not summary.is_visible():
            continue
        label = summary.inner_text().split("\n")[-1]  # after its icon's name
        summary.click()
        expect(details).to_have_attribute("open", "")
        scan(page, f"{where} › {label}")


def while_acting(page, where: str, scan: Scan) -> None:
    """What shows only while someone acts: typing, searching a list, dragging a file."""
    fields = main(page).locator("input[type=text], input[type=password], textarea")
    for index in range(min(fields.count(), FIELDS_PER_PAGE)):
        field = fields.nth(index)
        if not field.is_visible() or not field.is_editable():
            continue
        field.press("End")
        field.press_sequentially("a")
        scan(page, f"{where} › en tapant")
        field.press("Backspace")
    lists = main(page).get_by_role("combobox")
    if lists.count() and lists.first.is_visible():
        lists.first.click()
        lists.first.press_sequentially("zzzz")
        scan(page, f"{where} › liste sans résultat")
        for _ in range(3):  # the first Escape may only empty the search
            if not page.get_by_role("listbox").count():
                break
            page.keyboard.press("Escape")
        expect(page.get_by_role("listbox")).to_have_count(0)
    for zone in main(page).get_by_test_id("stFileUploaderDropzone").all():
        if zone.is_visible():
            zone.evaluate(DRAG_OVER)
            scan(page, f"{where} › fichier glissé")
            zone.evaluate(DRAG_AWAY)


@pytest.mark.parametrize("identifier", ROLES)
def test_no_english_on_any_page_of_a_role(proxi_server, chromium_browser, identifier):
    scan = Scan(identifier)
    with new_page(chromium_browser, proxi_server, DESKTOP) as page:
        log_in(page, identifier)
        pages = menu(page)
        assert len(pages) >= 3, pages
        for title in pages:
            go_to(page, title)
            scan(page, title)
            every_expander(page, title, scan)
            while_acting(page, title, scan)
            every_tab(page, title, scan)
            if not page.get_by_test_id("stSidebarContent").is_visible():  # the projector
                rerun_after(page, page.go_back)  # the browser's back button
        open_app(page, "/une-page-qui-n-existe-pas")  # a mistyped address
        scan(page, "adresse inconnue")
    assert scan.found == {}, f"English on screen for {identifier}: {scan.found}"


def test_no_english_logged_out_or_joining_as_a_guest(proxi_server, chromium_browser):
    scan = Scan("invite")
    session_id, code = running_session(proxi_server, "Scan des textes anglais")
    try:
        with new_page(chromium_browser, proxi_server, PHONE) as page:
            open_app(page, "/")
            scan(page, "connexion")
            page.get_by_label("Identifiant").press_sequentially("quelqu")  # form instructions
            scan(page, "connexion, en tapant")
            privacy = main(page).get_by_role("link", name="Vos données : ce que Proxi enregistre")
            click(page, privacy)
            scan(page, "vos données")
            click(page, main(page).get_by_role("link", name="Retour à la connexion"))
            click(page, page.get_by_role("button", name="📱 Rejoindre une séance de groupe"))
            expect(page.get_by_label("Code de la séance")).to_be_visible()
            scan(page, "rejoindre")
            page.get_by_label("Code de la séance").fill(code)
            page.get_by_label("Votre prénom et votre nom").press_sequentially("Inès Invitée")
            scan(page, "rejoindre, en tapant")
            click(page, page.get_by_role("button", name="Rejoindre", exact=True))
            expect(page.get_by_role("heading", name="Scan des textes anglais")).to_be_visible()
            scan(page, "bulletin de vote")
        with new_page(chromium_browser, proxi_server, PHONE) as page:
            open_app(page, "/une-page-qui-n-existe-pas")
            scan(page, "adresse inconnue, déconnecté")
    finally:
        end_session(proxi_server, session_id)
    assert scan.found == {}, f"English on screen: {scan.found}"
