"""Authoring studio: edit a scenario's YAML as a draft kept across refreshes, the linter live
with the lines each finding points at, the story map and the play-test of what reads (errors
or not), a trainer's proposal or the coordination's publication, and the versions kept."""

import streamlit as st

from app_pages import studio_parts as parts
from app_pages import studio_work as work
from app_pages import ui
from app_pages.identity import require
from proxi.content.studio import check_text

st.set_page_config(page_title="Atelier d'écriture · Proxi", layout="wide")
person = require("scenario.write")
st.title("Atelier d'écriture")
cat = ui.catalogue()
with st.container():  # always there, so a proposal appearing keeps the open tab
    work.proposals_panel(person, cat)
opened = work.opening(person, cat)
if opened is None:
    st.caption(
        "Choisissez une mise en situation à modifier, ou « Nouvelle mise en situation » pour "
        "partir d'un modèle qui passe déjà la vérification."
    )
    st.stop()

editor, findings_column = st.columns([3, 2])
with editor:
    text = st.text_area("YAML du scénario", key=work.TEXT, height=560)
    work.show_message("editor")
    work.keep_draft(person, opened, text)
checked = check_text(text)
with findings_column:
    parts.findings(checked, text)

map_tab, play_tab, save_tab, versions_tab = st.tabs(
    ["Carte de l'histoire", "Essai", "Proposer ou publier", "Versions"]
)
with map_tab:
    parts.story_map(checked, person)
with play_tab:
    parts.playtest(checked)
with save_tab:
    work.save_panel(person, opened, text, checked.errors)
with versions_tab:
    work.versions_panel(person, opened)
