"""Émargement through the pages: the trainer opens a half-day, the phone draws its signature
and signs, the trainer notes times and countersigns, then a correction needs its reason.

AppTest cannot draw on the pad (a custom component): `read_pad` is replaced by what the
pad sends once a finger has drawn (Fabric.js JSON)."""

from __future__ import annotations

from pages import click, join, page, texts

from app_pages import signing_parts
from proxi import dates
from proxi.live import drawing, signing
from proxi.live import flow as live_flow
from proxi.live import sessions as live

SCRIBBLE = {
    "objects": [{"type": "Path", "path": [["M", 20, 80], ["Q", 60, 20, 100, 80], ["L", 200, 40]]}]
}


def day_console(console_world):
    db, trainer, learners = console_world
    session = live.create_session(
        db, trainer, "Journée", dates.today(), "journee", "", (), ["porte"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    coach = page("sessions.py", trainer, db)
    coach.session_state["console-tab"] = "Émargement"  # the trainer opens that tab
    return coach.run(), session, code


def test_the_console_has_one_sheet_per_half_day_and_the_phone_signs_once_opened(
    console_world, monkeypatch
):
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
    assert "Léa Martin" in texts(phone) and "Signez ici avec le doigt" in texts(phone)
    click(phone, "sign-matin")  # nothing drawn yet
    assert "Dessinez votre signature avant de signer." in texts(phone)
    phone.run()  # the phone polls every 2 s: the refusal stays until the next act
    assert "Dessinez votre signature avant de signer." in texts(phone)
    assert signing.sheet(db, session, "matin").signed == 0
    monkeypatch.setattr(signing_parts, "read_pad", lambda key: SCRIBBLE)
    phone.run()  # the pad sent its strokes: the refusal no longer holds
    assert "Dessinez votre signature avant de signer." not in texts(phone)
    click(phone, "sign-matin")
    assert not any(b.key == "sign-matin" for b in phone.button)
    assert any("Présence signée pour le matin, à" in c.value for c in phone.caption)
    coach.run()
    table = coach.dataframe[0]  # the morning's; the afternoon's follows
    assert table.value["Signature"].iloc[0].startswith("signé à ")
    assert "1 signature(s) sur 1 participant(s)" in "\n".join(c.value for c in coach.caption)
    (line,) = signing.sheet(db, session, "matin").lines
    assert line.drawing == drawing.from_pad([[[20, 80], [100, 80], [200, 40]]], 300, 150)


def test_a_crafted_pad_is_refused_in_french_and_clearing_mounts_a_blank_pad(
    console_world, monkeypatch
):
    db, _, _ = console_world
    coach, session, code = day_console(console_world)
    phone = join(page("join.py"), code, "Léa Martin")
    click(coach, "open-sheet-matin")
    phone.run()
    crafted = {"objects": [{"type": "Path", "path": [["M", float("nan"), 1]] * 3}]}
    monkeypatch.setattr(signing_parts, "read_pad", lambda key: crafted)
    click(phone, "sign-matin")
    assert "Signature illisible" in texts(phone) and not phone.exception
    keys = []
    monkeypatch.setattr(signing_parts, "read_pad", lambda key: keys.append(key))
    click(phone, "clear-matin")
    assert "Signature illisible" not in texts(phone)  # a blank pad, a fresh start
    click(phone, "sign-matin")
    assert set(keys) == {"pad-matin-1"}  # « Effacer » gave the pad a new key: a blank one
    assert "Dessinez votre signature avant de signer." in texts(phone)
    assert signing.sheet(db, session, "matin").signed == 0


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
