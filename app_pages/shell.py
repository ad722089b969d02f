"""Page config, who is logged in, and the navigation that person may use.

Every screen is in SCREENS, once. Each URL of the app always leads somewhere a person can
read, never to Streamlit's English « Page not found »: logged out, a private URL shows the
login form and goes there after login (with its parameters); a screen the role may not see
says so in French with a link home; the home's own URL (`/accueil`) leads home.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app_pages import french, ui
from app_pages.identity import checked_once, current_person, log_out
from proxi.content.markdown import plain
from proxi.people import invitations, permissions

PAGES = "app_pages"


@dataclass(frozen=True)
class Screen:
    file: str
    title: str
    icon: str
    url: str
    section: str
    wide: bool = False  # tables and editors use the whole screen
    listed: bool = True  # in the menu (the invitation page is reached only by its link)

    def allowed(self, person) -> bool:
        """proxi.people.permissions.PAGES says which act opens this screen, and who may."""
        return permissions.may_open(person, self.file)

    def page(self, url: str | None = None, default: bool = False, hidden: bool = False):
        return st.Page(
            f"{PAGES}/{self.file}",
            title=self.title,
            icon=self.icon,
            url_path=url or self.url,
            default=default,
            visibility="hidden" if hidden or not self.listed else "visible",
        )


LOGIN = Screen("login.py", "Connexion", "🔑", "connexion", "")
JOIN = Screen("join.py", "Rejoindre une séance", "📱", "rejoindre", "Apprendre")
PRIVACY = Screen("privacy.py", "Vos données", "🛡️", "donnees", "Aide")
# Public, logged in or not: the QR code printed on every proof leads here.
VERIFY = Screen("verify.py", "Vérifier un document", "✅", "verifier", "Aide")
# Public too: the link of an invitation or of a reset, logged in or not.
INVITATION = Screen("invitation.py", "Choisir son mot de passe", "🔐", invitations.PAGE_PATH, "Aide",
                    listed=False)  # fmt: skip
HOME = Screen("home.py", "Accueil", "🏠", "accueil", "Apprendre")
DASHBOARD = Screen("dashboard.py", "Tableau de bord", "📊", "tableau-de-bord", "Suivre", wide=True)
SCREENS = (
    HOME,
    Screen("module.py", "Modules", "📘", "modules", "Apprendre"),
    Screen("scenario.py", "Mises en situation", "🎭", "situations", "Apprendre"),
    Screen("my_progress.py", "Ma progression", "📈", "ma-progression", "Apprendre"),
    JOIN,
    Screen("sessions.py", "Séances de groupe", "🧑‍🏫", "seances", "Animer"),
    Screen("projector.py", "Projection", "📽️", "projection", "Animer", wide=True),
    Screen("studio.py", "Atelier d'écriture", "✍️", "atelier", "Animer", wide=True),
    DASHBOARD,
    Screen("people.py", "Personnes", "👥", "personnes", "Administrer"),
    Screen("privacy_admin.py", "Données personnelles", "🗂️", "donnees-personnelles", "Administrer"),
    Screen("audit.py", "Journal des actions", "📜", "journal", "Administrer", wide=True),
    Screen("account.py", "Mon compte", "👤", "mon-compte", "Aide"),
    PRIVACY,
    VERIFY,
    INVITATION,
)
PUBLIC = (LOGIN, JOIN, PRIVACY, VERIFY, INVITATION)
# The page scripts: Streamlit runs them at each visit, nothing imports them.
PAGE_SCRIPTS = frozenset(f"{__package__}.{Path(s.file).stem}" for s in (*SCREENS, *PUBLIC))


def landing(person) -> Screen:
    """Where a person lands: managers and coordinators on their dashboard."""
    return DASHBOARD if person.has_role("manager", "coordinator") else HOME


def pages_for(person) -> dict[str, list]:
    """The navigation this person may use; every page checks again before showing anything."""
    if person is None:
        visible = [LOGIN.page(default=True), JOIN.page(), PRIVACY.page(), VERIFY.page(),
                   INVITATION.page()]  # fmt: skip
        # A private URL opened logged out: the login form, which then goes there.
        hidden = [LOGIN.page(url=s.url, hidden=True) for s in SCREENS if s not in PUBLIC]
        return {"": visible + hidden}
    home = landing(person)
    sections: dict[str, list] = {}
    hidden = [
        # The landing screen is served at "/"; its own URL, and the login's, show it too
        # (the same file: a page switch here would drop the login's pending redirect).
        home.page(url=home.url, hidden=True),
        home.page(url=LOGIN.url, hidden=True),
    ]
    for screen in SCREENS:
        if not screen.allowed(person):
            hidden.append(st.Page(_not_for_your_role, title=screen.title, url_path=screen.url,
                                  visibility="hidden"))  # fmt: skip
            continue
        url = f"{screen.url}-debut" if screen is home else screen.url
        sections.setdefault(screen.section, []).append(screen.page(url, default=screen is home))
    sections.setdefault("Aide", []).extend(hidden)
    return sections


NAVIGATION_KEY = "_navigation-pages"


def kept_pages_for(person) -> dict[str, list]:
    """pages_for(person), built once per tab while what it depends on stays the same:
    building ~30 st.Page objects (each resolves its file) was ~8 % of every click. Kept in
    the tab's session, never shared between sessions: st.navigation marks the page it
    returns as the one to run, and two sessions running at once would clear each other's mark."""
    depends_on = _pages_depend_on(person)
    kept = st.session_state.get(NAVIGATION_KEY)
    if kept is None or kept[0] != depends_on:
        kept = st.session_state[NAVIGATION_KEY] = (depends_on, pages_for(person))
    return kept[1]


def _pages_depend_on(person) -> tuple | None:
    """Everything pages_for reads of the person: logged in or not, landing, allowed screens."""
    if person is None:
        return None
    return landing(person).file, tuple(screen.allowed(person) for screen in SCREENS)


def _not_for_your_role() -> None:
    st.title("Page réservée")
    st.error("Cette page n'est pas accessible avec votre rôle.")
    st.page_link(f"{PAGES}/{landing(current_person()).file}", label="Retour à l'accueil", icon="🏠")


def screen_of(page) -> Screen | None:
    """The screen a navigation page shows (None for the small hidden helpers above)."""
    if not isinstance(page._page, Path):
        return None
    return next((s for s in SCREENS if s.file == page._page.name), None)


def run() -> None:
    with checked_once():  # the menu's check serves the page's require() too
        _run()


def _run() -> None:
    st.html(ui.BASE_CSS)
    french.install()  # Streamlit's own English in French, from the first run
    st.session_state.setdefault("_tab", uuid.uuid4().hex)
    person = current_person()
    # Logged out, the login page offers its few links itself: no menu to open on a phone.
    # Every page listed (collapsed, Streamlit cuts the list at « View 4 more »).
    navigation = st.navigation(
        kept_pages_for(person), position="sidebar" if person else "hidden", expanded=True
    )
    screen = screen_of(navigation)
    # The layout is set before the page draws anything, from the screen being opened:
    # set later by the page itself, it only took effect after a full reload.
    st.set_page_config(
        page_title="Proxi",
        page_icon="🏘️",
        layout="wide" if screen and screen.wide else "centered",
    )
    if person is not None:
        with st.sidebar:
            st.markdown(f"**{plain(person.display_name)}**")
            if st.button("Se déconnecter", key="logout"):
                log_out(person)
                st.rerun()
    navigation.run()
