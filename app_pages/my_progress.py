"""My progress: modules, scores, time spent, scenario endings, history, attestations."""

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.learner import learner_progress
from proxi import labels
from proxi.documents.attestation import attestation_markdown, completion
from proxi.people import accounts
from proxi.progress import store

progress = learner_progress()
person, overview, cat = progress.person, progress.overview, ui.catalogue()
st.title("Ma progression")

rows = []
for module in cat.course.modules.values():
    row = overview.module(module.id)
    minutes = round(overview.time_spent.get(("module", module.id), 0) / 60)
    best = row.get("quiz_best")
    rows.append(
        {
            "Module": module.title,
            "Leçons terminées": f"{row.get('lessons_done') or 0} / {len(module.lessons)}",
            "Meilleur score au quiz": "—" if best is None else f"{round(best)} %",
            "Temps passé": f"{minutes} min",
            "Terminé le": (row.get("completed_at") or "—")[:10],
        }
    )
ui.table(rows, hide_index=True)

endings = [
    {
        "Mise en situation": cat.scenarios[sid].title,
        "Parties": row.get("plays") or 0,
        "Meilleure issue": ui.OUTCOME_BADGES.get(row.get("best_outcome"), ("—",))[0],
    }
    for sid, row in overview.scenarios.items()
    if sid in cat.scenarios
]
if endings:
    st.subheader("Mises en situation")
    ui.table(endings, hide_index=True)

completed = [m for m in cat.course.modules.values() if overview.module(m.id).get("completed_at")]
st.subheader("Attestations de fin de formation")
if not completed:
    st.caption(
        "Une attestation apparaît ici quand un module est terminé : toutes les leçons vues et le quiz réussi."
    )
organisations = {o.id: o.name for o in accounts.list_organisations(db())}
organisation = organisations.get(person.organisation_id, "")
for module in completed:
    row = overview.module(module.id)
    with st.expander(f"Attestation — {module.title}"):
        st.markdown(attestation_markdown(person, organisation, module, row))
        ui.pdf_buttons(db(), [completion(person, organisation, module, row)], module.id, False)

st.subheader("Historique")
events = store.history(db(), person.id, limit=50)
ui.table(
    [
        {
            "Date": e["timestamp"][:16].replace("T", " "),
            "Action": f"{labels.verb(e['verb'])} {e['object_id']}",
        }
        for e in events
    ],
    hide_index=True,
)
