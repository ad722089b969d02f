"""Vérifier un document (public): is this attestation, certificate or sheet one Proxi issued?

Reached by the QR code printed on every proof, or by typing the code. Shows only what the
document itself states (proxi.documents.verification), nothing else about the person.
"""

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from proxi.documents import verification

st.title("Vérifier un document")
st.caption(
    "Saisissez le code de vérification imprimé en bas du document (12 caractères), "
    "ou scannez son code QR."
)
typed = st.text_input(
    "Code de vérification", value=st.query_params.get("code", ""), placeholder="ABCD-EFGH-JKMN"
)
if typed.strip():
    found = verification.verify(db(), typed)
    if found is None:
        st.error(
            "Aucun document ne correspond à ce code. Vérifiez chaque caractère (les lettres O "
            "et I n'existent pas dans les codes) ; si le code est juste, ce document n'a pas "
            "été délivré par Proxi."
        )
    else:
        st.success(f"Document authentique : **{found.kind_label}** délivré(e) par Proxi.")
        lines = {
            "Personne": found.person_name or "—",
            "Intitulé": found.title,
            **found.facts,
            "Code": verification.display(found.code),
        }
        # A table cut the result and its score, on the phone that scanned the QR code and
        # on a screen too.
        ui.facts(lines)
