"""Émargement per half-day: phone signatures, late and early times, countersignature, audit."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from proxi.documents import verification
from proxi.documents.emargement import NOT_DRAWN, sheet_pdf
from proxi.live import drawing, signing
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.ops import privacy
from proxi.people import accounts, audit
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db

MORNING = datetime(2026, 3, 12, 8, 30, tzinfo=UTC)  # 09:30 in Paris
AFTERNOON = datetime(2026, 3, 12, 13, 15, tzinfo=UTC)  # 14:15
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile"
PAD = (340, 160)
LOOP = drawing.from_pad([[[20, 120], [120, 20], [220, 120], [320, 20]]], *PAD)
LINE = drawing.from_pad([[[20, 80], [320, 80]]], *PAD)


@pytest.fixture
def day_room(make_people):
    """A one-day session (morning and afternoon sheets), open, with three learners."""
    db = open_db(":memory:")
    org, trainer, learners = make_people(db)
    session = live.create_session(
        db, trainer, "Journée tensions", date(2026, 3, 12), "journee", "Salle 2", [org.id], ["p"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    return db, trainer, learners, session.id, code


def sheet(db, session_id, half_day):
    return signing.sheet(db, live.get_session(db, session_id), half_day)


def coordinator(db):
    return accounts.create_person(
        db, OPERATOR, "coord", "Coord", "motdepasse-123", roles=["coordinator"]
    )


def test_a_day_session_has_two_sheets_a_half_day_session_one(day_room, room):
    db, trainer, _, session_id, _ = day_room
    assert live.get_session(db, session_id).half_days == ("matin", "apres-midi")
    assert live.get_session(db, session_id).label == "12/03/2026 (journée) — Journée tensions"
    half_db, half_trainer, _, half_id, _ = room
    assert live.get_session(half_db, half_id).half_days == ("matin",)
    with pytest.raises(live.LiveError, match="que pour : matin"):
        signing.open_sheet(half_db, half_trainer, half_id, "apres-midi")


def test_each_phone_signs_each_half_day_once_with_its_time_and_device(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    phones = join_all(db, code, learners[:2], guests=["Zoé Invitée"])
    me = live_room.participant_for(db, phones[0].token)
    assert signing.to_sign(db, me) == []
    signing.open_sheet(db, trainer, session_id, "matin", now=MORNING)
    assert signing.to_sign(db, me) == ["matin"]
    for phone in phones:
        signing.sign(db, phone.token, "matin", PHONE, now=MORNING)
    signing.sign(db, phones[0].token, "matin", "autre appareil", now=AFTERNOON)
    assert signing.to_sign(db, me) == []
    morning = sheet(db, session_id, "matin")
    assert morning.signed == 3
    assert [line.signed_at[:16] for line in morning.lines] == ["2026-03-12T08:30"] * 3
    assert {line.device for line in morning.lines} == {PHONE}
    assert sheet(db, session_id, "apres-midi").signed == 0


def test_the_drawn_signature_is_stored_and_signing_again_keeps_the_first(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    drawn, tapped = join_all(db, code, learners[:2])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, drawn.token, "matin", PHONE, now=MORNING, drawing=LOOP)
    signing.sign(db, drawn.token, "matin", "autre", now=AFTERNOON, drawing=LINE)
    signing.sign(db, tapped.token, "matin", PHONE, now=MORNING)  # before the pad: no drawing
    first, second = sheet(db, session_id, "matin").lines
    assert first.drawing == LOOP and first.signed_at.startswith("2026-03-12T08:30")
    assert second.drawing is None and second.signed_at
    signing.countersign(db, trainer, session_id, "matin")
    with pytest.raises(live.LiveError, match="pas ouverte"):
        signing.sign(db, tapped.token, "matin", PHONE, drawing=LINE)
    assert sheet(db, session_id, "matin").lines[1].drawing is None


def test_no_signature_before_the_sheet_opens_or_after_the_countersignature(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    early, late = join_all(db, code, learners[:2])
    with pytest.raises(live.LiveError, match="pas ouverte"):
        signing.sign(db, early.token, "matin", PHONE)
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, early.token, "matin", PHONE)
    signing.countersign(db, trainer, session_id, "matin")
    with pytest.raises(live.LiveError, match="pas ouverte"):
        signing.sign(db, late.token, "matin", PHONE)
    assert signing.to_sign(db, live_room.participant_for(db, late.token)) == []
    with pytest.raises(live.LiveError, match="déjà contresignée"):
        signing.countersign(db, trainer, session_id, "matin")
    closed = sheet(db, session_id, "matin")
    assert closed.closed and closed.countersigned_by == "Claire Formatrice" and closed.signed == 1


def test_a_sheet_cannot_be_countersigned_before_it_is_opened(day_room):
    db, trainer, _, session_id, _ = day_room
    with pytest.raises(live.LiveError, match="n'a pas été ouverte"):
        signing.countersign(db, trainer, session_id, "apres-midi")


def test_a_pass_from_nowhere_cannot_sign(day_room):
    db, trainer, _, session_id, _ = day_room
    signing.open_sheet(db, trainer, session_id, "matin")
    with pytest.raises(live.LiveError, match="rejoignez-la"):
        signing.sign(db, "not-a-pass", "matin", PHONE)


def test_late_arrival_and_early_departure_are_noted_per_half_day(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9h40")
    signing.set_times(db, trainer, phone.participant_id, "apres-midi", left_early="16:5")
    assert (sheet(db, session_id, "matin").lines[0].arrived_late) == "09:40"
    afternoon = sheet(db, session_id, "apres-midi").lines[0]
    assert (afternoon.arrived_late, afternoon.left_early) == ("", "16:05")


@pytest.mark.parametrize("typed", ["neuf heures", "25:00", "9:75", "9h400"])
def test_an_unreadable_time_is_refused_in_french_and_nothing_changes(day_room, typed, join_all):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:40")
    with pytest.raises(live.LiveError, match="Heure illisible"):
        signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late=typed)
    assert sheet(db, session_id, "matin").lines[0].arrived_late == "09:40"


def test_a_correction_after_countersigning_needs_a_reason_and_is_audited(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:40")
    signing.countersign(db, trainer, session_id, "matin")
    with pytest.raises(live.LiveError, match="motif"):
        signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:50")
    assert sheet(db, session_id, "matin").lines[0].arrived_late == "09:40"
    signing.set_times(
        db, trainer, phone.participant_id, "matin", arrived_late="9:50", reason="erreur de saisie"
    )
    assert sheet(db, session_id, "matin").lines[0].arrived_late == "09:50"
    reader = coordinator(db)
    (entry,) = audit.entries(db, reader, actions=("attendance.correct",))
    assert entry.target_id == learners[0].id and entry.actor_id == trainer.id
    assert entry.details["before"] == ["09:40", ""] and entry.details["after"] == ["09:50", ""]
    assert entry.details["reason"] == "erreur de saisie"
    (signed,) = audit.entries(db, reader, actions=("attendance.countersign",))
    assert signed.details == {"half_day": "matin"}


def test_before_the_countersignature_times_change_without_an_audit_entry(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:40")
    signing.set_times(db, trainer, phone.participant_id, "matin", arrived_late="9:45")
    assert audit.entries(db, coordinator(db), actions=("attendance.correct",)) == []


def test_only_the_trainer_opens_countersigns_and_corrects(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    with pytest.raises(live.NotTheTrainer):
        signing.open_sheet(db, learners[0], session_id, "matin")
    signing.open_sheet(db, trainer, session_id, "matin")
    with pytest.raises(live.NotTheTrainer):
        signing.countersign(db, learners[0], session_id, "matin")
    with pytest.raises(live.NotTheTrainer):
        signing.set_times(db, learners[0], phone.participant_id, "matin", arrived_late="9:00")


def test_merging_two_lines_keeps_one_signature_and_removing_a_line_drops_its_own(
    day_room, join_all
):
    db, trainer, learners, session_id, code = day_room
    account, other, guest = join_all(db, code, learners[:2], guests=["Agent Zéro"])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, guest.token, "matin", "guest phone", now=MORNING)
    signing.sign(db, account.token, "matin", PHONE, now=AFTERNOON)
    live_room.merge_participants(db, trainer, account.participant_id, guest.participant_id, {})
    live_room.remove_participant(db, trainer, other.participant_id)
    (line,) = sheet(db, session_id, "matin").lines
    assert line.participant.id == account.participant_id and line.device == PHONE


# --- The PDF sheet ----------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_three_phones_sign_morning_and_afternoon_and_the_sheets_read_back(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    phones = join_all(db, code, learners[:2], guests=["Zoé Invitée"])
    for half_day, moment in (("matin", MORNING), ("apres-midi", AFTERNOON)):
        signing.open_sheet(db, trainer, session_id, half_day, now=moment)
        for phone in phones[: 3 if half_day == "matin" else 2]:
            signing.sign(db, phone.token, half_day, PHONE, now=moment)
    signing.set_times(db, trainer, phones[1].participant_id, "apres-midi", left_early="16h30")
    signing.countersign(db, trainer, session_id, "matin", now=MORNING.replace(hour=11))
    session = live.get_session(db, session_id)
    morning = pdf_text(sheet_pdf(db, session, "matin"))
    afternoon = pdf_text(sheet_pdf(db, session, "apres-midi"))
    assert "Feuille d'émargement — 12/03/2026, matin" in morning
    assert "Je certifie avoir été présent·e le 12/03/2026 matin." in morning
    assert "Agent 0" in morning and "Zoé Invitée (sans compte)" in morning
    assert morning.count("signé à 09:30") == 3 and "Pixel 8" in morning
    assert "Présences signées : 3 sur 3" in morning
    assert "Contresignée par Claire Formatrice, à 12:30." in morning
    assert "Présences signées : 2 sur 3" in afternoon and afternoon.count("signé à 14:15") == 2
    assert "16:30" in afternoon and "16:30" not in morning
    assert "pas encore contresignée" in afternoon and "Code de vérification" not in afternoon
    code_text = morning.split("Code de vérification : ")[1][:14]
    verified = verification.verify(db, code_text)
    assert verified.kind_label == "Feuille d'émargement" and verified.title == "Journée tensions"
    assert verified.facts["Date"] == "12/03/2026, matin" and verified.person_name == ""


def test_a_signature_on_another_day_shows_its_date(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, phone.token, "matin", PHONE, now=datetime(2026, 3, 13, 7, 5, tzinfo=UTC))
    text = pdf_text(sheet_pdf(db, live.get_session(db, session_id), "matin"))
    assert "signé le 13/03/2026 à 08:05" in text


def test_a_persons_signatures_are_in_their_data_export_and_erasure_keeps_the_sheet(
    day_room, join_all
):
    db, trainer, learners, session_id, code = day_room
    (phone,) = join_all(db, code, learners[:1])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, phone.token, "matin", PHONE, now=MORNING, drawing=LOOP)
    signing.countersign(db, trainer, session_id, "matin")
    (row,) = privacy.export_person(db, learners[0].id)["tables"]["live_signatures"]
    assert row["half_day"] == "matin" and row["device"] == PHONE
    assert row["drawing"] == json.loads(LOOP.to_json())  # the drawn signature is theirs
    privacy.erase_person(db, OPERATOR, trainer.id)
    closed = sheet(db, session_id, "matin")
    assert closed.signed == 1 and closed.countersigned_by == privacy.ANONYMOUS_NAME
    assert closed.lines[0].drawing == LOOP  # the sheet is a proof: it keeps its signatures


def test_each_drawn_signature_is_drawn_in_its_row_of_the_pdf(day_room, join_all, tmp_path):
    db, trainer, learners, session_id, code = day_room
    drawn, tapped = join_all(db, code, learners[:2])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, drawn.token, "matin", PHONE, now=MORNING, drawing=LOOP)
    signing.sign(db, tapped.token, "matin", PHONE, now=MORNING)  # signed before the pad
    pdf = sheet_pdf(db, live.get_session(db, session_id), "matin")
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "et dessiné sa signature" in text and text.count("signé à 09:30, Linux") == 2
    assert text.count(NOT_DRAWN) == 1  # the tapped line says why its box has no strokes
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    # the loop's four points, one stroke: a move then three lines, stroked (S)
    strokes = re.findall(
        r"(?:[-\d.]+ [-\d.]+ m)(?: [-\d.]+ [-\d.]+ l){3} S", " ".join(content.split())
    )
    assert len(strokes) == 1, content


def test_an_erased_person_leaves_no_drawing_and_no_device_on_the_sheet(day_room, join_all):
    db, trainer, learners, session_id, code = day_room
    (drawn,) = join_all(db, code, learners[:1])
    signing.open_sheet(db, trainer, session_id, "matin")
    signing.sign(db, drawn.token, "matin", PHONE, now=MORNING, drawing=LOOP)
    privacy.erase_person(db, OPERATOR, learners[0].id)
    (line,) = sheet(db, session_id, "matin").lines
    assert line.signed_at.startswith("2026-03-12T08:30")  # it was signed, and when
    assert line.drawing is None and line.device == ""
