"""Choisir son mot de passe (public): the page an invitation, a reset link or a login with a
temporary password leads to. The rules are proxi.people.invitations: a link works once,
until it expires; the person's identifier is shown so they know how to log in.

The token arrives in the address (`?jeton=…`); it is moved into this tab's state at once
and taken out of the address, so it is not left in the browser's history bar.
"""

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import current_person
from proxi.content.markdown import plain
from proxi.errors import ProxiError
from proxi.people import invitations

TOKEN = "invitation-token"
DONE = "invitation-done"

if invitations.TOKEN_PARAMETER in st.query_params:
    st.session_state[TOKEN] = st.query_params[invitations.TOKEN_PARAMETER]
    del st.query_params[invitations.TOKEN_PARAMETER]

st.title("Choisir votre mot de passe")
done = st.session_state.get(DONE)
if done:
    st.success(
        f"Votre mot de passe est enregistré. Votre identifiant est « {plain(done)} » : "
        "connectez-vous avec lui et ce mot de passe."
    )
    if st.button("Se connecter", type="primary", width="stretch"):
        st.session_state.pop(DONE, None)
        st.switch_page("app_pages/login.py")
    st.stop()

try:
    found = invitations.pending(db(), st.session_state.get(TOKEN, ""))
except invitations.InvitationInvalid as error:
    st.error(str(error))
    if current_person() is None:  # logged out there is no menu: the way to the login form
        ui.page_link("app_pages/login.py", "Aller à la connexion", "🔑")
    st.stop()

person = found.person
st.markdown(f"Bonjour **{plain(person.display_name)}**.")
st.markdown(f"Votre identifiant de connexion : **{plain(person.identifier)}**")
if found.kind == "temporary":
    st.info(
        "Le mot de passe que vous venez d'utiliser a été choisi par quelqu'un d'autre : "
        "choisissez maintenant le vôtre."
    )
with st.form("choose-password"):
    first = st.text_input("Nouveau mot de passe", type="password", autocomplete="new-password")
    again = st.text_input("Le même, encore une fois", type="password", autocomplete="new-password")
    st.caption("10 caractères au moins. Une phrase courte que vous retenez fait l'affaire.")
    chosen = st.form_submit_button("Enregistrer mon mot de passe", type="primary")
if chosen:
    if first != again:
        st.error("Les deux saisies ne sont pas identiques : recommencez.")
    else:
        try:
            saved = invitations.redeem(db(), st.session_state[TOKEN], first)
        except ProxiError as error:
            st.error(str(error))
        else:
            st.session_state.pop(TOKEN, None)
            st.session_state[DONE] = saved.identifier
            st.rerun()
