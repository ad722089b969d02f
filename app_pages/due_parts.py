"""Due dates on screen: the learner's list (home, « Ma progression ») and the dashboard's
« Relances » tab (set a date for a person, a team or an organisation; preview and send a
reminder by hand). The rules are proxi.progress.due_dates and proxi.ops.reminders."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from proxi import dates, hierarchy
from proxi.content.markdown import plain
from proxi.errors import ProxiError
from proxi.mail import MailError, mail_config
from proxi.ops import reminders
from proxi.people import follow_up, permissions
from proxi.people.accounts import Person
from proxi.progress import due_dates

# --- The learner ---------------------------------------------------------------------------------


def learner_list(person_id: int, titles: dict[str, str], today: date | None = None) -> None:
    """« Mes échéances »: late first, then by date; finished modules are not repeated here."""
    today = today or dates.today()
    dues = [d for d in due_dates.for_person(db(), person_id) if not d.completed]
    dues = [d for d in dues if d.module_id in titles]
    if not dues:
        return
    st.subheader("Mes échéances")
    for due in dues:
        line = f"**{titles[due.module_id]}** — {due.phrase(today)}"
        (st.warning if due.late(today) else st.info)(line, icon="⏰")


# --- The manager ---------------------------------------------------------------------------------


def set_form(actor: Person, rows: list, titles: dict[str, str], modules: list[str]) -> None:
    """The date for whom: the choice of scope reruns the page, the form then asks for that."""
    mine = [r for r in rows if permissions.may(actor, "due_date.set", r.person)]
    people = {r.person.id: r.person.label for r in mine}
    # A team is a node of an organisation's hierarchy: people of no organisation have neither.
    names = {r.person.organisation_id: r.person.organisation for r in mine}
    names.pop(None, None)
    if not names:
        return
    teams = _teams(actor, mine, names)
    # The whole organisation only for who heads it (a manager of an agence sets its dates).
    orgs = {o: name for o, name in names.items() if _may_set(actor, o, "")}
    scopes = [s for s in due_dates.SCOPES if s != "organisation" or orgs]
    scope = st.radio(
        "Échéance pour", scopes, format_func=due_dates.SCOPES.get, horizontal=True,
        key="due-scope",
    )  # fmt: skip
    team_name = lambda t: f"{names[t[0]]} — {t[1]}"  # noqa: E731
    with st.form("due-date"):
        if scope == "person":
            st.selectbox("Personne", list(people), format_func=people.get, key="due-person")
            whom = lambda: people[st.session_state["due-person"]]  # noqa: E731
        elif scope == "site":
            st.selectbox("Agence ou secteur", teams, format_func=team_name, key="due-team")
            whom = lambda: team_name(st.session_state["due-team"])  # noqa: E731
        else:
            st.selectbox("Organisation", list(orgs), format_func=orgs.get, key="due-org")
            whom = lambda: orgs[st.session_state["due-org"]]  # noqa: E731
        left, right = st.columns(2)
        left.selectbox("Module", modules, format_func=titles.get, key="due-module")
        # A text field, not st.date_input: its empty field reads « DD/MM/YYYY ».
        right.text_input("Échéance (vide : retirer)", placeholder=dates.DAY_HINT, key="due-on")
        st.form_submit_button(
            "Enregistrer l'échéance",
            on_click=ui.form_action,
            args=("due-date", lambda: _save(actor, scope, titles, whom), {"due-on": ""}),
        )
        ui.form_result("due-date")


def _teams(actor: Person, rows: list, names: dict[int, str]) -> list[tuple[int, str]]:
    """(organisation, node) for every node of the hierarchy the actor may set a date on,
    each organisation's in the order of its chart."""
    teams = []
    for organisation_id in sorted(names, key=names.__getitem__):
        sites = {r.person.site for r in rows if r.person.organisation_id == organisation_id}
        nodes = hierarchy.nodes(sites)
        teams += [(organisation_id, n) for n in nodes if _may_set(actor, organisation_id, n)]
    return teams


def _may_set(actor: Person, organisation_id: int, site: str) -> bool:
    return permissions.may(actor, "due_date.set", permissions.Subject(organisation_id, site=site))


def _save(actor: Person, scope: str, titles: dict[str, str], whom) -> str:
    """The form, read from its fields; the message says what is now set, and for whom."""
    state = st.session_state
    target: dict = {}
    if scope == "person":
        target["person_id"] = state.get("due-person")
    elif scope == "site" and state.get("due-team"):
        target["organisation_id"], target["site"] = state["due-team"]
    else:
        target["organisation_id"] = state.get("due-org")
    due_on = dates.parse_day(state.get("due-on") or "")
    follow_up.set_due_date(db(), actor, state["due-module"], due_on, **target)
    what = f"« {titles.get(state['due-module'], state['due-module'])} » pour {whom()}"
    if due_on is None:
        return f"Échéance retirée : {what}."
    return f"Échéance enregistrée : {what}, à terminer au plus tard le {dates.french_date(due_on)}."


def by_hand(actor: Person, rows: list, titles: dict[str, str], today: date | None = None) -> None:
    """Pick a person and a module with a date, read the message, send it now."""
    today = today or dates.today()
    choices = {
        (r.person.id, d.module_id): f"{r.person.display_name} — {titles[d.module_id]}"
        for r in rows
        for d in due_dates.for_person(db(), r.person.id)
        if not d.completed and d.module_id in titles
    }
    st.markdown("**Envoyer un rappel à la main**")
    if not choices:
        st.caption("Personne n'a d'échéance en cours.")
        return
    chosen = st.selectbox("Rappel pour", list(choices), format_func=choices.get, key="remind-who")
    reminder = reminders.by_hand(db(), chosen[0], chosen[1], titles)
    if reminder is None:
        return
    st.text_area(
        f"Aperçu — objet : {reminder.subject}", reminder.body(today), height=220, disabled=True
    )
    try:
        config = mail_config()
    except MailError as error:
        st.error(str(error))
        return
    if config is None:
        st.info("L'envoi par courriel n'est pas configuré (PROXI_SMTP_HOST) : transmettez ce "
                "message autrement.")  # fmt: skip
        return
    if not reminder.email:
        st.info(f"{plain(reminder.name)} n'a pas d'adresse électronique : prévenez-la autrement.")
        return
    if st.button(f"Envoyer ce rappel à {reminder.email}", key="remind-send"):
        try:
            reminders.send_now(db(), config, actor, reminder, today)
        except ProxiError as error:
            st.error(str(error))
        else:
            st.success(f"Rappel envoyé à {reminder.email}.")
