"""Accounts through the pages (AppTest): an invitation opened, a password chosen, a login;
a temporary password changed at the first login; « Mon compte »."""

from __future__ import annotations

import io

import pytest
from pages import APP, create_zoe, no_exception, open_as, shown_facts
from PIL import Image
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from proxi.people import accounts, audit, invitations
from proxi.people.permissions import OPERATOR

CHOSEN = "mon-mot-de-passe-a-moi"


def logged_out(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    return at.run()


def choose_password(at: AppTest, password: str = CHOSEN) -> AppTest:
    first, again = at.text_input
    first.input(password)
    again.input(password)
    next(b for b in at.button if b.label == "Enregistrer mon mot de passe").click().run()
    no_exception(at)
    return at


def log_in(at: AppTest, identifier: str, password: str) -> AppTest:
    identifier_box, password_box = at.text_input
    identifier_box.input(identifier)
    password_box.input(password)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    no_exception(at)
    return at


def test_a_new_person_opens_their_invitation_sets_a_password_and_logs_in(landlords):
    db, ids = landlords
    at = open_as(landlords, "manager_a", page="app_pages/people.py")
    create_zoe(at)
    next(b for b in at.button if b.label.startswith("Préparer la feuille")).click().run()
    no_exception(at)
    assert at.get("download_button")  # the PDF, read back in tests/test_invitations.py
    zoe = accounts.person_by_identifier(db, "zoe.neuve")
    # The sheet's token is not on the page: the link is made again here, as the sheet does.
    link = invitations.issue(db, accounts.get_person(db, ids["manager_a"]), zoe.id)
    page = logged_out(jeton=link.token)
    page.switch_page("app_pages/invitation.py").run()
    no_exception(page)
    assert "Votre identifiant de connexion : **zoe.neuve**" in [m.value for m in page.markdown]
    choose_password(page)
    assert "zoe.neuve" in page.success[0].value
    page.button[0].click().run()  # « Se connecter »
    log_in(page, "zoe.neuve", CHOSEN)
    assert accounts.authenticate(db, "zoe.neuve", CHOSEN).id == zoe.id
    again = logged_out(jeton=link.token)
    again.switch_page("app_pages/invitation.py").run()
    assert "déjà servi" in again.error[0].value
    acts = [(e.action, e.actor_name) for e in audit.entries(db, OPERATOR)][:2]
    assert acts == [("invitation.create", "Julien Chef"), ("invitation.create", "Julien Chef")]


def test_a_temporary_password_is_changed_at_the_first_login(landlords):
    db, ids = landlords
    manager = accounts.get_person(db, ids["manager_a"])
    accounts.set_password(db, manager, ids["alice"], "temporaire-2026")
    at = log_in(logged_out(), "alice", "temporaire-2026")
    assert at.title[0].value == "Choisir votre mot de passe"
    assert "choisi par quelqu'un d'autre" in at.info[0].value
    choose_password(at)
    person = accounts.authenticate(db, "alice", CHOSEN)
    assert not person.password_temporary
    with pytest.raises(accounts.AuthError):
        accounts.authenticate(db, "alice", "temporaire-2026")


def test_my_account_shows_my_data_and_changes_my_password(landlords):
    db, ids = landlords
    at = open_as(landlords, "alice", page="app_pages/account.py")
    no_exception(at)
    shown = shown_facts(at, "Nom")
    assert [shown["Nom"], shown["Identifiant de connexion"], shown["Organisation"]] == [
        "Alice Abri",
        "alice",
        "Habitat A",
    ]
    at.text_input(key="own-current").input("pas-le-bon")
    at.text_input(key="own-new").input(CHOSEN)
    at.text_input(key="own-again").input(CHOSEN)
    next(b for b in at.button if b.label == "Changer mon mot de passe").click().run()
    assert "actuel n'est pas le bon" in at.error[0].value
    assert at.text_input(key="own-new").value == CHOSEN  # nothing typed is lost
    at.text_input(key="own-current").input("mot-de-passe-solide")
    next(b for b in at.button if b.label == "Changer mon mot de passe").click().run()
    no_exception(at)
    assert "Mot de passe changé" in at.success[0].value
    assert accounts.authenticate(db, "alice", CHOSEN).id == ids["alice"]
    assert at.title[0].value == "Mon compte"  # this browser stays logged in


ROSTER = (
    "nom;identifiant;organisation;site;catégorie d'emploi;rôle;courriel\r\n"
    "Anne Durand;Anne Durand;Habitat A;Nord;gardien;apprenant;\r\n"
    "Denis Ferme;denis.ferme;Habitat A;Sud;gardien;apprenant;\r\n"
).encode("utf-8-sig")


def test_an_imported_list_gets_one_invitation_page_per_new_person(landlords):
    db, _ = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")
    at.get("file_uploader")[0].upload("liste.csv", ROSTER, "text/csv")
    at.run()
    next(b for b in at.button if b.label == "Confirmer l'import").click().run()
    no_exception(at)
    assert at.success[0].value == "Import terminé : 2 création(s), 0 mise(s) à jour."
    assert not any("Aperçu" in m.value for m in at.markdown)  # the uploader starts empty
    sheet = "Préparer la feuille à imprimer pour les 2 personnes"
    next(b for b in at.button if b.label == sheet).click().run()
    no_exception(at)
    assert "Télécharger la feuille (PDF)" in [b.label for b in at.get("download_button")]
    pages = PdfReader(io.BytesIO(at.session_state["import-sheet"])).pages  # what it serves
    texts = [" ".join(page.extract_text().split()) for page in pages]
    assert ["Anne Durand" in texts[0], "Denis Ferme" in texts[1]] == [True, True]
    assert "« anne-durand »" in texts[0]  # the identifier as she will type it
    invited = [
        e.target_name for e in audit.entries(db, OPERATOR) if e.action == "invitation.create"
    ]
    assert sorted(invited) == ["Anne Durand", "Denis Ferme"]


def test_a_forgotten_password_link_from_the_manager_lets_the_person_choose_a_new_one(landlords):
    db, ids = landlords
    at = open_as(landlords, "manager_a", page="app_pages/people.py")
    at.selectbox(key="account").select(ids["alice"]).run()
    at.radio(key=f"kind-{ids['alice']}").set_value("reset").run()
    next(
        b for b in at.button if b.label == "Préparer la feuille à imprimer pour Alice Abri"
    ).click()
    at.run()
    no_exception(at)
    sheet = at.session_state[f"one-{ids['alice']}-reset-sheet"]  # what the download serves
    text = PdfReader(io.BytesIO(sheet)).pages[0].extract_text().replace("\n", "")
    assert "choisissez un nouveau mot de passe" in text
    token = text.split("jeton=")[1][:43]
    page = logged_out(jeton=token)
    page.switch_page("app_pages/invitation.py").run()
    choose_password(page)
    assert accounts.authenticate(db, "alice", CHOSEN).id == ids["alice"]
    with pytest.raises(accounts.AuthError):
        accounts.authenticate(db, "alice", "mot-de-passe-solide")  # the forgotten one is gone
    resets = [e.target_name for e in audit.entries(db, OPERATOR) if e.action == "reset.create"]
    assert resets == ["Alice Abri"]


def test_a_refused_logo_keeps_the_file_and_a_saved_one_empties_the_form(landlords):
    db, ids = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")

    def uploader():
        return next(u for u in at.get("file_uploader") if u.label.startswith("Logo"))

    def save():
        next(b for b in at.button if b.label == "Enregistrer le logo").click().run()
        no_exception(at)

    save()  # no file chosen: said, not ignored
    assert [e.value for e in at.error] == ["Choisissez d'abord le fichier du logo (PNG ou JPEG)."]
    uploader().upload("logo.png", b"not an image", "image/png")  # sent by the form's button
    save()
    assert [e.value for e in at.error] == [
        "Ce fichier n'est pas une image lisible : choisissez un PNG ou un JPEG."
    ]
    assert uploader().value is not None  # the chosen file is still there to replace
    image = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(image, "PNG")
    uploader().set_value(("logo.png", image.getvalue(), "image/png"))
    save()
    assert [s.value for s in at.success] == ["Logo de « Habitat A » enregistré."]
    assert uploader().value is None  # emptied for the next one
    assert db.execute("SELECT count(*) FROM organisation_logos").fetchone() == (1,)
