"""Proof pages (AppTest): the public /verifier page, PDF downloads for learner and manager."""

from pathlib import Path

import pytest
from pages import (
    APP,
    logged_in,
    make_person,
    no_exception,
    shown_facts,
    texts,
    use_temporary_world,
)
from streamlit.testing.v1 import AppTest

from proxi.content import places
from proxi.content.course import load_course
from proxi.documents import verification
from proxi.documents.attestation import attestations_pdf, completion
from proxi.people import accounts
from proxi.progress import store
from proxi.progress.db import open_db


@pytest.fixture
def world(tmp_path, monkeypatch, app_database):
    return use_temporary_world(tmp_path, monkeypatch, database=app_database)


def completed_with_code(world: Path | str, person) -> str:
    """Complete the fixture module for `person` and issue their attestation's code."""
    db = open_db(world)
    course, _ = load_course(places.content_dirs()[0])
    module = next(iter(course.modules.values()))
    lessons = [lesson.id for lesson in module.lessons]
    for lesson in lessons:
        store.record_step(db, person.id, module.id, lesson, 0, 1, lessons)
    store.record_quiz(db, person.id, module.id, 10, 10, module.pass_mark, lessons)
    row = store.learner_overview(db, person.id).module(module.id)
    org = accounts.list_organisations(db)[0].name
    attestations_pdf(db, [completion(person, org, module, row)])
    code = db.execute("SELECT code FROM document_codes").fetchone()[0]
    db.close()
    return code


def verifier(code: str | None = None) -> AppTest:
    """Logged out, on /verifier, as the QR code opens it."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    if code is not None:
        at.query_params["code"] = code
    return at.switch_page("app_pages/verify.py").run()


def test_the_qr_link_confirms_the_document_to_someone_logged_out(world):
    alice = make_person(world, "alice.martin")
    code = completed_with_code(world, alice)
    at = verifier(verification.display(code))
    no_exception(at)
    assert "Document authentique : **Attestation de fin de formation**" in texts(at)
    shown = shown_facts(at, "Personne")  # each fact whole, none cut as in a table
    assert shown["Personne"] == "Alice Martin"
    assert shown["Organisation"] == "Habitat Val de Seine"
    db = open_db(world)
    assert shown["Résultat"] == verification.verify(db, code).facts["Résultat"]
    db.close()
    assert "identifiant" not in " ".join(shown).lower()  # nothing beyond the document


def test_what_people_typed_shows_on_the_check_as_typed_never_as_markdown(world):
    typed = "**Bailleur** [ici](https://exemple.org)"  # an organisation's name, typed
    alice = make_person(world, "alice.martin", organisation=typed)
    at = verifier(verification.display(completed_with_code(world, alice)))
    no_exception(at)
    listed = next(m.value for m in at.markdown if m.value.startswith("- **Personne** : "))
    line = next(line for line in listed.split("\n") if line.startswith("- **Organisation**"))
    assert "[ici](" not in line and "** [" not in line  # no link, no bold: escaped
    assert shown_facts(at, "Personne")["Organisation"] == typed  # read as typed


def test_a_wrong_code_says_so_in_french(world):
    at = verifier()
    at.text_input[0].input("ABCD-EFGH-JKMN").run()
    assert "Aucun document ne correspond à ce code" in at.error[0].value
    assert not at.success


def test_the_learner_downloads_both_pdfs_of_a_completed_module(world):
    alice = make_person(world, "alice.martin")
    completed_with_code(world, alice)
    at = logged_in(world, alice, "app_pages/my_progress.py")
    no_exception(at)
    labels = [b.proto.label for b in at.get("download_button") if "connexions" not in b.proto.label]
    assert labels == ["Attestation de fin de formation (PDF)", "Certificat de réalisation (PDF)"]


def test_the_manager_gets_one_pdf_for_the_selection(world):
    manager = make_person(world, "chef", roles=("manager",))
    for name in ("alice.martin", "bruno.petit"):
        completed_with_code(world, make_person(world, name))
    at = logged_in(world, manager, "app_pages/dashboard.py")
    at.tabs  # noqa: B018
    at.session_state["dashboard-tab"] = "Impressions"
    at.run()
    no_exception(at)
    assert "2 personne(s) de la sélection" in texts(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Attestations de fin de formation (PDF)" in labels
