"""Rejoindre une séance: the code (and a name without an account), then the current vote.

Open to everyone. After joining, the phone holds a pass token (session state and URL, so a
refresh keeps it) and shows ONLY the choices of the open vote, as big buttons. Its watcher
(app_pages/phone_watch.py) checks every 2 s whether the session changed, and only then
redraws the ballot. A vote can be changed until the trainer freezes or reveals.
"""

from __future__ import annotations

import streamlit as st

from app_pages import phone_watch, signing_parts, ui
from app_pages.connection import db
from app_pages.identity import current_person
from proxi.content.scenario import CARD_FIELDS
from proxi.dates import french_date
from proxi.errors import ProxiError
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.live.watch import phone_version
from proxi.web import edge

PASS_KEY = "live-pass"
SIGNING_POLL_S = 2
WAITING = {
    None: "Regardez l'écran : le vote n'est pas encore ouvert.",
    "frozen": "⏸ Arrêt sur image : on en discute. Le vote reprendra ensuite.",
    "revealed": "Le résultat est au tableau !",
    "closed": "Le groupe avance : regardez l'écran.",
}

# Thumb-sized choices, readable at arm's length (constant CSS only).
st.html("<style>div[data-testid='stButton'] button p { font-size: 1.2rem; }</style>")
person = current_person()


def network() -> str | None:
    """The phone's address for the per-network limit, seen through the trusted proxy."""
    forwarded = st.context.headers.get("X-Forwarded-For")
    return edge.client_address(st.context.ip_address, forwarded, edge.trusted_proxies())


def join_form() -> None:
    with st.form("join"):
        code = st.text_input(
            "Code de la séance", value=st.query_params.get("code", ""), max_chars=12
        )
        name = (
            ""
            if person
            else st.text_input("Votre prénom et votre nom", max_chars=live_room.MAX_NAME)
        )
        submitted = st.form_submit_button("Rejoindre", type="primary", width="stretch")
    if not submitted:
        return
    # One device across its reloads and tabs: the browser's cookie (proxi.web.edge).
    cookie = st.context.cookies.get(edge.DEVICE_COOKIE)
    device = f"person:{person.id}" if person else edge.device_key(cookie, network())
    try:
        joined = live_room.join(
            db(), code, person=person, guest_name=name, device=device, network=network()
        )
    except ProxiError as error:
        st.error(str(error))
        return
    st.session_state[PASS_KEY] = joined.token
    st.query_params["pass"] = joined.token
    st.rerun()


def cast_vote(token: str, decision_id: int, choice: int) -> None:
    try:
        live.vote(db(), token, decision_id, choice)
    except ProxiError as error:
        st.session_state["vote-error"] = str(error)


def ballot(token: str, participant: live.Participant) -> None:
    """The ballot, a fragment: rerun by a tap, or by its watcher when the session changed
    (phone_watch). While a signature pad is on screen it polls every 2 s instead: the pad
    (streamlit-drawable-canvas) hands its strokes to the server only with a run that comes
    after them, and without one a drawn signature never arrives (seen in the browser)."""
    signing = bool(signing_parts.to_sign(participant))
    st.fragment(_ballot, run_every=SIGNING_POLL_S if signing else None)(token, signing)


def _ballot(token: str, signing: bool) -> None:
    participant = live_room.participant_for(db(), token)
    if participant is None:
        st.warning(live.NO_PASS)
        return
    # Read before what it covers: a change made meanwhile shows at the watcher's next check.
    version = phone_version(db(), token)
    session = live.get_session(db(), participant.session_id)
    if signing_parts.phone(token, participant, session) != signing:
        st.rerun()  # a pad appeared or went: the polling starts or stops
    snap = live.snapshot(db(), participant.session_id)
    scenario = ui.catalogue().scenarios.get(snap.scenario_id or "")
    if snap.status == "ended":
        st.success("La séance est terminée. Merci de votre participation !")
        phone_watch.watch(token, version)  # the émargement may still be countersigned
        return
    role = scenario.characters.get(participant.role_key or "") if scenario else None
    if role:
        with st.expander(f"Votre rôle : {role.name}"):
            st.markdown(
                "\n".join(f"- **{label}** : {role.card[key]}" for key, label in CARD_FIELDS.items())
            )
    decision = snap.decision
    if decision is None or decision.status != "open" or scenario is None:
        st.info(WAITING[decision.status if decision else None])
        phone_watch.watch(token, version)
        return
    st.subheader(scenario.nodes[decision.node_id].prompt or "Que faites-vous ?")
    phone_watch.watch(token, version, decision.seconds_left())  # and its countdown
    offered = live.options(scenario, decision.node_id, decision.choices)
    choices(token, participant.id, decision.id, offered)


@st.fragment  # a tap redraws only the choices and the vote it records, not the whole ballot
def choices(token: str, participant_id: int, decision_id: int, offered: list[live.Option]) -> None:
    if error := st.session_state.pop("vote-error", None):
        st.error(error)
    mine = live.my_vote(db(), participant_id, decision_id)
    for option in offered:
        st.button(
            f"{option.letter}. {option.text}",
            key=f"vote-{decision_id}-{option.index}",
            type="primary" if option.index == mine else "secondary",
            width="stretch",
            on_click=cast_vote,
            args=(token, decision_id, option.index),
        )
    picked = next((o.letter for o in offered if o.index == mine), None)
    if picked:
        st.success(f"Votre vote : {picked}. Vous pouvez changer d'avis jusqu'au résultat.")
    else:
        st.info("Touchez votre choix. Vous pourrez changer d'avis jusqu'au résultat.")


token = st.session_state.get(PASS_KEY) or st.query_params.get("pass")
joined = live_room.participant_for(db(), token) if token else None
if joined:
    st.session_state[PASS_KEY] = token
    room = live.get_session(db(), joined.session_id)
    st.title(room.title)  # the phone says which session it is in
    st.caption(f"Séance du {french_date(room.day)}, {room.span_label} · vous : {joined.name}")
    ballot(token, joined)
    if st.button("Quitter cette séance", key="leave"):
        st.session_state.pop(PASS_KEY, None)
        st.query_params.pop("pass", None)
        st.rerun()
else:
    st.title("Rejoindre une séance")
    join_form()
