"""A refused form keeps everything that was typed, with the French message; a success
empties it (« Créer la personne », « Créer l'organisation », « Réinitialiser le mot de passe »;
the group-session forms are in test_pages_live.py)."""

from pages import no_exception, open_as

from proxi.people import accounts

TEMPORARY = "Mot de passe temporaire (facultatif : sans lui, remettez une invitation)"


def fields(at) -> dict:
    return {box.label: box for box in at.text_input}


def submit(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_a_refused_person_keeps_what_was_typed_then_a_success_empties_the_form_but_the_agence(
    landlords,
):
    db, _ = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")
    fields(at)["Nom affiché"].input("Zoé Neuve")
    fields(at)["Agence ou secteur"].input("Agence Nord/ Quartier Nord")
    fields(at)[TEMPORARY].input("mot-de-passe-solide")
    submit(at, "Créer la personne")  # no login identifier: refused
    no_exception(at)
    assert at.error, "the refusal says why"
    typed = {label: box.value for label, box in fields(at).items()}
    assert typed["Nom affiché"] == "Zoé Neuve"
    assert typed["Agence ou secteur"] == "Agence Nord/ Quartier Nord"
    assert typed[TEMPORARY] == "mot-de-passe-solide"
    fields(at)["Identifiant de connexion"].input("zoe.neuve")
    submit(at, "Créer la personne")
    assert accounts.person_by_identifier(db, "zoe.neuve").site == "Agence Nord › Quartier Nord"
    assert at.success[0].value.startswith("Compte « zoe.neuve » créé.")
    assert fields(at)["Nom affiché"].value == ""
    assert fields(at)["Agence ou secteur"].value == "Agence Nord/ Quartier Nord"  # the next one


def test_a_refused_organisation_keeps_its_name(landlords):
    at = open_as(landlords, "coord", page="app_pages/people.py")
    fields(at)["Nouvelle organisation"].input("Habitat A")  # already exists
    submit(at, "Créer l'organisation")
    assert "L'organisation « Habitat A » existe déjà." in [e.value for e in at.error]
    assert fields(at)["Nouvelle organisation"].value == "Habitat A"
    fields(at)["Nouvelle organisation"].input("Habitat Neuf")
    submit(at, "Créer l'organisation")
    assert "Organisation « Habitat Neuf » créée." in [s.value for s in at.success]
    assert fields(at)["Nouvelle organisation"].value == ""


def test_a_refused_password_stays_in_its_field(landlords):
    db, ids = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")
    at.selectbox(key="account").set_value(ids["bruno"]).run()
    at.text_input(key="new-password").input("court")
    submit(at, "Réinitialiser le mot de passe")
    assert at.error
    assert at.text_input(key="new-password").value == "court"
