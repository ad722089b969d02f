"""Émargement through the pages: the trainer opens a half-day, the phone signs, the trainer
notes times and countersigns, then a correction needs its reason."""

from __future__ import annotations

from datetime import date

from pages import click, join, page, texts

from proxi.live import flow as live_flow
from proxi.live import sessions as live
from proxi.live import signing


def day_console(console_world):
    db, trainer, learners = console_world
    session = live.create_session(
        db, trainer, "Journée", date.today(), "journee", "", (), ["porte"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    coach = page("sessions.py", trainer, db)
    coach.session_state["console-tab"] = "Émargement"  # the trainer opens that tab
    return coach.run(), session, code


def test_the_console_has_one_sheet_per_half_day_and_the_phone_signs_once_opened(console_world):
    db, trainer, _ = console_world
    coach, session, code = day_console(console_world)
    assert [h.value for h in coach.subheader][:2] == ["Feuille du matin", "Feuille de l'après-midi"]
    phone = join(page("join.py"), code, "Léa Martin")
    assert not any(b.key and b.key.startswith("sign-") for b in phone.button)
    click(coach, "open-sheet-matin")
    assert not coach.exception
    phone.run()
    certify = phone.button(key="sign-matin")
    assert certify.label == signing.certification(session, "matin")
    assert "Léa Martin" in texts(phone)
    click(phone, "sign-matin")
    assert not any(b.key == "sign-matin" for b in phone.button)
    assert any("Présence signée pour le matin, à" in c.value for c in phone.caption)
    coach.run()
    table = coach.dataframe[0]  # the morning's; the afternoon's follows
    assert table.value["Signature"].iloc[0].startswith("signé à ")
    assert "1 signature(s) sur 1 participant(s)" in "\n".join(c.value for c in coach.caption)


def test_times_countersignature_and_a_correction_that_needs_its_reason(console_world):
    db, trainer, _ = console_world
    coach, session, code = day_console(console_world)
    join(page("join.py"), code, "Léa Martin")
    click(coach, "open-sheet-matin")
    coach.text_input(key="late-matin").input("midi")
    click(coach, "save-times-matin")
    assert "Heure illisible : « midi »" in texts(coach)
    assert coach.text_input(key="late-matin").value == "midi"  # kept to correct it
    coach.text_input(key="late-matin").input("9h40")
    click(coach, "save-times-matin")
    assert coach.dataframe[0].value["Arrivée tardive"].iloc[0] == "09:40"
    click(coach, "countersign-matin")
    assert "Contresignée par Claire Formatrice" in "\n".join(c.value for c in coach.caption)
    assert not any(b.key == "countersign-matin" for b in coach.button)
    coach.text_input(key="late-matin").input("9h50")
    click(coach, "save-times-matin")
    assert "indiquez le motif" in texts(coach)
    coach.text_input(key="reason-matin").input("erreur de saisie")
    click(coach, "save-times-matin")
    assert coach.dataframe[0].value["Arrivée tardive"].iloc[0] == "09:50"
    labels = [b.proto.label for b in coach.get("download_button")]
    assert "Télécharger la feuille du matin (PDF)" in labels
    assert "Télécharger la feuille de l'après-midi (PDF)" not in labels  # not opened yet
