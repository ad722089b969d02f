"""Training done elsewhere through the pages: the manager records one on the « Fiche
individuelle » with its proof file, the learner finds it in « Ma progression » with the
proof to download; a mistake is refused in French with everything typed kept."""

from __future__ import annotations

from datetime import date

from pages import open_as, show_tab, texts

from proxi.content.catalogue import load_catalogue
from proxi.people import accounts, follow_up
from proxi.progress import external

DASHBOARD = "app_pages/dashboard.py"
PDF = b"%PDF-1.4\n%%EOF\n"
FIRST = next(iter(load_catalogue().course.modules.values()))


def fiche(landlords, who: str, whom: str):
    db, ids = landlords
    return show_tab(
        open_as(landlords, who, DASHBOARD, personne=str(ids[whom])), "Fiche individuelle"
    )


def fill(at, **fields):
    typed = {"title": "Sécurité incendie", "provider": "Institut du feu", "from": "02/03/2026",
             "to": "03/03/2026", "hours": "3,5"}  # fmt: skip
    typed.update(fields)
    for name, value in typed.items():
        at.text_input(key=f"training-{name}").input(value)
    at.selectbox(key="training-module").set_value(FIRST.id)
    at.file_uploader[0].upload("attestation-incendie.pdf", PDF, "application/pdf")
    next(b for b in at.button if b.label == "Enregistrer la formation").click()
    return at.run()


def downloads(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_a_manager_records_a_training_and_the_learner_downloads_its_proof(landlords):
    db, ids = landlords
    at = fill(fiche(landlords, "manager_a", "arthur"))
    assert not at.exception
    assert [s.value for s in at.success] == [
        f"Formation « Sécurité incendie » enregistrée pour Arthur Ache : elle compte pour le "
        f"module « {FIRST.title} »."
    ]
    line = (
        "**Sécurité incendie** — Institut du feu, du 02/03/2026 au 03/03/2026, 3,5 h ; "
        f"compte pour le module « {FIRST.title} »."
    )
    assert line in texts(at)
    assert "Preuve : attestation-incendie.pdf" in downloads(at)
    assert at.text_input(key="training-title").value == ""  # ready for the next one
    mine = open_as(landlords, "arthur", "app_pages/my_progress.py")
    assert not mine.exception
    assert "Formations suivies ailleurs" in [h.value for h in mine.subheader]
    assert line in texts(mine)
    assert "Preuve : attestation-incendie.pdf" in downloads(mine)
    assert not any(b.label == "Retirer cette formation" for b in mine.button)


def test_a_mistake_is_refused_in_french_and_what_was_typed_stays(landlords):
    db, ids = landlords
    at = fill(fiche(landlords, "manager_a", "arthur"), hours="une journée")
    assert [e.value for e in at.error] == [
        "Durée illisible « une journée » : indiquez le nombre d'heures, par exemple 7 ou 3,5 "
        "(au plus 2000)."
    ]
    assert at.text_input(key="training-title").value == "Sécurité incendie"
    assert at.text_input(key="training-hours").value == "une journée"
    assert external.for_person(db, ids["arthur"]) == []
    at = fill(at, to="31/02/2026")
    assert [e.value for e in at.error] == ["« 31/02/2026 » n'existe pas dans le calendrier."]


def test_the_manager_removes_a_training_recorded_by_mistake(landlords):
    db, ids = landlords
    follow_up.record_training(
        db, accounts.get_person(db, ids["manager_a"]), ids["arthur"], title="Gestes et postures",
        provider="Prévention+", started_on=date(2026, 1, 5), ended_on=date(2026, 1, 5),
        hours="7", module_id=None, proof=follow_up.Proof("gestes.pdf", PDF),
    )  # fmt: skip
    at = fiche(landlords, "manager_a", "arthur")
    assert "ne compte pour aucun module" in texts(at)
    next(b for b in at.button if b.label == "Retirer cette formation").click()
    at.run()
    assert [s.value for s in at.success] == ["Formation « Gestes et postures » retirée."]
    assert external.for_person(db, ids["arthur"]) == []


def test_a_trainer_who_sees_a_person_neither_records_nor_downloads(landlords):
    at = fiche(landlords, "trainer", "bruno")
    assert not at.exception
    assert "Bruno Bel" in [h.value for h in at.subheader]
    assert "Formations suivies ailleurs" not in [h.value for h in at.subheader]
    assert not at.file_uploader


def test_the_fiche_names_a_module_finished_elsewhere_as_the_matrix_does(landlords):
    db, ids = landlords
    follow_up.record_training(
        db, accounts.get_person(db, ids["manager_a"]), ids["arthur"], title="Incendie",
        provider="Institut du feu", started_on=date(2026, 1, 5), ended_on=date(2026, 1, 5),
        hours="7", module_id=FIRST.id, proof=follow_up.Proof("incendie.pdf", PDF),
    )  # fmt: skip
    at = fiche(landlords, "manager_a", "arthur")
    modules = next(t for t in at.dataframe if "Module" in t.value.columns).value
    assert modules.set_index("Module").loc[FIRST.title, "Statut"] == "Suivi ailleurs"
