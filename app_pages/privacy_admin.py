"""Données personnelles (coordination): one person's data as JSON, or their erasure (RGPD)."""

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.errors import ProxiError
from proxi.ops import privacy
from proxi.people import accounts

me = require("person.erase")
st.title("Données personnelles")
st.caption(
    "Droit d'accès et droit à l'effacement (RGPD) : exportez tout ce que Proxi enregistre sur "
    "une personne, ou effacez-la quand elle le demande ou quitte son poste."
)
done = st.session_state.pop("privacy_admin_done", None)
if done:
    st.success(done)

people = {person.id: person for person in accounts.list_people(db())}
names = {o.id: o.name for o in accounts.list_organisations(db())}
chosen = st.selectbox(
    "Personne",
    list(people),
    index=None,
    placeholder="Choisissez une personne",
    format_func=lambda pid: (
        f"{people[pid].display_name} · {people[pid].identifier} · "
        f"{names.get(people[pid].organisation_id, 'sans organisation')}"
    ),
)
if chosen is None:
    st.stop()
person = people[chosen]

st.subheader("Exporter ses données")
st.write("Un fichier JSON, lisible par une machine : compte, activité, progression, séances.")
st.download_button(
    "Télécharger l'export (JSON)",
    data=privacy.export_json(db(), person.id),
    file_name=f"proxi-donnees-{person.identifier}.json",
    mime="application/json",
)

st.subheader("Effacer cette personne")
kept = (
    "Ses attestations de formation sont conservées à part (nom, structure, module, dates)."
    if privacy.keep_attestations_configured()
    else "Ses attestations de formation ne sont pas conservées (PROXI_KEEP_ATTESTATIONS)."
)
st.write(
    "Le compte est supprimé et toutes ses connexions fermées. Son activité est rattachée à une "
    "personne anonyme, sans nom ni identifiant, pour garder les statistiques ; ses réponses "
    f"libres sont supprimées. L'effacement est définitif. {kept}"
)
if person.id == me.id:
    st.info("Vous ne pouvez pas effacer votre propre compte : demandez-le à une autre personne.")
    st.stop()
typed = st.text_input(
    f"Pour confirmer, saisissez l'identifiant : {person.identifier}", key=f"confirm-{person.id}"
)
confirmed = accounts.normalise_identifier(typed) == person.identifier
if st.button("Effacer définitivement", type="primary", disabled=not confirmed):
    try:
        erasure = privacy.erase_person(db(), me, person.id)
    except ProxiError as error:
        st.error(str(error))
    else:
        # Reports keep results a few seconds (dashboard): none may show the person again.
        st.cache_data.clear()
        st.cache_resource.clear()
        st.session_state["privacy_admin_done"] = erasure.told(person.identifier)
        st.rerun()

archived = privacy.kept_attestations_table(db())
if archived:
    with st.expander(f"Attestations conservées après effacement ({len(archived)})"):
        ui.table(archived, hide_index=True)
