"""The relevé de connexions: periods of activity read from the events, as CSV and PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from proxi.documents import verification
from proxi.documents.connections import connections_csv, connections_pdf
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import connections, store
from proxi.progress.db import open_db

TITLES = {"m1": "Accueillir", "m2": "Désamorcer"}
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Paris


@pytest.fixture
def learner():
    db = open_db(":memory:")
    org = accounts.create_organisation(db, OPERATOR, "Habitat A", "bailleur")
    alice = accounts.create_person(
        db, OPERATOR, "alice", "Alice Abri", "mot-de-passe-solide", organisation_id=org.id
    )
    steps = [  # module, minutes after START
        ("m1", 0), ("m1", 10), ("m1", 25),  # one period, 09:00-09:25
        ("m1", 80),  # 55 min later: a new period, one action
        ("m2", 24 * 60), ("m2", 24 * 60 + 29), ("m2", 24 * 60 + 58),  # gaps under 30 min
    ]  # fmt: skip
    for n, (module_id, minutes) in enumerate(steps):
        at = START + timedelta(minutes=minutes)
        store.record_step(db, alice.id, module_id, "l1", n, 20, ["l1"], now=at)
    return db, alice


def test_activity_closer_than_thirty_minutes_is_one_period(learner):
    db, alice = learner
    found = connections.periods(db, alice.id, ["m1", "m2"])
    assert [(p.module_id, p.actions, p.minutes) for p in found] == [
        ("m1", 3, 25),
        ("m1", 1, 1),  # a single action counts one minute
        ("m2", 3, 58),
    ]
    assert connections.total_minutes(found) == 84
    assert connections.periods(db, alice.id, ["m2"])[0].module_id == "m2"


def test_the_csv_opens_in_french_excel(learner):
    db, alice = learner
    data = connections_csv(db, alice.id, TITLES)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Personne;Module;Date;Début;Fin;Durée (min);Actions"
    assert lines[1] == "Alice Abri;Accueillir;02/03/2026;09:00;09:25;25;3"
    assert lines[3] == "Alice Abri;Désamorcer;03/03/2026;09:00;09:58;58;3"


def test_the_pdf_reads_back_and_its_code_verifies(learner):
    db, alice = learner
    pdf = connections_pdf(db, alice.id, TITLES)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Relevé de connexions" in text and "Personne : Alice Abri" in text
    assert "Période : du 02/03/2026 au 03/03/2026" in text
    assert "Durée totale d'activité : 1 h 24" in text
    assert "Accueillir 02/03/2026 09:00 09:25 25 3" in text
    assert "Accueillir : 26 min" in text and "Désamorcer : 58 min" in text
    code = text.split("Code de vérification : ")[1][:14]
    found = verification.verify(db, code)
    assert found.kind_label == "Relevé de connexions" and found.person_name == "Alice Abri"
    assert found.facts["Durée totale d'activité"] == "1 h 24"
    assert connections_pdf(db, alice.id, TITLES) and verification.verify(db, code)  # same code
    later = START + timedelta(days=3)
    store.record_step(db, alice.id, "m2", "l1", 9, 20, ["l1"], now=later)
    newer = PdfReader(io.BytesIO(connections_pdf(db, alice.id, TITLES))).pages[-1].extract_text()
    assert code not in " ".join(newer.split())  # more activity: a new version, a new code
