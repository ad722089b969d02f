"""Training done elsewhere (proxi.people.follow_up, proxi.progress.external): a manager records
it with its proof file, it counts in completion where it stands for a module, the person and
those allowed download the proof, bad input is refused in French with nothing written, and
the RGPD export, the erasure and the backups carry it."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest

from proxi import dates
from proxi.errors import NotAllowed
from proxi.ops import backup, privacy
from proxi.people import accounts, audit, follow_up
from proxi.progress import due_dates, reports
from proxi.progress.db import open_db
from proxi.progress.reports import Viewer

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def office(db, two_landlords):
    ids = two_landlords(db)
    return db, ids, {key: accounts.get_person(db, ids[key]) for key in ids if "org" not in key}


def record(db, actor, person_id, **changes):
    fields = dict(
        title="Sécurité incendie", provider="Institut du feu", started_on=date(2026, 3, 2),
        ended_on=date(2026, 3, 3), hours="14", module_id="m1",
        proof=follow_up.Proof("attestation.pdf", PDF),
    )  # fmt: skip
    fields.update(changes)
    return follow_up.record_training(db, actor, person_id, **fields)


def cell(db, viewer, person_id, item):
    rows = reports.matrix(db, viewer)
    return next(r for r in rows if r.person.id == person_id).cell(item)


def written(db) -> tuple:
    return (
        db.execute("SELECT COUNT(*) FROM external_trainings").fetchone()[0],
        db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0],
    )


def test_a_recorded_training_counts_for_its_module_and_is_audited(office):
    db, ids, people = office
    manager = people["manager_a"]
    viewer = Viewer.of(manager)
    assert cell(db, viewer, ids["arthur"], "m1").status == "quiz_failed"
    record(db, manager, ids["arthur"], hours="3,5")
    assert cell(db, viewer, ids["arthur"], "m1") == ("recognised", "2026-03-03", None, None)
    assert reports.headline(db, viewer, reports.matrix(db, viewer), ["m1"]).completed == {"m1": 2}
    assert due_dates.completed_modules(db, [ids["arthur"]]) == {ids["arthur"]: {"m1"}}
    due = due_dates.DueDate("m1", "2026-03-01", ids["org_a"], "Habitat A", "", None, "")
    assert reports.overdue(reports.matrix(db, viewer), [due], date(2026, 6, 1)) == []
    (training,) = follow_up.external.for_person(db, ids["arthur"])
    assert (training.title, training.hours, training.proof_type) == (
        "Sécurité incendie", 3.5, "application/pdf"
    )  # fmt: skip
    (entry,) = audit.entries(db, people["coord"], actions=("training.record",))
    assert (entry.actor_id, entry.target_id, entry.details["module_id"]) == (
        manager.id, ids["arthur"], "m1"
    )  # fmt: skip


def test_a_training_for_no_module_counts_for_none_and_proxi_completion_stays(office):
    db, ids, people = office
    viewer = Viewer.of(people["coord"])
    record(db, people["coord"], ids["bruno"], module_id=None)
    assert cell(db, viewer, ids["bruno"], "m1").status == "not_started"
    record(db, people["coord"], ids["alice"])  # Alice finished m1 in Proxi already
    assert cell(db, viewer, ids["alice"], "m1").status == "completed"
    assert reports.completed_modules(reports.matrix(db, viewer), "m1") == [
        (next(r.person for r in reports.matrix(db, viewer) if r.person.id == ids["alice"]), "m1")
    ]  # a training done elsewhere never makes a Proxi attestation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Indiquez l'intitulé de la formation."),
        ({"provider": ""}, "Indiquez l'organisme qui a donné la formation."),
        ({"started_on": None}, "Indiquez la date de début et la date de fin"),
        ({"ended_on": date(2026, 3, 1)}, "La date de fin (01/03/2026) est avant la date de début"),
        ({"ended_on": dates.today() + timedelta(days=2)}, "est à venir"),
        ({"hours": "sept"}, "Durée illisible « sept » : indiquez le nombre d'heures"),
        ({"hours": "0"}, "Durée illisible « 0 »"),
        ({"hours": "5000"}, "au plus 2000"),
        ({"proof": None}, "Joignez la preuve de la formation"),
        ({"proof": follow_up.Proof("cv.docx", b"PK\x03\x04")}, "« cv.docx » n'est ni un PDF ni"),
        (
            {"proof": follow_up.Proof("scan.pdf", PDF + b"0" * (5 * 1024 * 1024))},
            "Le fichier « scan.pdf » fait 5,0 Mo : 5 Mo au plus.",
        ),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_written(office, changes, message):
    db, ids, people = office
    before = written(db)
    with pytest.raises(
        follow_up.BadTraining, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        record(db, people["manager_a"], ids["arthur"], **changes)
    assert written(db) == before


def test_an_image_is_a_proof_too(office):
    db, ids, people = office
    training_id = record(
        db, people["manager_a"], ids["alice"], proof=follow_up.Proof("scan.png", PNG)
    )
    assert follow_up.external.get(db, training_id).proof_type == "image/png"


def test_who_records_and_who_downloads(office):
    db, ids, people = office
    before = written(db)
    for outsider in ("manager_b", "alice", "trainer"):
        with pytest.raises(NotAllowed):
            record(db, people[outsider], ids["arthur"])
    assert written(db) == before
    training_id = record(db, people["manager_a"], ids["arthur"])
    for allowed in ("arthur", "manager_a", "coord"):
        assert follow_up.proof_file(db, people[allowed], training_id).content == PDF
    for refused in ("alice", "manager_b", "trainer"):
        with pytest.raises(NotAllowed):
            follow_up.proof_file(db, people[refused], training_id)
    with pytest.raises(NotAllowed):
        follow_up.remove_training(db, people["manager_b"], training_id)
    follow_up.remove_training(db, people["manager_a"], training_id)
    assert follow_up.external.for_person(db, ids["arthur"]) == []
    assert len(audit.entries(db, people["coord"], actions=("training.remove",))) == 1


def test_the_rgpd_export_holds_the_proof_and_the_erasure_removes_it(office):
    db, ids, people = office
    record(db, people["manager_a"], ids["arthur"])
    exported = json.loads(privacy.export_json(db, ids["arthur"]))
    (row,) = exported["tables"]["external_trainings"]
    assert base64.b64decode(row["proof"]["base64"]) == PDF
    assert row["title"] == "Sécurité incendie"
    erasure = privacy.erase_person(db, people["coord"], ids["arthur"], keep_attestations=True)
    assert erasure.summary["external_trainings"] == 1
    assert db.execute("SELECT COUNT(*) FROM external_trainings").fetchone()[0] == 0
    kept = [r for r in privacy.kept_attestations(db, "Arthur") if r["kind"] == "externe"]
    assert [(r["title"], r["subject_id"], r["detail"]["hours"]) for r in kept] == [
        ("Sécurité incendie", "m1", 14.0)
    ]


def test_a_backup_restores_the_proof_file(tmp_path, two_landlords):
    path = tmp_path / "progress.db"
    with open_db(path) as db:
        ids = two_landlords(db)
        record(db, accounts.get_person(db, ids["manager_a"]), ids["arthur"])
    copy = backup.backup(tmp_path / "sauvegarde.db", path)
    with open_db(path) as db:
        db.execute("DELETE FROM external_trainings")
        db.conn.commit()
    backup.restore(copy.path, path)
    with open_db(path) as db:
        (training,) = follow_up.external.for_person(db, ids["arthur"])
        assert follow_up.external.proof(db, training.id) == PDF
