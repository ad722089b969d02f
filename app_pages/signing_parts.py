"""Émargement on screen: the phone's pad and « Je certifie… » button, the trainer's sheets.

The acts are proxi.live.signing's; this file only renders them (kept apart to keep the
phone and console pages short). Refusals are shown beside the button that caused them.

The phone draws its signature on streamlit-drawable-canvas (Fabric.js, a custom component);
tapping « Je certifie… » reads what the pad last sent and hands it to proxi.live.drawing,
which validates it. AppTest cannot draw on a custom component: its tests replace `read_pad`.
"""

from __future__ import annotations

import streamlit as st

from app_pages import signature_pad, ui
from app_pages.connection import db
from proxi.content.markdown import plain
from proxi.documents.emargement import sheet_pdf
from proxi.errors import ProxiError
from proxi.live import drawing, signing
from proxi.live.sessions import LiveSession, Participant
from proxi.people.accounts import Person

ERROR = "signing-error"
POLL_SECONDS = 3


def _act(where: str, function, *args, **kwargs) -> None:
    """A button callback: run a signing act; a refusal waits for `refusal(where)`."""
    st.session_state.pop(ERROR, None)
    try:
        function(db(), *args, **kwargs)
    except ProxiError as error:
        st.session_state[ERROR] = (where, str(error))


def _refusal(where: str) -> None:
    """The last refusal, beside its button, until the next act: the phone and the console
    poll every few seconds, so a message shown once would vanish before it is read."""
    stored = st.session_state.get(ERROR)
    if stored and stored[0] == where:
        st.error(stored[1])


# --- The phone ----------------------------------------------------------------------------------


def to_sign(participant: Participant) -> list[str]:
    """The half-days this phone may sign now (each shows a pad)."""
    return signing.to_sign(db(), participant)


def phone(token: str, participant: Participant, session: LiveSession) -> bool:
    """The half-days this phone may sign, each a pad to draw on and one big button; then what
    it already signed. Whether a pad is on screen."""
    device = st.context.headers.get("User-Agent") or ""
    pads = to_sign(participant)
    for half_day in pads:
        with st.container(border=True):
            st.markdown(
                f"**Émargement {signing.OF_HALF_DAY[half_day]}** — {plain(participant.name)}"
            )
            st.caption("Signez ici avec le doigt, puis touchez la phrase en dessous.")
            signature_pad.pad(_pad_key(half_day))
            st.button(
                "Effacer la signature",
                key=f"clear-{half_day}",
                on_click=_clear_pad,
                args=(half_day,),
            )
            st.button(
                signing.certification(session, half_day),
                key=f"sign-{half_day}",
                type="primary",
                width="stretch",
                on_click=_sign,
                args=(token, half_day, device),
            )
            _forget_empty_pad_refusal(half_day)
            _refusal(f"sign-{half_day}")
    for half_day, at in signing.signed(db(), participant, session).items():
        st.caption(f"✓ Présence signée pour {signing.THE_HALF_DAY[half_day]}, {at}.")
    return bool(pads)


def _forget_empty_pad_refusal(half_day: str) -> None:
    """« Dessinez votre signature » no longer holds once the pad has strokes: the phone
    would show it under a drawn signature until the next tap."""
    if st.session_state.get(ERROR) != (f"sign-{half_day}", drawing.EMPTY):
        return
    try:
        drawn = _pad_strokes(half_day)
    except ProxiError:  # unreadable: the tap on « Je certifie » will say so
        return
    if drawn:
        st.session_state.pop(ERROR)


def _pad_key(half_day: str) -> str:
    """The pad's key: « Effacer » gives it a new one, so a blank pad is mounted."""
    return f"pad-{half_day}-{st.session_state.get(f'pad-version-{half_day}', 0)}"


def _clear_pad(half_day: str) -> None:
    st.session_state.pop(ERROR, None)  # a blank pad: the last refusal no longer applies
    version = f"pad-version-{half_day}"
    st.session_state[version] = st.session_state.get(version, 0) + 1


def read_pad(key: str) -> object:
    """What the pad under `key` last sent: Fabric.js JSON, or None before any drawing."""
    return signature_pad.drawn(key)


def _pad_strokes(half_day: str) -> list[list[tuple[float, float]]]:
    """The strokes on this half-day's pad (pad pixels); a ProxiError if unreadable."""
    return drawing.strokes_from_canvas(read_pad(_pad_key(half_day)))


def _sign(token: str, half_day: str, device: str) -> None:
    """The sign button: the pad's strokes, validated, then the signature (or a refusal)."""
    where = f"sign-{half_day}"
    try:
        drawn = drawing.from_pad(_pad_strokes(half_day), *signature_pad.SIZE)
    except ProxiError as error:
        st.session_state[ERROR] = (where, str(error))
        return
    _act(where, signing.sign, token, half_day, device, drawing=drawn)


# --- The trainer's console ----------------------------------------------------------------------


def console(session: LiveSession, trainer: Person) -> None:
    """One block per half-day: open it for signing, see who signed, note late arrivals and
    early departures, countersign, download the PDF sheet."""
    for half_day in session.half_days:
        # While phones may sign, the sheet redraws itself: signatures appear as they come.
        polling = signing.sheet(db(), session, half_day).signable
        st.fragment(_half_day, run_every=POLL_SECONDS if polling else None)(
            session, half_day, trainer, polling
        )


def _half_day(session: LiveSession, half_day: str, trainer: Person, polling: bool) -> None:
    """One half-day's sheet: status, lines, times, countersignature, PDF."""
    sheet = signing.sheet(db(), session, half_day)
    if sheet.signable != polling:  # opened or countersigned: start or stop the polling
        st.rerun()
    of = signing.OF_HALF_DAY[half_day]
    st.subheader(f"Feuille {of}")
    st.caption(_status(sheet))
    if sheet.opened_at is None:
        st.button(
            f"Ouvrir la signature {of} sur les téléphones",
            key=f"open-sheet-{half_day}",
            type="primary",
            on_click=_act,
            args=(f"open-{half_day}", signing.open_sheet, trainer, session.id, half_day),
        )
        _refusal(f"open-{half_day}")
    if sheet.lines:
        ui.table(
            [
                {
                    "Nom": line.participant.name,
                    "Signature": signing.signed_phrase(line, session) or "non signée",
                    "Arrivée tardive": line.arrived_late,
                    "Départ anticipé": line.left_early,
                }
                for line in sheet.lines
            ],
            hide_index=True,
        )
        _times_form(sheet, trainer)
    if sheet.signable:
        st.button(
            f"Contresigner la feuille {of}",
            key=f"countersign-{half_day}",
            on_click=_act,
            args=(f"counter-{half_day}", signing.countersign, trainer, session.id, half_day),
        )
        _refusal(f"counter-{half_day}")
    if sheet.opened_at is not None:
        st.download_button(
            f"Télécharger la feuille {of} (PDF)",
            lambda half_day=half_day: sheet_pdf(db(), session, half_day),
            f"emargement-{session.day}-{half_day}.pdf",
            "application/pdf",
            key=f"pdf-sheet-{half_day}",
            on_click="ignore",
        )


def _status(sheet: signing.Sheet) -> str:
    counted = f"{sheet.signed} signature(s) sur {len(sheet.lines)} participant(s)"
    if sheet.closed:
        at = signing.local_moment(sheet.countersigned_at or "", sheet.session)
        return f"Contresignée par {sheet.countersigned_by}, {at} · {counted}."
    if sheet.opened_at:
        return f"Ouverte : les téléphones affichent « Je certifie… » · {counted}."
    return "Pas encore ouverte à la signature."


def _times_form(sheet: signing.Sheet, trainer: Person) -> None:
    half_day = sheet.half_day
    names = {line.participant.id: line.participant.name for line in sheet.lines}
    with st.form(f"times-{half_day}"):
        st.markdown("**Arrivée tardive, départ anticipé** (heure de Paris, par exemple 9h40)")
        st.selectbox("Participant·e", list(names), format_func=names.get, key=f"who-{half_day}")
        late, early = st.columns(2)
        late.text_input("Arrivée à", max_chars=5, key=f"late-{half_day}")
        early.text_input("Départ à", max_chars=5, key=f"early-{half_day}")
        if sheet.closed:
            st.text_input("Motif de la correction (gardé au journal)", key=f"reason-{half_day}")
        st.form_submit_button(
            "Enregistrer les heures",
            key=f"save-times-{half_day}",
            on_click=_save_times,
            args=(half_day, trainer),
        )
        _refusal(f"times-{half_day}")


def _save_times(half_day: str, trainer: Person) -> None:
    state = st.session_state
    _act(
        f"times-{half_day}",
        signing.set_times,
        trainer,
        state[f"who-{half_day}"],
        half_day,
        arrived_late=state[f"late-{half_day}"],
        left_early=state[f"early-{half_day}"],
        reason=state.get(f"reason-{half_day}", ""),
    )
