"""My progress: modules, scores, time spent, scenario endings, attestations, training done
elsewhere, history."""

from itertools import groupby

import streamlit as st

from app_pages import due_parts, training_parts, ui
from app_pages.connection import db
from app_pages.learner import learner_progress
from proxi.content.markdown import plain
from proxi.dates import day, french_date, local_time
from proxi.documents.attestation import attestation_markdown, completion
from proxi.documents.history import history
from proxi.people import accounts
from proxi.progress import external, store

progress = learner_progress()
person, overview, cat = progress.person, progress.overview, ui.catalogue()
st.title("Ma progression")
due_parts.learner_list(person.id, {m.id: m.title for m in cat.course.modules.values()})

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
            "Terminé le": day(row.get("completed_at")),
        }
    )
ui.table(rows, hide_index=True, placeholder="—")
titles = {m.id: m.title for m in cat.course.modules.values()}
ui.connection_buttons(db(), person.id, person.display_name, titles, "moi")

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

if external.for_person(db(), person.id):
    st.subheader("Formations suivies ailleurs")
    training_parts.listing(person, person.id, titles, removable=False)

st.subheader("Historique")
# A list by day rather than a table: a phone shows a whole line (a table cuts it).
lines = history(store.history(db(), person.id, limit=50), cat)
if not lines:
    st.caption("Votre activité apparaîtra ici : leçons, quiz, mises en situation, séances.")
for on, acts in groupby(lines, key=lambda line: line.moment.date()):
    listed = "\n".join(f"- {local_time(a.moment)} — {plain(a.action)}" for a in acts)
    st.markdown(f"**{french_date(on)}**\n\n{listed}")
