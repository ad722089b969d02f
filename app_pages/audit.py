"""Journal des actions (coordination): the administrative acts, filtered. The log and its
reader are proxi.people.audit; who may read it is proxi.people.permissions."""

from datetime import date, timedelta

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.dates import DAY_HINT, DateError, french_date, local_moment, parse_day, today
from proxi.people import accounts, audit

me = require("audit.read")
st.title("Journal des actions")
st.caption(
    "Qui a créé, modifié, désactivé, invité, importé, effacé, rattaché ou publié, quand et "
    "pour qui. Le journal ne peut pas être modifié ; il est gardé pendant la durée de "
    "conservation."
)
everyone = {p.id: p for p in accounts.list_people(db())}
acts = ui.multiselect("Actions", list(audit.ACTIONS), format_func=audit.ACTIONS.__getitem__)
who, since_column, until_column = st.columns([2, 1, 1])
person = who.selectbox(
    "Personne (auteur ou concernée)",
    list(everyone),
    index=None,
    placeholder="Tout le monde",
    format_func=lambda pid: f"{everyone[pid].display_name} ({everyone[pid].identifier})",
)


def typed_day(column, label: str, shown: date) -> date | None:
    """A text field read by dates.parse_day (st.date_input shows « DD/MM/YYYY »); a wrong
    date is said in French under it and that bound is left out."""
    typed = column.text_input(label, french_date(shown), placeholder=DAY_HINT)
    try:
        return parse_day(typed)
    except DateError as error:
        column.error(str(error))
        return None


since = typed_day(since_column, "Du", today() - timedelta(days=30))
until = typed_day(until_column, "Au", today())
entries = audit.entries(
    db(),
    me,
    actions=tuple(acts),
    person_id=person,
    since=since.isoformat() if since else None,
    until=until.isoformat() if until else None,
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
