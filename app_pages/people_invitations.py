"""The people page's invitations (kept apart to keep the page short): links made for the
people chosen, as a printable PDF and, when a mail server is configured, by e-mail.
The links and their audit entries are proxi.people.invitations."""

from __future__ import annotations

import streamlit as st

from app_pages.connection import db
from proxi.content.markdown import plain
from proxi.documents.invitation_sheet import invitation_sheet
from proxi.documents.verification import public_url
from proxi.errors import ProxiError
from proxi.mail import MailError, mail_config
from proxi.people import accounts, invitations
from proxi.people.permissions import Actor

KINDS = {"invitation": "Invitation (première connexion)", "reset": "Mot de passe oublié"}


def offer(actor: Actor, person_ids: list[int], key: str, kind: str = "invitation") -> None:
    """Buttons that make new links for these people: a PDF to print, or e-mails."""
    if not person_ids:
        return
    noun = _whom(person_ids)
    sheet_key = f"{key}-sheet"
    if st.button(f"Préparer la feuille à imprimer pour {noun}", key=f"{key}-print"):
        try:
            links = invitations.issue_many(db(), actor, person_ids, kind)
        except ProxiError as error:
            st.error(str(error))
        else:
            st.session_state[sheet_key] = invitation_sheet(db(), links, public_url())
    if sheet_key in st.session_state:
        st.download_button(
            "Télécharger la feuille (PDF)",
            st.session_state[sheet_key],
            file_name="invitations-proxi.pdf",
            mime="application/pdf",
            key=f"{key}-download",
        )
        st.caption(
            "Chaque lien ne sert qu'une fois. Un nouveau lien, imprimé ou envoyé, remplace le "
            "précédent : remettez la feuille en main propre."
        )
    _mail_button(actor, person_ids, key, kind, noun)


def _whom(person_ids: list[int]) -> str:
    """Whom the buttons are for: the person by name, or how many."""
    if len(person_ids) > 1:
        return f"les {len(person_ids)} personnes"
    person = accounts.get_person(db(), person_ids[0])
    return plain(person.display_name) if person else "la personne"


def _mail_button(actor: Actor, person_ids: list[int], key: str, kind: str, noun: str) -> None:
    try:
        config = mail_config()
    except MailError as error:
        st.caption(f"Envoi par courriel indisponible : {error}")
        return
    if config is None:
        st.caption("Envoi par courriel indisponible : aucun serveur n'est configuré.")
        return
    if not st.button(f"Envoyer par courriel à {noun}", key=f"{key}-mail"):
        return
    try:
        done = invitations.send(db(), actor, person_ids, config, public_url(), kind)
    except ProxiError as error:
        st.error(str(error))
        return
    if done.sent:
        st.success(f"{len(done.sent)} courriel(s) envoyé(s).")
    if done.without_address:
        names = ", ".join(plain(p.display_name) for p in done.without_address)
        st.warning(f"Sans adresse électronique (imprimez leur feuille) : {names}.")
    for person, message in done.failed:
        st.error(f"{plain(person.display_name)} : {message}")
