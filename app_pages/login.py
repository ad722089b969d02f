"""Login: identifier and password; the messages never say whether an identifier exists.

Also what a logged-out person may open from here (the menu is hidden when logged out), and
the page asked for before logging in (a deep link), where the person goes once logged in.
"""

from urllib.parse import urlencode, urlparse

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import log_in
from proxi.errors import AuthError
from proxi.people import accounts, invitations
from proxi.web import edge


def asked_for() -> str:
    """The path and parameters this tab was opened at, if not the login page itself."""
    try:
        path = urlparse(st.context.url or "/").path or "/"
    except Exception:  # no browser context (AppTest): nothing was asked for
        path = "/"
    if path.strip("/") in ("", "connexion"):
        return "/"
    query = {k: v for k, v in st.query_params.to_dict().items() if k != "connexion"}
    return path + (f"?{urlencode(query)}" if query else "")


def client() -> str:
    """The address the login comes from, through the trusted proxy (edge.client_address);
    empty without a browser (AppTest), where every try counts as one client."""
    peer = st.context.ip_address
    forwarded = st.context.headers.get("X-Forwarded-For")
    if not isinstance(peer, str):
        return ""
    address = edge.client_address(peer, forwarded if isinstance(forwarded, str) else None,
                                  edge.trusted_proxies())  # fmt: skip
    return address or ""


st.title("Proxi")
st.markdown(
    "Formation et mises en situation pour les personnels de proximité : "
    "gardiens, agents, médiateurs, managers."
)
if st.query_params.get("connexion") == "expiree":
    st.warning("Ce lien de connexion n'est plus valable. Connectez-vous à nouveau.")
with st.form("login"):
    identifier = st.text_input("Identifiant", autocomplete="username")
    password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Se connecter", type="primary", width="stretch")

if submitted:
    if not identifier.strip() or not password:
        st.warning("Saisissez votre identifiant et votre mot de passe.")
    else:
        try:
            person = accounts.authenticate(db(), identifier, password, client=client())
        except AuthError as error:
            st.error(str(error))
        else:
            if person.password_temporary:  # chosen by someone else: the person's own first
                private = invitations.after_temporary_password(db(), person)
                st.switch_page(
                    "app_pages/invitation.py",
                    query_params={invitations.TOKEN_PARAMETER: private.token},
                )
            log_in(person, asked_for())
            st.rerun()

if st.button("📱 Rejoindre une séance de groupe", width="stretch"):
    st.switch_page("app_pages/join.py")

st.caption(
    "Mot de passe oublié ? Demandez à votre manager ou à la coordination de la formation "
    "un lien pour en choisir un nouveau. Avant de vous connecter, lisez ce que Proxi "
    "enregistre :"
)
ui.page_link("app_pages/privacy.py", "Vos données : ce que Proxi enregistre", "🛡️")
