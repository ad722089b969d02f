"""Login: identifier and password; the messages never say whether an identifier exists."""

import streamlit as st

from app_pages.connection import db
from app_pages.identity import log_in
from proxi.errors import AuthError
from proxi.people import accounts

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
            person = accounts.authenticate(db(), identifier, password)
        except AuthError as error:
            st.error(str(error))
        else:
            log_in(person)
            st.rerun()

st.caption(
    "Mot de passe oublié ? Demandez à la coordination de la formation de le réinitialiser. "
    "Avant de vous connecter, lisez ce que Proxi enregistre : page « Vos données »."
)
