"""My progress: modules, scores, time spent, scenario endings, attestations, training done
elsewhere, history."""

from itertools import groupby

import streamlit as st

from app_pages import due_parts, training_parts, ui
from app_pages.connection import db
from app_pages.learner import learner_progress
from proxi.content.markdown import plain
from proxi.dates import french_date, local_time
from proxi.documents.attestation import attestation_markdown, completion
from proxi.documents.history import history
from proxi.labels import OUTCOMES
from proxi.people import accounts
from proxi.progress import external, store

progress = learner_progress()
person, overview, cat = progress.person, progress.overview, ui.catalogue()
st.title("Ma progression")
due_parts.learner_list(person.id, {m.id: m.title for m in cat.course.modules.values()})


def module_line(module, row: dict, seconds: float) -> str:
    """One module as one line of a list: a phone shows it whole, where a table cut the
    title and pushed the figures out of the screen."""
    facts = [f"leçons terminées : {row.get('lessons_done') or 0} sur {len(module.lessons)}"]
    if row.get("quiz_best") is not None:
        facts.append(f"meilleur score au quiz : {round(row['quiz_best'])} %")
    facts.append(f"temps passé : {round(seconds / 60)} min")
    if finished := french_date(row.get("completed_at")):
        facts.append(f"terminé le {finished}")
    return f"- **{plain(module.title)}** — " + " · ".join(facts)


def scenario_line(scenario, row: dict) -> str:
    plays = row.get("plays") or 0
    facts = [f"{plays} partie{'s' if plays > 1 else ''}"]
    if row.get("best_outcome") in OUTCOMES:
        facts.append(f"meilleure issue : {OUTCOMES[row['best_outcome']].lower()}")
    return f"- **{plain(scenario.title)}** — " + " · ".join(facts)


st.subheader("Modules")
st.markdown(
    "\n".join(
        module_line(m, overview.module(m.id), overview.time_spent.get(("module", m.id), 0))
        for m in cat.course.modules.values()
    )
)
titles = {m.id: m.title for m in cat.course.modules.values()}
ui.connection_buttons(db(), person.id, person.display_name, titles, "moi")

played = [
    (cat.scenarios[sid], row) for sid, row in overview.scenarios.items() if sid in cat.scenarios
]
if played:
    st.subheader("Mises en situation")
    st.markdown("\n".join(scenario_line(scenario, row) for scenario, row in played))

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
