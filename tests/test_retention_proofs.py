"""Retention of proofs on a simulated clock: a purge run at each side of each period keeps
everything a proof needs until its period ends (3 years the relevé de connexions, 6 the
émargement, 10 the attestations and training done elsewhere) and nothing after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from proxi.cli import main
from proxi.dates import today
from proxi.documents import verification
from proxi.documents.connections import connections_pdf
from proxi.documents.emargement import sheet_pdf
from proxi.live import drawing, signing
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.ops import privacy, retention
from proxi.people import accounts, follow_up
from proxi.people.permissions import OPERATOR
from proxi.progress import connections, external, store
from proxi.progress.db import open_db

PRIVACY_PAGE = str(Path(__file__).parent.parent / "app_pages" / "privacy.py")
T0 = datetime.now(UTC)  # the world is made now; the purges run years later
TITLES = {"m1": "Module 1"}
PERIODS = {"connections": 3, "attendance": 6, "certificates": 10}
# What each period keeps, as `proofs` reads it.
KEEPS = {
    "connections": ("relevé", "code du relevé"),
    "attendance": ("signatures", "signatures dessinées", "retards", "feuilles", "noms en séance", "code d'émargement",
                   "journal d'émargement", "présences"),
    "certificates": ("code d'attestation", "résultats", "formation suivie ailleurs", "preuve",
                     "attestation gardée"),
}  # fmt: skip


def learn(db, person_id: int) -> None:
    """Two sittings on module m1, an hour apart, ending with the quiz passed."""
    for sitting in (T0 - timedelta(hours=2), T0 - timedelta(minutes=50)):
        for step in range(2):
            store.record_step(db, person_id, "m1", "l1", step, 2, ["l1"], now=sitting)
    store.record_quiz(db, person_id, "m1", 9, 10, 70, ["l1"], now=T0 - timedelta(minutes=40))


@pytest.fixture
def world(make_people):
    """A learner's module with its relevé, a countersigned and corrected émargement, an
    attestation, a training done elsewhere, and an erased colleague's kept attestation."""
    db = open_db(":memory:")
    org, trainer, (learner, colleague, _) = make_people(db)
    coordinator = accounts.create_person(db, OPERATOR, "coord", "Coord", "motdepasse-123",
                                         roles=["coordinator"])  # fmt: skip
    learn(db, learner.id)
    learn(db, colleague.id)
    session = live.create_session(
        db, trainer, "Tensions", today(), "matin", "Salle", [org.id], ["p"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    phone = live_room.join(db, code, person=learner, device="téléphone")
    signing.open_sheet(db, trainer, session.id, "matin")
    signing.sign(db, phone.token, "matin", "téléphone",
                 drawing=drawing.from_pad([[[10, 10], [200, 90]]], 340, 160))  # fmt: skip
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:10")
    signing.countersign(db, trainer, session.id, "matin")
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:20",
                      reason="erreur de saisie")  # fmt: skip
    sheet_pdf(db, live.get_session(db, session.id), "matin")
    connections_pdf(db, learner.id, TITLES)
    verification.issue(db, "attestation", learner.id, "m1", "Module 1", {})
    follow_up.record_training(
        db, coordinator, learner.id, title="Sécurité incendie", provider="Institut du feu",
        started_on=today() - timedelta(days=2), ended_on=today() - timedelta(days=1),
        hours="7", module_id=None, proof=follow_up.Proof("preuve.pdf", b"%PDF-1.4\n%%EOF"),
    )  # fmt: skip
    privacy.erase_person(db, coordinator, colleague.id, keep_attestations=True)
    return db, learner


def count(db, sql: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {sql}").fetchone()[0]


def codes(db, kind: str) -> list:
    rows = db.execute(
        "SELECT code FROM document_codes WHERE kind = :kind", {"kind": kind}
    ).fetchall()
    return [verification.verify(db, row[0]) is not None for row in rows]


def proofs(db, learner) -> dict[str, object]:
    trainings = external.for_person(db, learner.id)
    return {
        "relevé": connections.periods(db, learner.id),
        "code du relevé": codes(db, "connexions"),
        "signatures": count(db, "live_signatures"),
        "signatures dessinées": count(db, "live_signatures WHERE drawing IS NOT NULL"),
        "retards": count(db, "live_presence WHERE arrived_late != ''"),
        "feuilles": count(db, "live_sheets"),
        "noms en séance": count(db, "live_participants WHERE person_id IS NOT NULL"),
        "code d'émargement": codes(db, "emargement"),
        "journal d'émargement": count(db, "audit_log WHERE action LIKE 'attendance.%'"),
        "présences": count(db, "events WHERE verb = 'attended'"),
        "code d'attestation": codes(db, "attestation"),
        "résultats": count(db, "events WHERE verb IN ('completed', 'passed')"),
        "formation suivie ailleurs": [t.title for t in trainings],
        "preuve": [external.proof(db, t.id) for t in trainings],
        "attestation gardée": count(db, "kept_attestations"),
    }


def later(years: int, days: int) -> datetime:
    return retention.years_before(T0, -years) + timedelta(days=days)


def test_each_proof_is_kept_for_its_period_and_removed_after_it(world):
    db, learner = world
    made = proofs(db, learner)
    assert all(made.values()), made  # the world has every kind of proof
    assert len(made["relevé"]) == 2  # two sittings
    clocks = [later(0, 729), later(0, 731)] + [
        later(years, side) for years in sorted(PERIODS.values()) for side in (-2, 2)
    ]
    for clock in clocks:
        retention.purge(db, now=clock)
        found = proofs(db, learner)
        for kind, years in PERIODS.items():
            expired = clock > later(years, 0)
            for name in KEEPS[kind]:
                if expired:
                    assert not found[name], (clock, name, found[name])
                else:
                    assert found[name] == made[name], (clock, name)


def test_the_detail_goes_after_two_years_but_the_relevé_stays_whole(world):
    db, learner = world
    before = connections.periods(db, learner.id)
    detail = "events WHERE verb NOT IN ('completed', 'passed', 'attended', 'ended')"
    assert count(db, detail) > 0
    retention.purge(db, now=later(0, 731))
    assert count(db, detail) == 0
    assert count(db, "kept_activity") > 0  # times only: person, module, instant
    assert connections.periods(db, learner.id) == before
    assert connections_pdf(db, learner.id, TITLES)  # the PDF still reads


def test_longer_periods_from_the_environment_keep_the_proofs_longer(world, monkeypatch):
    db, learner = world
    monkeypatch.setenv("PROXI_RETENTION_ATTENDANCE_YEARS", "8")
    monkeypatch.setenv("PROXI_RETENTION_CONNECTIONS_YEARS", "7")
    made = proofs(db, learner)
    retention.purge(db, now=later(6, 2))
    found = proofs(db, learner)
    assert found["signatures"] == made["signatures"] and found["relevé"] == made["relevé"]
    retention.purge(db, now=later(8, 2))
    assert proofs(db, learner)["signatures"] == 0


@pytest.mark.parametrize("typed", ["dix ans", "0", "-3", "6.5"])
def test_a_period_that_is_not_a_whole_number_of_years_deletes_nothing(world, monkeypatch, typed):
    db, learner = world
    monkeypatch.setenv("PROXI_RETENTION_CERTIFICATES_YEARS", typed)
    made = proofs(db, learner)
    with pytest.raises(retention.RetentionError, match="nombre entier d'années, au moins 1"):
        retention.purge(db, now=later(11, 0))
    assert proofs(db, learner) == made


def test_the_periods_and_their_defaults():
    assert retention.periods() == retention.Periods(730, 3, 6, 10)
    assert retention.years_before(datetime(2028, 2, 29, tzinfo=UTC), 3) == datetime(
        2025, 2, 28, tzinfo=UTC
    )


def test_the_purge_command_says_what_proofs_went(tmp_path, capsys, make_people):
    path = tmp_path / "progress.db"
    with open_db(path) as db:
        _, _, (learner, *_) = make_people(db)
        for years in (11, 9):  # one attestation past its ten years, one within them
            issued = retention.years_before(T0, years)
            verification.issue(db, "attestation", learner.id, f"m{years}", "Module", {}, issued)
    assert main(["purge", "--db", str(path)]) == 0
    assert "attestations et formations suivies ailleurs 1," in capsys.readouterr().out
    with open_db(path) as db:
        assert [row[0] for row in db.execute("SELECT subject_id FROM document_codes")] == ["m9"]


def test_the_privacy_page_states_the_proof_periods(monkeypatch):
    monkeypatch.setenv("PROXI_RETENTION_ATTENDANCE_YEARS", "8")
    at = AppTest.from_file(PRIVACY_PAGE, default_timeout=30).run()
    text = "\n".join(m.value for m in at.markdown)
    assert "le relevé de vos connexions **3 ans**, les feuilles d'émargement **8 ans**" in text
    assert "formations suivies ailleurs **10 ans**" in text
    monkeypatch.setenv("PROXI_RETENTION_ATTENDANCE_YEARS", "huit")
    at = AppTest.from_file(PRIVACY_PAGE, default_timeout=30).run()
    assert not at.exception
    assert "gardées plus longtemps, puis supprimées." in "\n".join(m.value for m in at.markdown)
