"""Training done elsewhere on screen: the list with each proof to download (the learner's
« Ma progression », the manager's « Fiche individuelle »), and the manager's form to record
one. The rules are proxi.people.follow_up and proxi.progress.external."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from proxi import dates
from proxi.content.markdown import plain
from proxi.people import follow_up
from proxi.people.accounts import Person
from proxi.progress import external
from proxi.progress.reports import PersonRow

NO_MODULE = "Aucun (ne compte pour aucun module)"
PROOF_LIMIT = external.MAX_PROOF_BYTES // 1024 // 1024
TEXT_FIELDS = ("training-title", "training-provider", "training-from", "training-to",
               "training-hours")  # fmt: skip


def listing(actor: Person, person_id: int, titles: dict[str, str], removable: bool) -> None:
    """Each training: what, who gave it, when, how long, the module it stands for; its
    proof to download, built only when clicked."""
    for training in external.for_person(db(), person_id):
        st.markdown(line(training, titles))
        left, right = st.columns(2)
        left.download_button(
            f"Preuve : {training.proof_name}",
            lambda t=training: follow_up.proof_file(db(), actor, t.id).content,
            training.proof_name,
            training.proof_type,
            key=f"training-proof-file-{training.id}",
            on_click="ignore",
        )
        if removable and right.button(
            "Retirer cette formation", key=f"training-remove-{training.id}"
        ):
            follow_up.remove_training(db(), actor, training.id)
            st.session_state["training-removed"] = training.title
            st.rerun()
    if removed := st.session_state.pop("training-removed", None):
        st.success(f"Formation « {plain(removed)} » retirée.")


def line(training: external.ExternalTraining, titles: dict[str, str]) -> str:
    """« **Sécurité incendie** — APAVE, du 02/03/2026 au 03/03/2026, 14 h ; compte pour … »"""
    hours = f"{training.hours:g}".replace(".", ",")
    counts = (
        f"compte pour le module « {titles.get(training.module_id, training.module_id)} »"
        if training.module_id
        else "ne compte pour aucun module"
    )
    return (
        f"**{plain(training.title)}** — {plain(training.provider)}, du "
        f"{dates.french_date(training.started_on)} au {dates.french_date(training.ended_on)}, "
        f"{hours} h ; {counts}."
    )


def record_form(actor: Person, person: PersonRow, titles: dict[str, str]) -> None:
    """Record a training the person followed outside Proxi, with its proof."""
    person_id, name = person.id, person.display_name
    upload_key = f"training-proof-{st.session_state.get('training-uploads', 0)}"
    with st.form("training", enter_to_submit=False):  # no « Press Enter to submit form »
        st.markdown("**Enregistrer une formation suivie ailleurs**")
        st.text_input("Intitulé de la formation", key="training-title")
        st.text_input("Organisme de formation", key="training-provider")
        left, middle, right = st.columns(3)
        left.text_input("Du", placeholder=dates.DAY_HINT, key="training-from")
        middle.text_input("Au", placeholder=dates.DAY_HINT, key="training-to")
        right.text_input("Durée (heures)", placeholder="7 ou 3,5", key="training-hours")
        modules = [None, *titles]
        st.selectbox(
            "Module auquel elle correspond", modules,
            format_func=lambda m: NO_MODULE if m is None else titles[m], key="training-module",
        )  # fmt: skip
        st.file_uploader(
            f"Preuve : attestation ou certificat (PDF, PNG ou JPEG, {PROOF_LIMIT} Mo au plus)",
            type=["pdf", "png", "jpg", "jpeg"], max_upload_size=PROOF_LIMIT, key=upload_key,
        )  # fmt: skip
        st.form_submit_button(
            "Enregistrer la formation",
            on_click=ui.form_action,
            args=(
                "training",
                lambda: _save(actor, person_id, name, titles, upload_key),
                dict.fromkeys(TEXT_FIELDS, ""),
            ),
        )
        ui.form_result("training")


def _save(actor: Person, person_id: int, name: str, titles: dict[str, str], upload_key: str) -> str:
    state = st.session_state
    upload = state.get(upload_key)
    module_id = state.get("training-module")
    follow_up.record_training(
        db(), actor, person_id,
        title=state.get("training-title") or "",
        provider=state.get("training-provider") or "",
        started_on=dates.parse_day(state.get("training-from") or ""),
        ended_on=dates.parse_day(state.get("training-to") or ""),
        hours=state.get("training-hours") or "",
        module_id=module_id,
        proof=follow_up.Proof(upload.name, upload.getvalue()) if upload else None,
    )  # fmt: skip
    counts = (
        f"elle compte pour le module « {titles[module_id]} »"
        if module_id
        else "elle ne compte pour aucun module"
    )
    title = " ".join((state.get("training-title") or "").split())
    state["training-uploads"] = (
        state.get("training-uploads", 0) + 1
    )  # an uploader cannot be set: a new key, an empty one
    return f"Formation « {plain(title)} » enregistrée pour {plain(name)} : {counts}."
