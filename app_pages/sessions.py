"""Séances de groupe: create, run and print a trainer-led session (trainers, coordinators).

Every button calls one function of proxi.live.flow / live_room through `act`, which turns
a refused move into a French message; the core checks again that the person may drive it.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages import signing_parts, ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.content.markdown import plain
from proxi.dates import DAY_HINT, french_date, local_time, parse_day, today
from proxi.errors import ProxiError
from proxi.live import attendance
from proxi.live import flow as live_flow
from proxi.live import report as live_report
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.people import accounts
from proxi.progress.reports import Viewer

STATUS = {"draft": "en préparation", "open": "ouverte", "ended": "terminée"}
PRINT_CSS = """<style>@media print { [data-baseweb="tab-list"], [data-testid="stForm"],
[data-testid="stSelectbox"], [data-testid="stDownloadButton"], [data-testid="stExpander"],
.stButton { display: none !important; } }</style>"""

person = require("session.run")
cat = ui.catalogue()
st.html(PRINT_CSS)
st.title("Séances de groupe")


def act(function, *args, where: str, **kwargs):
    """Run a core move (a button callback); a refusal is shown beside the button `where`."""
    try:
        return function(db(), person, *args, **kwargs)
    except ProxiError as error:
        st.session_state["live-error"] = (where, str(error))
        return None


def refusal(where: str) -> None:
    """The French message of the last refused move, if it came from the button `where`."""
    stored = st.session_state.get("live-error")
    if stored and stored[0] == where:
        del st.session_state["live-error"]
        st.error(stored[1])


NEW_SESSION_FIELDS = (
    "new-title",
    "new-day",
    "new-half-day",
    "new-place",
    "new-orgs",
    "new-scenarios",
)


def create_session() -> str:
    """« Créer la séance », read from the form's fields (see ui.form_action)."""
    state = st.session_state
    fields = {key: state[key] for key in NEW_SESSION_FIELDS}
    fields["new-day"] = parse_day(fields["new-day"]) or today()
    created = live.create_session(db(), person, *fields.values())
    state["session"] = created.id  # the console below now shows it
    state["sessions-created"] = state.get("sessions-created", 0) + 1  # folds the form away
    return f"Séance « {created.title} » créée : ouvrez-la quand le groupe arrive."


def create_form() -> None:
    orgs = {o.id: o.name for o in accounts.list_organisations(db())}
    # After a success the form reads as it first opened, ready for the next session.
    blank = dict.fromkeys(NEW_SESSION_FIELDS, "") | {
        "new-day": french_date(today()),
        "new-half-day": next(iter(live.SPANS)),
        "new-orgs": [],
        "new-scenarios": [],
    }
    with st.form("new-session"):
        st.text_input("Titre", max_chars=120, key="new-title")
        # A text field like every date field (see the dashboard): dates.parse_day reads it.
        st.text_input("Date", french_date(today()), placeholder=DAY_HINT, key="new-day")
        st.radio(
            "Demi-journée ou journée",
            list(live.SPANS),
            format_func=live.SPANS.get,
            horizontal=True,
            key="new-half-day",
        )
        st.text_input("Lieu", max_chars=120, key="new-place")
        ui.multiselect("Organisations présentes", list(orgs), format_func=orgs.get, key="new-orgs")
        ui.multiselect(
            "Mises en situation",
            list(cat.scenarios),
            format_func=cat.scenario_titles().get,
            key="new-scenarios",
        )
        st.form_submit_button(
            "Créer la séance",
            type="primary",
            on_click=ui.form_action,
            args=("new-session", create_session, blank),
        )
        ui.form_result("new-session", kinds=("error",))  # the success shows below, folded


def run_tab(session: live.LiveSession) -> None:
    """Main actions first: the moves of the moment, the tally, then the rest."""
    if session.status == "open":
        code, projector = st.columns([3, 2], vertical_alignment="center")
        code.markdown(f"Code à projeter : **{live.display_code(session.join_code)}**")
        projector.link_button(
            "Ouvrir la projection (nouvelle fenêtre)", f"projection?seance={session.id}"
        )
    scenario = cat.scenarios.get(session.scenario_id or "")
    controls(session, scenario)
    launch(session)
    if scenario:
        rejouer(session, scenario)
    st.markdown(live_report.map_markdown(live_report.session_map(db(), session.id), cat.scenarios))
    with st.form("notes"):
        notes = st.text_area("Notes du formateur (dans le bilan)", value=session.notes)
        if st.form_submit_button("Enregistrer les notes"):
            act(live_flow.set_notes, session.id, notes, where="notes")
        refusal("notes")
    if session.status == "open" and st.checkbox("Je veux terminer la séance", key="confirm-end"):
        st.button(
            "Terminer la séance",
            key="end",
            on_click=act,
            args=(live_flow.end_session, session.id),
            kwargs={"where": "end"},
        )
        refusal("end")


def launch(session: live.LiveSession) -> None:
    """Put a scenario on screen; over a vote in progress only once the trainer confirms."""
    labels = cat.scenario_titles()
    titles = {i: labels[i] for i in session.scenario_ids if i in cat.scenarios}
    if session.status != "open" or not titles:
        return
    picked = st.selectbox(
        "Mise en situation", list(titles), format_func=titles.get, key="pick-scenario"
    )
    abandon = False
    if session.decision_id is not None:
        abandon = st.checkbox("Abandonner le vote en cours pour relancer", key="confirm-restart")
    st.button(
        "Lancer (depuis le début)",
        key="start",
        on_click=act,
        args=(live_flow.start_scenario, session.id, cat.scenarios[picked]),
        kwargs={"abandon_vote": abandon, "where": "start"},
    )
    refusal("start")


def controls(session: live.LiveSession, scenario) -> None:
    snap = live.snapshot(db(), session.id)
    decision = snap.decision
    node = scenario.nodes[session.state["node"]] if scenario and session.state else None
    if node:
        st.subheader(live_report.scene_label(scenario, node.id, 80))
    offered = (
        live.options(scenario, decision.node_id, decision.choices) if decision and scenario else []
    )
    moves(session, decision, scenario, snap, offered)
    if offered:
        tally(session.id, offered)
        if decision.status in ("open", "frozen"):
            hands_form(session.id, offered, decision)
    if node:
        with st.expander(
            "Arrêt sur image : question et notes",
            expanded=bool(decision and decision.status == "frozen"),
        ):
            st.markdown(
                f"**Question au groupe** : {node.prompt or '—'}\n\n**Notes** : {node.trainer_notes or '—'}"
            )
    if offered and decision.status == "revealed":
        other = st.selectbox(
            "Ou choisir une autre option",
            offered,
            format_func=lambda o: f"{o.letter}. {o.text}",
            key="other",
        )
        st.button(
            "Suivre cette option",
            key="follow-other",
            on_click=act,
            args=(live_flow.follow, session.id, scenario, other.index),
            kwargs={"where": "follow-other"},
        )
        refusal("follow-other")


def moves(session, decision, scenario, snap: live.Snapshot, offered: list[live.Option]) -> None:
    """The moves of the moment, side by side; on a tie, one button per tied option."""
    available = live_flow.available_moves(session, decision, scenario)
    tied = []
    if decision and decision.status == "revealed" and snap.majority is None:
        available = [m for m in available if m[0] != "follow"]
        leaders = live.leaders(snap.counts)
        tied = [o for o in offered if o.index in leaders]
        st.warning(
            "Égalité : choisissez l'option à suivre."
            if snap.total
            else "Aucun vote : choisissez l'option à suivre."
        )
    if not available and not tied:
        return
    seconds = None
    if any(name == "open_vote" for name, _ in available):
        seconds = vote_settings(session)
    columns = st.columns(len(available) + len(tied))
    for column, (name, label) in zip(columns, available, strict=False):
        column.button(
            label,
            key=f"move-{name}",
            type="primary",
            on_click=act,
            args=(live_flow.move, session.id, name, scenario),
            kwargs={"seconds": seconds, "where": "moves"},
        )
    for column, option in zip(columns[len(available) :], tied, strict=True):
        column.button(
            f"Suivre {option.letter}",
            key=f"follow-tied-{option.index}",
            type="primary",
            help=option.text,
            on_click=act,
            args=(live_flow.follow, session.id, scenario, option.index),
            kwargs={"where": "moves"},
        )
    refusal("moves")


def vote_settings(session: live.LiveSession) -> int | None:
    """Against the herd effect: counts hidden until the reveal, an optional countdown."""
    hide, countdown = st.columns(2, vertical_alignment="bottom")
    hide.toggle(
        "Masquer les votes au tableau jusqu'au résultat",
        value=session.hide_counts,
        key="hide-counts",
        on_change=lambda: act(
            live_flow.set_hide_counts,
            session.id,
            st.session_state["hide-counts"],
            where="moves",
        ),
    )
    seconds = countdown.number_input(
        "Compte à rebours (secondes, 0 = sans)",
        min_value=0,
        max_value=live_flow.MAX_COUNTDOWN,
        step=15,
        key="countdown",
    )
    return int(seconds) or None


@st.fragment(run_every=2)
def tally(session_id: int, offered: list[live.Option]) -> None:
    snap = live.snapshot(db(), session_id)
    st.markdown(
        "\n".join(
            f"- **{o.letter}.** {o.text} — **{snap.counts.get(o.index, 0)}** vote(s)"
            for o in offered
        )
    )
    st.caption(f"{snap.phone_votes} vote(s) sur téléphone, {snap.participants} participant(s)")


def hands_form(session_id: int, offered: list[live.Option], decision: live.Decision) -> None:
    with st.form(f"hands-{decision.id}"):
        st.caption("Mains levées (sans téléphone)")
        cols = st.columns(len(offered))
        counts = {
            o.index: cols[i].number_input(o.letter, 0, 200, decision.hands.get(o.index, 0))
            for i, o in enumerate(offered)
        }
        if st.form_submit_button("Enregistrer les mains levées"):
            act(live_flow.set_hands, session_id, counts, where="hands")
        refusal("hands")


def rejouer(session: live.LiveSession, scenario) -> None:
    earlier = {
        d.id: f"Décision {d.number} — {live_report.scene_label(scenario, d.node_id)}"
        for d in live.decisions(db(), session.id)
        if d.scenario_id == scenario.id and d.status == "closed"
    }
    if earlier and session.status == "open":
        target = st.selectbox(
            "Rejouer à partir de", list(earlier), format_func=earlier.get, key="rejouer-from"
        )
        st.button(
            "Rejouer à partir d'ici",
            key="rejouer",
            on_click=act,
            args=(live_flow.rejouer, session.id, scenario, target),
            kwargs={"where": "rejouer"},
        )
        refusal("rejouer")


def lines_tools(present: list, names: dict[int, str]) -> None:
    """Correct the list before it is signed: remove a line, merge two, undo an attachment."""
    st.markdown("**Corriger la liste**")
    line = st.selectbox("Ligne", list(names), format_func=names.get, key="line")
    left, middle = st.columns(2)
    left.button(
        "Retirer de la liste",
        key="remove-line",
        on_click=act,
        args=(live_room.remove_participant, line),
        kwargs={"where": "lines"},
    )
    attached = {p.id for p in present if not p.is_guest}
    if line in attached:
        middle.button(
            "Annuler le rattachement",
            key="detach",
            on_click=act,
            args=(live_room.detach_guest, line),
            kwargs={"where": "lines"},
        )
    others = [i for i in names if i != line]
    if others:
        into = st.selectbox("Fusionner cette ligne avec", others, format_func=names.get, key="into")
        st.button(
            "Fusionner (une seule ligne, un seul vote)",
            key="merge",
            on_click=act,
            args=(live_room.merge_participants, into, line, cat.scenarios),
            kwargs={"where": "lines"},
        )
    refusal("lines")


def people_tab(session: live.LiveSession) -> None:
    present = live_room.participants(db(), session.id)
    names = {p.id: p.name + (" (sans compte)" if p.is_guest else "") for p in present}
    st.markdown(
        "\n".join(f"- {plain(names[p.id])} — arrivée {local_time(p.joined_at)}" for p in present)
        or "Personne n'a encore rejoint."
    )
    scenario = cat.scenarios.get(session.scenario_id or "")
    if present and scenario:
        who = st.selectbox("Participant", list(names), format_func=names.get, key="role-who")
        role = st.selectbox(
            "Rôle",
            [None, *scenario.characters],
            format_func=lambda k: scenario.characters[k].name if k else "Aucun",
            key="role-what",
        )
        st.button(
            "Attribuer le rôle",
            key="assign",
            on_click=act,
            args=(live_room.assign_role, who, role),
            kwargs={"where": "assign"},
        )
        refusal("assign")
        st.markdown(live_report.role_cards_markdown(scenario, live_room.players(db(), session.id)))
    guests = [p.id for p in present if p.is_guest]
    people = {p.id: p for p in live_room.match_candidates(db(), session)}
    if guests and people:
        guest = st.selectbox("Invité à rattacher", guests, format_func=names.get, key="guest")
        match = st.selectbox(
            "à la personne", list(people), format_func=lambda i: people[i].display_name, key="match"
        )
        st.button(
            "Rattacher",
            key="match-guest",
            on_click=act,
            args=(live_room.match_guest, guest, people[match], cat.scenarios),
            kwargs={"where": "match"},
        )
        refusal("match")
    if present:
        lines_tools(present, names)
    with st.form("add-participant"):
        st.text_input("Inscrire une personne sans téléphone (nom)", key="add-name")
        st.form_submit_button(
            "Inscrire",
            on_click=ui.form_action,
            args=("add-participant", partial(add_participant, session.id), {"add-name": ""}),
        )
        ui.form_result("add-participant")


def add_participant(session_id: int) -> str:
    """« Inscrire », read from the form's field (see ui.form_action)."""
    name = st.session_state["add-name"]
    added = live_room.add_participant(db(), person, session_id, guest_name=name)
    return f"{added.name} est inscrit·e."


# Open while the trainer has no session, then as the trainer leaves it; a creation folds it
# away (a new key) so that the console, with « Ouvrir la séance », is on screen at once.
with st.expander(
    "Nouvelle séance",
    expanded=not live.sessions_for(db(), person),
    key=f"new-session-open-{st.session_state.get('sessions-created', 0)}",
):
    create_form()
ui.form_result("new-session", kinds=("success",))
mine = {s.id: s for s in live.sessions_for(db(), person)}
if not mine:
    st.stop()
chosen_id = st.selectbox(
    "Séance",
    list(mine),
    format_func=lambda i: f"{mine[i].label} · {STATUS[mine[i].status]}",
    key="session",
)
current = mine[chosen_id]
# Keyed and stateful: the tab a trainer is on stays after a click or a refusal.
run, people, sheet, summary = st.tabs(
    ["Animer", "Participants et rôles", "Émargement", "Bilan"], key="console-tab", on_change="rerun"
)
if run.open:
    with run:
        run_tab(current)
if people.open:
    with people:
        people_tab(current)
if sheet.open:
    with sheet:
        signing_parts.console(current, person)
        st.subheader("Liste des présents (à imprimer)")
        ui.attendance_sheet(db(), attendance.sheet(db(), current, Viewer.of(person)))
if summary.open:
    with summary:
        text = live_report.summary_markdown(db(), current, cat.scenarios)
        st.markdown(text)
        st.download_button(
            "Télécharger (Markdown)", text, f"bilan-{current.day}.md", key="dl-bilan"
        )
