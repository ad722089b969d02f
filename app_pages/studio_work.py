"""The studio's work on texts: what is open (kept in the URL), the author's draft (kept in the
database across refreshes), proposals, publication and the versions kept.

The editor's text lives in st.session_state[TEXT]; everything that replaces it (opening a
proposal or an old version, discarding the draft) runs in a button callback, before the
editor is drawn again.
"""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import current_person
from proxi.content import studio
from proxi.content.catalogue import Catalogue
from proxi.content.markdown import plain
from proxi.dates import local_moment
from proxi.errors import NotAllowed, ProxiError
from proxi.people import authoring, permissions
from proxi.people.accounts import Person

CHOICE, TEXT, LOADED, PROPOSAL = "studio-choice", "studio-text", "studio-loaded", "studio-proposal"
NEW_CHOICE = "nouvelle"  # in the URL and the list; authoring.NEW in the database
MESSAGE = "studio-message"


def opening(person: Person, cat: Catalogue) -> str | None:
    """Which scenario is open (authoring.NEW for a new one), its text in the editor: the
    author's draft when there is one. None until something is chosen."""
    source, upload = st.columns(2)
    _upload(person, cat, upload)  # first: an upload chooses what is open
    if CHOICE not in st.session_state:  # a new tab or a refresh: the URL says
        wanted = st.query_params.get("scenario", "")
        st.session_state[CHOICE] = wanted if wanted in (NEW_CHOICE, *cat.scenarios) else ""
    drafted = {draft.opened for draft in authoring.drafts(db(), person)}
    titles = cat.scenario_titles()

    def label(choice: str) -> str:
        name = {"": "— Choisir —", NEW_CHOICE: "➕ Nouvelle mise en situation"}.get(choice)
        opened = authoring.NEW if choice == NEW_CHOICE else choice
        mark = " · brouillon en cours" if choice and opened in drafted else ""
        return f"{name or titles.get(choice, choice)}{mark}"

    choice = source.selectbox(
        "Ouvrir une mise en situation", ["", NEW_CHOICE, *cat.scenarios], key=CHOICE,
        format_func=label,
    )  # fmt: skip
    _to_url(choice)
    if not choice:
        return None
    opened = authoring.NEW if choice == NEW_CHOICE else choice
    if st.session_state.get(LOADED) != opened:
        _load(person, opened)
    return opened


def _upload(person: Person, cat: Catalogue, column) -> None:
    uploaded = column.file_uploader(
        "…ou importer un fichier YAML", type=["yaml", "yml"], max_upload_size=2,
        help="Le fichier devient votre brouillon de la mise en situation qui porte son identifiant.",
    )  # fmt: skip
    if uploaded is None or st.session_state.get("studio-uploaded") == uploaded.file_id:
        return
    st.session_state["studio-uploaded"] = uploaded.file_id
    text = uploaded.getvalue().decode("utf-8", errors="replace")
    name = studio.scenario_name(text, fallback="")
    opened = name if name in cat.scenarios else authoring.NEW
    try:
        authoring.save_draft(db(), person, opened, text)
    except ProxiError as error:
        column.error(str(error))
        return
    st.session_state[CHOICE] = opened or NEW_CHOICE
    _load(person, opened)


def _to_url(choice: str) -> None:
    if choice and st.query_params.get("scenario") != choice:
        st.query_params["scenario"] = choice
    elif not choice and "scenario" in st.query_params:
        del st.query_params["scenario"]


def _load(person: Person, opened: str, text: str | None = None) -> None:
    saved = authoring.draft(db(), person, opened)
    st.session_state[TEXT] = text if text is not None else saved.text if saved else original(opened)
    st.session_state[LOADED] = opened
    st.session_state.pop(PROPOSAL, None)


def original(opened: str) -> str:
    """The text an author starts from: the published file, or the template for a new one."""
    if opened == authoring.NEW:
        return studio.template_text()
    path = studio.content_dirs()[1] / f"{opened}.yaml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def keep_draft(person: Person, opened: str, text: str) -> None:
    """Save the editor's text as the draft when it changed; say so, offer to discard it."""
    saved = authoring.draft(db(), person, opened)
    if saved is None and text == original(opened):
        st.caption("Aucune modification. Vos modifications seront gardées comme brouillon.")
        return
    if saved is None or saved.text != text:
        try:
            saved = authoring.save_draft(db(), person, opened, text)
        except ProxiError as error:
            st.error(str(error))
            return
    st.caption(
        f"Brouillon enregistré le {local_moment(saved.updated_at)}. Il reste ici, même après "
        "un rafraîchissement, jusqu'à sa publication ou son abandon."
    )
    st.button(
        "Abandonner le brouillon", on_click=_act, args=("editor", _discard, opened),
        help="Revenir à la version publiée (ou au modèle pour une nouvelle mise en situation).",
    )  # fmt: skip


def _discard(person: Person, opened: str) -> str:
    authoring.discard_draft(db(), person, opened)
    _load(person, opened)
    return "Brouillon abandonné."


def show_message(place: str) -> None:
    """The result of the last button drawn at `place` (its callback ran before the page)."""
    shown = st.session_state.get(MESSAGE)
    if shown and shown[0] == place:
        del st.session_state[MESSAGE]
        (st.success if shown[1] == "success" else st.error)(shown[2])


def proposals_panel(person: Person, cat: Catalogue) -> None:
    """The coordination: every pending proposal, to open. A trainer: their own, waiting or
    refused (with the reason)."""
    deciding = permissions.may(person, "scenario.publish")
    pending = authoring.proposals(db(), person)
    refused = [] if deciding else authoring.declined(db(), person)
    if not pending and not refused:
        return
    title = (
        f"Propositions à publier ({len(pending)})"
        if deciding
        else f"Vos propositions ({len(pending)} en attente)"
    )
    with st.expander(title, expanded=deciding):
        show_message("proposals")
        for proposal in pending:
            st.markdown(
                f"**{plain(_title(cat, proposal))}** (`{proposal.scenario_id}`) — proposée par "
                f"{plain(proposal.author_name)} le {local_moment(proposal.proposed_at)}"
            )
            if proposal.note:
                st.caption(plain(proposal.note))
            if deciding:
                st.button(
                    "Ouvrir la proposition", key=f"open-proposal-{proposal.id}",
                    on_click=_act, args=("proposals", _open_proposal, proposal),
                    help="Le texte proposé remplace votre brouillon de cette mise en situation.",
                )  # fmt: skip
        for proposal in refused:
            st.markdown(
                f"**{plain(_title(cat, proposal))}** — proposée le "
                f"{local_moment(proposal.proposed_at)}, refusée : {plain(proposal.reason)}"
            )


def _title(cat: Catalogue, proposal: authoring.Proposal) -> str:
    return cat.scenario_titles().get(proposal.opened, "nouvelle mise en situation")


def _open_proposal(person: Person, proposal: authoring.Proposal) -> None:
    permissions.require(person, "scenario.publish")
    st.session_state[CHOICE] = proposal.opened or NEW_CHOICE
    _load(person, proposal.opened, proposal.text)
    st.session_state[PROPOSAL] = proposal.id


def save_panel(person: Person, opened: str, text: str, errors: int) -> None:
    """Download; a trainer proposes, the coordination publishes (or decides on a proposal)."""
    st.download_button(
        "Télécharger le YAML", text.encode("utf-8"), file_name=f"{studio.scenario_name(text)}.yaml",
        mime="application/x-yaml",
    )  # fmt: skip
    if errors:
        st.caption("Proposer ou publier est possible quand il n'y a plus aucune erreur.")
    show_message("save")
    if permissions.may(person, "scenario.publish"):
        _publish_panel(person, opened, errors)
    elif permissions.may(person, "scenario.propose"):
        st.text_input("Un mot pour la coordination (facultatif)", key="studio-note")
        st.button(
            "Proposer cette version à la coordination", type="primary", disabled=errors > 0,
            on_click=_act, args=("save", _propose, opened),
        )  # fmt: skip


def _propose(person: Person, opened: str) -> str:
    note = st.session_state.get("studio-note", "")
    proposal = authoring.propose(db(), person, st.session_state[TEXT], opened, note)
    st.session_state.pop("studio-note", None)
    return (
        f"Version proposée le {local_moment(proposal.proposed_at)}. La coordination la "
        "publiera ; votre brouillon reste ici d'ici là."
    )


def _publish_panel(person: Person, opened: str, errors: int) -> None:
    proposal_id = st.session_state.get(PROPOSAL)
    if proposal_id is not None:
        proposal = authoring.proposal(db(), proposal_id)
        st.info(
            f"Proposition de {plain(proposal.author_name)} du {local_moment(proposal.proposed_at)}."
        )
    label = "Publier la proposition" if proposal_id is not None else "Publier dans la bibliothèque"
    st.button(
        label, type="primary", disabled=errors > 0, on_click=_act,
        args=("save", _publish, opened),
    )  # fmt: skip
    if proposal_id is not None:
        st.text_input("Motif du refus", key="studio-decline-reason")
        st.button("Refuser la proposition", on_click=_act, args=("save", _decline, opened))


def _publish(person: Person, opened: str) -> str:
    text = st.session_state[TEXT]
    path = authoring.publish(db(), person, text, opened, st.session_state.get(PROPOSAL))
    ui.content_changed()
    # What is open is now the published scenario (a new one has its id from now on).
    st.session_state[CHOICE] = path.stem
    _load(person, path.stem, text)
    return f"Publié : {path.name}. L'ancienne version est gardée (onglet « Versions »)."


def _decline(person: Person, opened: str) -> str:
    reason = st.session_state.get("studio-decline-reason", "")
    authoring.decline(db(), person, st.session_state[PROPOSAL], reason)
    st.session_state.pop("studio-decline-reason", None)
    _load(person, opened)
    return "Proposition refusée : son auteur verra le motif."


def _act(place: str, action, *args) -> None:
    """Every button's callback: `action(person, *args)` for the person logged in NOW (a
    callback runs before the page's own session check), its French message or refusal kept
    to show beside the button."""
    try:
        person = current_person()
        if person is None:
            raise NotAllowed("Votre session a pris fin : reconnectez-vous.")
        said = action(person, *args)
    except ProxiError as error:
        st.session_state[MESSAGE] = (place, "error", str(error))
    else:
        if said:
            st.session_state[MESSAGE] = (place, "success", said)


def versions_panel(person: Person, opened: str) -> None:
    kept = studio.versions(opened) if opened else []
    if not kept:
        st.caption("Aucune ancienne version : elles sont gardées à chaque publication.")
        return
    restoring = permissions.may(person, "scenario.publish")
    show_message("versions")
    for version in kept:
        when, edit, back = st.columns([2, 1, 1])
        when.markdown(f"Version remplacée le {local_moment(version.replaced_at)}")
        edit.button(
            "Ouvrir dans l'éditeur", key=f"edit-{version.name}", on_click=_act,
            args=("versions", _edit_version, opened, version),
            help="Son texte devient votre brouillon ; rien n'est publié.",
        )  # fmt: skip
        if restoring:
            back.button(
                "Rétablir cette version", key=f"restore-{version.name}", on_click=_act,
                args=("versions", _restore, opened, version),
                help="Elle est publiée à nouveau ; la version actuelle est gardée à son tour.",
            )  # fmt: skip


def _edit_version(person: Person, opened: str, version: studio.Version) -> str:
    _load(person, opened, studio.version_text(version.name))
    when = local_moment(version.replaced_at)
    return f"Version du {when} ouverte dans l'éditeur : c'est votre brouillon, rien n'est publié."


def _restore(person: Person, opened: str, version: studio.Version) -> str:
    authoring.restore(db(), person, version.name)
    ui.content_changed()
    if authoring.draft(db(), person, opened) is None:
        _load(person, opened)  # the editor shows what is now published
    return f"Version du {local_moment(version.replaced_at)} rétablie et publiée."
