"""Authoring studio: edit a scenario's YAML, see the linter live, the story map, play-test."""

from pathlib import Path

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.content.findings import ERROR
from proxi.content.storymap import to_dot
from proxi.content.studio import check_text, scenario_name
from proxi.errors import ProxiError
from proxi.people import permissions
from proxi.people.publishing import publish_scenario

st.set_page_config(page_title="Atelier d'écriture · Proxi", layout="wide")
person = require("scenario.write")
st.title("Atelier d'écriture")
cat = ui.catalogue()

source, upload = st.columns(2)
shipped = source.selectbox(
    "Ouvrir une mise en situation",
    ["—", *cat.scenarios],
    format_func=lambda i: cat.scenario_titles().get(i, "— Choisir —"),
)
uploaded = upload.file_uploader(
    "…ou importer un fichier YAML", type=["yaml", "yml"], max_upload_size=2
)
if shipped != "—" and st.session_state.get("studio-opened") != shipped:
    st.session_state["studio-opened"] = shipped
    st.session_state["studio-text"] = Path(cat.scenarios[shipped].path).read_text(encoding="utf-8")
if uploaded is not None and st.session_state.get("studio-uploaded") != uploaded.file_id:
    st.session_state["studio-uploaded"] = uploaded.file_id
    st.session_state["studio-text"] = uploaded.getvalue().decode("utf-8", errors="replace")

editor, findings_column = st.columns([3, 2])
text = editor.text_area("YAML du scénario", key="studio-text", height=560)
scenario, findings, report = check_text(text) if text.strip() else (None, [], None)
with findings_column:
    errors = sum(f.severity == ERROR for f in findings)
    st.markdown(f"**Vérification :** {errors} erreur(s), {len(findings) - errors} avertissement(s)")
    for finding in findings:
        (st.error if finding.severity == ERROR else st.warning)(
            f"Ligne {finding.line}, colonne {finding.col} — {finding.code} : {finding.message}"
        )
    if report:
        paths = "infini (boucle)" if report.paths is None else report.paths
        st.caption(
            f"{report.nodes} nœuds · {paths} parcours · fins atteintes : {', '.join(report.endings_reached) or 'aucune'}"
        )

if scenario is None:
    st.info("Corrigez les erreurs de structure pour voir la carte et jouer la scène.")
    st.stop()

map_tab, play_tab, save_tab = st.tabs(["Carte de l'histoire", "Essai", "Enregistrer"])
with map_tab:
    from app_pages.studio_parts import choice_counts

    show_counts = st.toggle("Épaisseur selon les choix des apprenants", value=False)
    st.graphviz_chart(to_dot(scenario, choice_counts(person, scenario.id) if show_counts else None))
    st.caption(
        "Bleu : départ · vert / orange / rouge : fins favorable / mitigée / défavorable · pointillés : choix sous condition · bord rouge : nœud jamais atteint ou impasse."
    )

with play_tab:
    from app_pages.studio_parts import playtest

    playtest(scenario)

with save_tab:
    name = scenario_name(text)
    st.download_button(
        "Télécharger le YAML",
        text.encode("utf-8"),
        file_name=f"{name}.yaml",
        mime="application/x-yaml",
    )
    if permissions.may(person, "scenario.publish"):
        if st.button("Publier dans la bibliothèque", type="primary", disabled=errors > 0):
            try:
                path = publish_scenario(db(), person, text)
            except ProxiError as error:
                st.error(str(error))
            else:
                st.success(
                    f"Publié : {path.name}. L'ancienne version est gardée dans scenarios/.versions/."
                )
        if errors:
            st.caption("La publication est possible quand il n'y a plus aucune erreur.")
    else:
        st.caption("Seule la coordination peut publier ; téléchargez le fichier et envoyez-le-lui.")
