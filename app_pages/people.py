"""Personnes (managers for their organisation, the coordination for all): import a roster,
create people and organisations, reset passwords, deactivate accounts. Who may do what is
proxi.people.permissions; the rules live in proxi.people.accounts and proxi.people.roster."""

from functools import partial

import streamlit as st

from app_pages import people_invitations, ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.content.markdown import plain
from proxi.documents.attestation import set_logo
from proxi.errors import ProxiError
from proxi.people import accounts, permissions, roster
from proxi.people.permissions import Subject

NEW_PERSON_FIELDS = tuple(
    f"np-{field}"
    for field in ("name", "identifier", "org", "site", "job", "roles", "email", "password")
)

# Emptied after a creation; the organisation, agence, job and roles stay for the next person.
NEW_PERSON_TEXTS = tuple(f"np-{field}" for field in ("name", "identifier", "email", "password"))
SITE_HELP = (
    "Du plus large au plus précis, séparés par « / » : « Agence Nord / Secteur des Tilleuls ». "
    "Un manager suit les personnes de son agence ou secteur et de tout ce qui est en dessous."
)


def create_person() -> str:
    """The « Créer la personne » form, read from its fields (see ui.form_action)."""
    field = {key.removeprefix("np-"): st.session_state[key] for key in NEW_PERSON_FIELDS}
    created = accounts.create_person(
        db(),
        me,
        field["identifier"],
        field["name"],
        field["password"] or None,
        organisation_id=field["org"],
        site=field["site"],
        job_category=field["job"],
        roles=field["roles"],
        email=field["email"] or None,
    )
    st.session_state["just-created"] = [created.id]
    follow = (
        "Il changera ce mot de passe temporaire à sa première connexion."
        if created.password_temporary
        else "Remettez-lui son invitation ci-dessous."
    )
    return f"Compte « {created.identifier} » créé. {follow}"


def create_organisation() -> str:
    state = st.session_state
    created = accounts.create_organisation(db(), me, state["no-name"], state["no-kind"])
    return f"Organisation « {created.name} » créée."


def reset_password(person_id: int) -> str:
    accounts.set_password(db(), me, person_id, st.session_state["new-password"])
    return (
        "Mot de passe temporaire enregistré : la personne est déconnectée partout et le "
        "changera à sa prochaine connexion."
    )


def organisation_forms() -> None:
    """New organisations and their logos: the coordination's."""
    with st.form("new-organisation"):
        st.text_input("Nouvelle organisation", key="no-name")
        st.selectbox(
            "Type",
            list(accounts.ORGANISATION_KINDS),
            format_func=accounts.ORGANISATION_KINDS.get,
            key="no-kind",
        )
        st.form_submit_button(
            "Créer l'organisation",
            on_click=ui.form_action,
            args=("new-organisation", create_organisation, {"no-name": ""}),
        )
        ui.form_result("new-organisation")
    if orgs:
        with st.form("organisation-logo"):
            st.markdown("**Logo imprimé sur les attestations**")
            st.selectbox("Organisation", list(orgs), format_func=orgs.get, key="logo-org")
            st.file_uploader(
                "Logo (PNG ou JPEG, 1 Mo au plus)", type=["png", "jpg", "jpeg"], key=_logo_key()
            )
            st.form_submit_button(
                "Enregistrer le logo",
                on_click=ui.form_action,
                args=("organisation-logo", save_logo, {}),
            )
            ui.form_result("organisation-logo")


def _logo_key() -> str:
    """The uploader's key: a new one after each saved logo (an uploader cannot be emptied)."""
    return f"logo-file-{st.session_state.get('logo-uploads', 0)}"


def save_logo() -> str:
    """A refusal keeps the chosen file and organisation; a saved logo empties the uploader."""
    logo, organisation_id = st.session_state.get(_logo_key()), st.session_state["logo-org"]
    if logo is None:
        raise ProxiError("Choisissez d'abord le fichier du logo (PNG ou JPEG).")
    set_logo(db(), me, organisation_id, logo.getvalue())
    st.session_state["logo-uploads"] = st.session_state.get("logo-uploads", 0) + 1
    return f"Logo de « {orgs[organisation_id]} » enregistré."


def import_roster() -> None:
    """The roster import: a preview, then one confirmed write; after it, an empty uploader
    (a new key: an uploader cannot be emptied), the result and the invitations."""
    st.caption(
        "Fichier CSV (séparateur « ; » ou « , ») avec les colonnes : nom, identifiant, "
        "organisation, agence ou secteur, catégorie d'emploi, rôle, courriel (facultatif). "
        "Plusieurs niveaux (agence, puis secteur, puis résidence) : une colonne par niveau, "
        "du plus large au plus précis. Un identifiant déjà connu met la personne à jour : "
        "réimporter le même fichier ne crée pas de doublon."
    )
    st.download_button(
        "Modèle de fichier", roster.TEMPLATE.encode("utf-8-sig"), "modele-personnes.csv", "text/csv"
    )
    key = f"roster-file-{st.session_state.get('roster-imports', 0)}"
    upload = st.file_uploader(
        "Liste des personnes (CSV ou TXT, 2 Mo au plus)", type=["csv", "txt"], key=key
    )
    if upload is not None:
        st.session_state.pop("roster-result", None)  # a new file: its own preview now
        preview = roster.read_roster(db(), upload.getvalue())
        for message in roster.error_messages(preview):
            st.error(plain(message))  # it quotes the file's cells: shown as typed
        counts = preview.counts()
        st.markdown(
            f"**Aperçu** : {counts['create']} création(s), {counts['update']} mise(s) à jour, "
            f"{counts['unchanged']} inchangée(s), {counts['error']} ligne(s) en erreur "
            "(ignorées). Rien n'est enregistré avant la confirmation."
        )
        ui.table(roster.preview_table(preview), hide_index=True)
        st.caption(
            "Les nouveaux comptes n'ont pas de mot de passe : chaque personne choisit le sien "
            "avec son invitation (feuille à imprimer ou courriel), proposée après l'import."
        )
        st.button(
            "Confirmer l'import", type="primary", disabled=not preview.valid,
            on_click=_confirm_import, args=(preview,),
        )  # fmt: skip
    kind, message = st.session_state.get("roster-result", (None, ""))
    if kind:
        (st.success if kind == "success" else st.error)(message)
    if st.session_state.get("imported"):
        st.markdown("**Invitations des nouveaux comptes**")
        people_invitations.offer(me, st.session_state["imported"], "import")


def _confirm_import(preview: roster.RosterPreview) -> None:
    """The button's callback: one write, then the uploader starts empty (its next key)."""
    state = st.session_state
    try:
        done = roster.apply_roster(db(), me, preview)
    except ProxiError as error:
        state["roster-result"] = ("error", plain(str(error)))
        return
    state["imported"] = done.created
    state["roster-imports"] = state.get("roster-imports", 0) + 1
    state["roster-result"] = (
        "success",
        f"Import terminé : {done.counts['create']} création(s), "
        f"{done.counts['update']} mise(s) à jour.",
    )


me = require("person.manage")
st.title("Personnes")
everywhere = permissions.everywhere(me)  # a manager sees and creates only their organisation
orgs = {
    o.id: o.name
    for o in accounts.list_organisations(db())
    if everywhere or o.id == me.organisation_id
}
may_import = permissions.may(me, "roster.import")
tabs = st.tabs((["Importer une liste"] if may_import else []) + ["Créer", "Comptes"])
creating, managing = tabs[-2:]
# The roles this person may give (a manager never makes a coordinator).
grantable = [
    role
    for role in accounts.ROLES
    if permissions.may(me, "person.manage", Subject(me.organisation_id, (role,), me.site))
]

if may_import:
    with tabs[0]:
        import_roster()

with creating:
    with st.form("new-person"):
        st.text_input("Nom affiché", key="np-name")
        st.text_input("Identifiant de connexion", key="np-identifier")
        st.selectbox(
            "Organisation",
            [None, *orgs] if everywhere else list(orgs),
            format_func=lambda o: orgs.get(o, "—"),
            key="np-org",
        )
        # A manager of an agence creates people in it: their node is the start of the path.
        st.session_state.setdefault("np-site", me.site)
        st.text_input("Agence ou secteur", key="np-site", help=SITE_HELP)
        st.selectbox(
            "Catégorie d'emploi",
            list(accounts.JOB_CATEGORIES),
            format_func=accounts.JOB_CATEGORIES.get,
            key="np-job",
        )
        ui.multiselect(
            "Rôles",
            grantable,
            ["learner"],
            format_func=accounts.ROLES.get,
            key="np-roles",
        )
        st.text_input("Courriel (facultatif)", key="np-email")
        st.text_input(
            "Mot de passe temporaire (facultatif : sans lui, remettez une invitation)",
            type="password",
            key="np-password",
        )
        st.form_submit_button(
            "Créer la personne",
            type="primary",
            on_click=ui.form_action,
            args=("new-person", create_person, dict.fromkeys(NEW_PERSON_TEXTS, "")),
        )
        ui.form_result("new-person")
    if st.session_state.get("just-created"):
        people_invitations.offer(me, st.session_state["just-created"], "created")
    if permissions.may(me, "organisation.manage"):
        organisation_forms()

with managing:
    everyone = {
        p.id: p
        for p in accounts.list_people(db(), None if everywhere else me.organisation_id)
        if permissions.may(me, "person.manage", p)
    }
    chosen = st.selectbox(
        "Personne",
        list(everyone),
        key="account",
        index=None,
        placeholder="Choisir une personne",
        format_func=lambda i: (
            f"{everyone[i].display_name} ({everyone[i].identifier})"
            + ("" if everyone[i].active else " — désactivé")
        ),
    )
    if chosen is not None:
        person = everyone[chosen]
        if person.active:
            st.markdown("**Un lien pour choisir son mot de passe**")
            kind = st.radio(
                "Pour",
                list(people_invitations.KINDS),
                format_func=people_invitations.KINDS.__getitem__,
                horizontal=True,
                key=f"kind-{person.id}",
            )
            people_invitations.offer(me, [person.id], f"one-{person.id}-{kind}", kind)
        with st.form("reset-password"):
            st.markdown("**Ou un mot de passe temporaire**, à lui dire de vive voix")
            st.text_input("Nouveau mot de passe", type="password", key="new-password")
            st.form_submit_button(
                "Réinitialiser le mot de passe",
                on_click=ui.form_action,
                args=("reset-password", partial(reset_password, person.id), {"new-password": ""}),
            )
            ui.form_result("reset-password")
        label = "Désactiver le compte" if person.active else "Réactiver le compte"
        if st.button(label, key=f"toggle-{person.id}", disabled=person.id == me.id):
            accounts.set_active(db(), me, person.id, not person.active)
            st.success(
                "Compte désactivé : ses sessions sont fermées."
                if person.active
                else "Compte réactivé."
            )
