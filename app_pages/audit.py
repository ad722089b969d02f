"""Journal des actions (coordination): the administrative acts, filtered. The log and its
reader are proxi.people.audit; who may read it is proxi.people.permissions."""

from datetime import date, timedelta

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.dates import local_moment
from proxi.people import accounts, audit

me = require("audit.read")
st.title("Journal des actions")
st.caption(
    "Qui a créé, modifié, désactivé, invité, importé, effacé, rattaché ou publié, quand et "
    "pour qui. Le journal ne peut pas être modifié ; il est gardé pendant la durée de "
    "conservation."
)
everyone = {p.id: p for p in accounts.list_people(db())}
acts = st.multiselect(
    "Actions",
    list(audit.ACTIONS),
    format_func=audit.ACTIONS.__getitem__,
    placeholder="Toutes les actions",
)
who, since_column, until_column = st.columns([2, 1, 1])
person = who.selectbox(
    "Personne (auteur ou concernée)",
    list(everyone),
    index=None,
    placeholder="Tout le monde",
    format_func=lambda pid: f"{everyone[pid].display_name} ({everyone[pid].identifier})",
)
since = since_column.date_input("Du", date.today() - timedelta(days=30), format="DD/MM/YYYY")
until = until_column.date_input("Au", date.today(), format="DD/MM/YYYY")
entries = audit.entries(
    db(),
    me,
    actions=tuple(acts),
    person_id=person,
    since=since.isoformat() if isinstance(since, date) else None,
    until=until.isoformat() if isinstance(until, date) else None,
)
if not entries:
    st.info("Aucune action ne correspond à ces filtres.")
else:
    ui.table(
        [
            {
                "Date": local_moment(e.at),
                "Auteur": e.actor_name,
                "Action": e.label,
                "Personne concernée": e.target_name,
                "Objet": e.target,
            }
            for e in entries
        ],
        hide_index=True,
    )
