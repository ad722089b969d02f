"""Every form that uses ui.form_action, in a real browser (issue 13 item 19): a refused
submission keeps every typed value beside its French message; a success empties the typed
fields, as the person sees them (not only in the server's state), and says so next to the
button. AppTest cannot show this: it reads the server's state, which was already empty
while the browser still showed (and sent again) what had been typed.
Screenshots: test-artifacts/screenshots/form-*.png."""

from __future__ import annotations

import pytest

from proxi.people import accounts
from proxi.people.permissions import OPERATOR

from .browser import (
    DESKTOP,
    PHONE,
    click,
    expect,
    go_to,
    log_in,
    main,
    new_page,
    screenshot,
)
from .steps import core, expand, pick

pytestmark = pytest.mark.e2e


def the_form(page, button: str):
    return main(page).get_by_test_id("stForm").filter(has=page.get_by_role("button", name=button))


def fill(form, values: dict[str, str]) -> None:
    for label, value in values.items():
        form.get_by_label(label, exact=True).fill(value)


def shows(form, values: dict[str, str]) -> None:
    """What the person reads in each field, in the browser."""
    for label, value in values.items():
        expect(form.get_by_label(label, exact=True)).to_have_value(value)


def submit(page, form, button: str, message: str, kind: str):
    """Tap the button; the message shows inside the form, just below the button."""
    tapped = form.get_by_role("button", name=button)
    click(page, tapped)
    said = form.get_by_test_id(kind).filter(has_text=message)
    expect(said).to_be_visible()
    below = said.bounding_box()["y"] - tapped.bounding_box()["y"]
    assert 0 < below < 150, f"« {message} » is {below:.0f} px from its button"


def test_new_session_keeps_a_refusal_and_empties_after_creation(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as trainer:
        log_in(trainer, "formatrice")
        go_to(trainer, "Séances de groupe")
        expand(trainer, "Nouvelle séance")
        form = the_form(trainer, "Créer la séance")
        typed = {"Titre": "Accueil difficile — groupe B", "Lieu": "Salle 2"}
        fill(form, typed)
        submit(
            trainer, form, "Créer la séance", "Choisissez au moins une mise", "stAlertContentError"
        )
        shows(form, typed)
        screenshot(trainer, "form-session-1-refused")
        pick(trainer, "Mises en situation", "Du bruit la nuit")
        click(trainer, form.get_by_role("button", name="Créer la séance"))
        # The form folds away: the confirmation and the new session's console are on screen.
        created = main(trainer).get_by_test_id("stAlertContentSuccess")
        expect(created).to_have_text(
            "Séance « Accueil difficile — groupe B » créée : ouvrez-la quand le groupe arrive."
        )
        expect(created).to_be_in_viewport()
        expect(form).not_to_be_visible()
        expect(main(trainer).get_by_role("button", name="Ouvrir la séance")).to_be_in_viewport()
        screenshot(trainer, "form-session-2-created")
        expand(trainer, "Nouvelle séance")  # opened again: empty, ready for the next one
        shows(form, {"Titre": "", "Lieu": ""})
        expect(form.get_by_role("group", name="Choix faits")).to_have_count(0)  # none chosen


def test_new_person_keeps_a_refusal_then_empties_all_but_the_agence(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, DESKTOP) as coordinator:
        log_in(coordinator, "coordination")
        go_to(coordinator, "Personnes")
        main(coordinator).get_by_role("tab", name="Créer").click()  # a tab: no rerun
        form = the_form(coordinator, "Créer la personne")
        typed = {"Nom affiché": "Zoé Formulaire", "Agence ou secteur": "Quartier Nord"}
        fill(form, typed)
        submit(coordinator, form, "Créer la personne", "identifiant", "stAlertContentError")
        shows(form, typed)
        fill(form, {"Identifiant de connexion": "zoe.formulaire"})
        submit(coordinator, form, "Créer la personne", "Compte « zoe.formulaire » créé.", "stAlertContentSuccess")  # fmt: skip
        shows(form, {"Nom affiché": "", "Identifiant de connexion": "", "Agence ou secteur": "Quartier Nord"})  # fmt: skip
        screenshot(coordinator, "form-person-created")


def test_a_due_date_keeps_an_unreadable_day_and_empties_once_saved(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, DESKTOP) as manager:
        log_in(manager, "manager.habitat")
        go_to(manager, "Tableau de bord")
        click(manager, main(manager).get_by_role("tab", name="Relances"))
        form = the_form(manager, "Enregistrer l'échéance")
        field = "Échéance (vide : retirer)"
        fill(form, {field: "31/02/2030"})
        submit(manager, form, "Enregistrer l'échéance", "n'existe pas dans le calendrier", "stAlertContentError")  # fmt: skip
        shows(form, {field: "31/02/2030"})
        fill(form, {field: "28/02/2030"})
        submit(manager, form, "Enregistrer l'échéance", "au plus tard le 28/02/2030", "stAlertContentSuccess")  # fmt: skip
        shows(form, {field: ""})
        screenshot(manager, "form-due-date-saved")


def test_my_password_form_keeps_a_refusal_and_empties_once_changed(proxi_server, chromium_browser):
    with core(proxi_server) as db:  # an account of its own: the demo's passwords stay
        accounts.create_person(
            db, OPERATOR, "lea.formulaire", "Léa Formulaire", "ancien-mot-de-passe"
        )  # set by the operator: not a temporary password to change first
    labels = (
        "Mot de passe actuel",
        "Nouveau mot de passe (10 caractères au moins)",
        "Le nouveau, encore une fois",
    )
    with new_page(chromium_browser, proxi_server, PHONE) as lea:
        log_in(lea, "lea.formulaire", "ancien-mot-de-passe")
        go_to(lea, "Mon compte")
        form = the_form(lea, "Changer mon mot de passe")
        typed = dict(
            zip(
                labels, ("ancien-mot-de-passe", "nouveau-secret-1", "nouveau-secret-2"), strict=True
            )
        )
        fill(form, typed)
        submit(lea, form, "Changer mon mot de passe", "diffèrent", "stAlertContentError")
        shows(form, typed)
        fill(form, {labels[2]: "nouveau-secret-1"})
        submit(lea, form, "Changer mon mot de passe", "Mot de passe changé.", "stAlertContentSuccess")  # fmt: skip
        shows(form, dict.fromkeys(labels, ""))
        screenshot(lea, "form-password-changed")
