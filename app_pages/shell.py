"""Page config, who is logged in, and the navigation that person may use."""

from __future__ import annotations

import uuid

import streamlit as st

from app_pages import ui
from app_pages.identity import current_person, log_out
from proxi.content.markdown import plain

PAGES = "app_pages"


def _page(file: str, title: str, icon: str, default: bool = False, url: str | None = None):
    return st.Page(f"{PAGES}/{file}", title=title, icon=icon, default=default, url_path=url)


def _verify_page():
    """Public, logged in or not: the QR code printed on every proof leads here."""
    return _page("verify.py", "Vérifier un document", "✅", url="verifier")


def pages_for(person) -> dict[str, list]:
    """Navigation by role; every page checks the role again before showing anything."""
    if person is None:
        return {
            "": [
                _page("login.py", "Connexion", "🔑", default=True, url="connexion"),
                _page("join.py", "Rejoindre une séance", "📱", url="rejoindre"),
                _page("privacy.py", "Vos données", "🛡️", url="donnees"),
                _verify_page(),
            ]
        }
    sections = {
        "Apprendre": [
            _page("home.py", "Accueil", "🏠", default=True, url="accueil"),
            _page("module.py", "Modules", "📘", url="modules"),
            _page("scenario.py", "Mises en situation", "🎭", url="situations"),
            _page("my_progress.py", "Ma progression", "📈", url="ma-progression"),
            _page("join.py", "Rejoindre une séance", "📱", url="rejoindre"),
        ]
    }
    if person.has_role("trainer", "coordinator"):
        sections["Animer"] = [
            _page("sessions.py", "Séances de groupe", "🧑‍🏫", url="seances"),
            _page("projector.py", "Projection", "📽️", url="projection"),
            _page("studio.py", "Atelier d'écriture", "✍️", url="atelier"),
        ]
    if person.has_role("manager", "coordinator", "trainer"):
        sections["Suivre"] = [_page("dashboard.py", "Tableau de bord", "📊", url="tableau-de-bord")]
    if person.has_role("coordinator"):
        sections["Administrer"] = [
            _page("people.py", "Personnes", "👥", url="personnes"),
            _page("privacy_admin.py", "Données personnelles", "🗂️", url="donnees-personnelles"),
        ]
    sections["Aide"] = [_page("privacy.py", "Vos données", "🛡️", url="donnees"), _verify_page()]
    return sections


def run() -> None:
    st.set_page_config(page_title="Proxi", page_icon="🏘️", layout="centered")
    st.html(ui.BASE_CSS)
    st.session_state.setdefault("_tab", uuid.uuid4().hex)
    person = current_person()
    navigation = st.navigation(pages_for(person), position="sidebar" if person else "top")
    if person is not None:
        with st.sidebar:
            st.markdown(f"**{plain(person.display_name)}**")
            if st.button("Se déconnecter", key="logout"):
                log_out(person)
                st.rerun()
    navigation.run()
