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
    """The device the login comes from (proxi.people.throttle counts failures per identifier
    and device): this browser, by its proxi_device cookie, else its address through the
    trusted proxy (edge.device_key). Not the address alone: colleagues behind one office
    connection share it, and one of them would block the others. Without a browser
    (AppTest), every try counts as one client."""
    peer, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    cookie = st.context.cookies.get(edge.DEVICE_COOKIE)
    address = edge.client_address(_text(peer), _text(forwarded), edge.trusted_proxies())
    return edge.device_key(_text(cookie), address)


def _text(value) -> str | None:
    """What the browser sent, or None (AppTest's context holds no strings)."""
    return value if isinstance(value, str) else None


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
