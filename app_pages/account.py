"""Mon compte: who I am here (identifier, organisation, roles), my password, and the
browsers where I am logged in, which I can close. The rules are proxi.people.accounts."""

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import TOKEN_KEY, require
from proxi.dates import local_moment
from proxi.people import accounts

me = require()
token = st.session_state.get(TOKEN_KEY)
st.title("Mon compte")


PASSWORD_FIELDS = ("own-current", "own-new", "own-again")


def change_password() -> str:
    state = st.session_state
    if state["own-new"] != state["own-again"]:
        raise accounts.InvalidAccount("Les deux saisies du nouveau mot de passe diffèrent.")
    accounts.change_own_password(db(), me, state["own-current"], state["own-new"], token)
    return "Mot de passe changé. Vos autres connexions sont fermées ; celle-ci reste ouverte."


organisations = {o.id: o.name for o in accounts.list_organisations(db())}
ui.facts(
    {
        "Nom": me.display_name,
        "Identifiant de connexion": me.identifier,
        "Organisation": organisations.get(me.organisation_id or 0, "—"),
        "Agence ou secteur": me.site or "—",
        "Rôles": ", ".join(accounts.ROLES[r] for r in me.roles),
        "Courriel": me.email or "—",
    }
)
st.caption("Une erreur ? Demandez à votre manager ou à la coordination de la corriger.")

st.subheader("Changer mon mot de passe")
with st.form("own-password"):
    st.text_input("Mot de passe actuel", type="password", key="own-current")
    st.text_input("Nouveau mot de passe (10 caractères au moins)", type="password", key="own-new")
    st.text_input("Le nouveau, encore une fois", type="password", key="own-again")
    st.form_submit_button(
        "Changer mon mot de passe",
        type="primary",
        on_click=ui.form_action,
        args=("own-password", change_password, dict.fromkeys(PASSWORD_FIELDS, "")),
    )
    ui.form_result("own-password")

st.subheader("Mes connexions ouvertes")
st.caption(
    "Un appareil que vous ne reconnaissez pas ? Fermez sa connexion et changez votre mot de passe."
)
for session in accounts.open_sessions(db(), me, token):
    left, right = st.columns([3, 1])
    left.markdown(
        f"Ouverte le {local_moment(session.created_at)}, valable jusqu'au "
        f"{local_moment(session.expires_at)[:10]}"
        + (" — **cet appareil**" if session.current else "")
    )
    if not session.current and right.button("Fermer", key=f"close-{session.id}"):
        accounts.close_own_session(db(), me, session.id)
        st.rerun()
