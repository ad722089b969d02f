"""Journey: a trainer runs a one-day session with three phones; each phone signs the morning
and the afternoon (drawing a signature on the pad with a finger first, touch events as a
phone sends them: signing on an empty pad is refused), the trainer notes a late arrival and countersigns both half-days, and the
two PDF sheets download and read back right, each signature drawn in its row. Taps and typing only after the login page; the
phones arrive by the QR code's link (a link someone is sent). Screenshots go to
test-artifacts/screenshots/emargement-*.png."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from .browser import (
    DESKTOP,
    PHONE,
    click,
    click_in_fragment,
    expect,
    finger_stroke,
    log_in,
    main,
    new_page,
    open_app,
    screenshot,
)
from .steps import choose, expand, pick

pytestmark = pytest.mark.e2e

TITLE = "Journée test — émargement"
PHONES = ("Awa Diallo", "Marc Petit", "Léa Martin")
POLL_MS = 6_000  # phones poll every 2 s
PAD_DEBOUNCE_MS = 200  # streamlit-drawable-canvas sends a drawing this long after the lift


def create_day_session(trainer) -> str:
    click(trainer, trainer.get_by_test_id("stSidebarNav").get_by_role("link", name="Séances"))
    expand(trainer, "Nouvelle séance")
    trainer.get_by_label("Titre").fill(TITLE)
    trainer.get_by_text("Journée", exact=True).click()
    pick(trainer, "Mises en situation", "Du bruit la nuit")
    click(trainer, trainer.get_by_role("button", name="Créer la séance"))
    click(trainer, trainer.get_by_role("button", name="Ouvrir la séance"))
    code_line = main(trainer).get_by_text("Code à projeter")
    expect(code_line).to_be_visible()
    return re.search(r"Code à projeter : (\S+)", code_line.inner_text()).group(1)


def join_by_the_link(phone, code: str, name: str) -> None:
    open_app(phone, f"/rejoindre?code={code.replace('-', '')}")
    phone.get_by_label("Votre prénom et votre nom").fill(name)
    click(phone, phone.get_by_role("button", name="Rejoindre", exact=True))
    expect(phone.get_by_role("heading", name=TITLE)).to_be_visible()


def draw_signature(phone) -> None:
    """A zigzag across the pad, with a finger. The pad sends its drawing 200 ms after
    the finger lifts (the package debounces); a tap before that would carry the pad as it
    was (here: empty). The phone polls, so a run after the lift proves nothing: wait out
    the debounce, then for the run it causes."""
    pad = phone.locator("canvas.upper-canvas").first
    expect(pad).to_be_visible()
    box = pad.bounding_box()
    middle = box["y"] + box["height"] / 2
    finger_stroke(
        phone, [(box["x"] + 20 + step * 5, middle + 30 * ((step // 2) % 2 * 2 - 1))
                for step in range(50)]
    )  # fmt: skip
    phone.wait_for_timeout(PAD_DEBOUNCE_MS + 100)
    runs = phone.runs
    before = runs.total + runs.fragment_runs
    runs.wait_until(lambda: runs.total + runs.fragment_runs > before, "the pad's drawing")


def sign(phone, name: str, half_day: str, refused_first: bool = False) -> None:
    """The certification appears by itself (the phone polls) under the pad; a signature is
    drawn, then one tap signs it."""
    certify = phone.get_by_role("button", name=re.compile(rf"^Je certifie .* {half_day}\.$"))
    expect(certify).to_be_visible(timeout=POLL_MS)
    expect(phone.get_by_text(f"— {name}")).to_be_visible()  # who signs, beside the button
    expect(phone.get_by_text("Signez ici avec le doigt", exact=False)).to_be_visible()
    if refused_first:  # a tap on the sentence with nothing drawn
        click_in_fragment(phone, certify)
        expect(phone.get_by_text("Dessinez votre signature avant de signer.")).to_be_visible()
    draw_signature(phone)
    if refused_first:  # drawn: « Dessinez… » no longer holds and goes
        expect(phone.get_by_text("Dessinez votre signature avant de signer.")).to_have_count(0)
        screenshot(phone, "emargement-phone-pad-drawn")
    click_in_fragment(phone, certify)
    the = "le matin" if half_day == "matin" else "l'après-midi"
    expect(phone.get_by_text(f"✓ Présence signée pour {the}, à", exact=False)).to_be_visible()
    expect(certify).to_have_count(0)


def tap(trainer, name: str) -> None:
    """A button of a half-day's sheet (a fragment): it reruns alone, or the whole page when
    the sheet opens or closes (its polling starts or stops)."""
    runs = trainer.runs
    before = runs.total + runs.fragment_runs
    trainer.get_by_role("button", name=name, exact=True).click()
    runs.wait_until(lambda: runs.total + runs.fragment_runs > before, f"« {name} » to finish")


def download_sheet(trainer, of: str) -> bytes:
    with trainer.expect_download() as done:
        trainer.get_by_role("button", name=f"Télécharger la feuille {of} (PDF)").click()
    return done.value.path().read_bytes()


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_three_phones_sign_both_half_days_and_the_sheets_read_back(proxi_server, chromium_browser):
    with (
        new_page(chromium_browser, proxi_server, DESKTOP) as trainer,
        new_page(chromium_browser, proxi_server, PHONE, touch=True) as awa,
        new_page(chromium_browser, proxi_server, PHONE, touch=True) as marc,
        new_page(chromium_browser, proxi_server, PHONE, touch=True) as lea,
    ):
        phones = (awa, marc, lea)
        log_in(trainer, "formatrice")
        code = create_day_session(trainer)
        for phone, name in zip(phones, PHONES, strict=True):
            join_by_the_link(phone, code, name)
        click(trainer, trainer.get_by_role("tab", name="Émargement"))

        for half_day, of in (("matin", "du matin"), ("après-midi", "de l'après-midi")):
            tap(trainer, f"Ouvrir la signature {of} sur les téléphones")
            for phone, name in zip(phones, PHONES, strict=True):
                sign(phone, name, half_day, refused_first=phone is awa and half_day == "matin")
            screenshot(awa, f"emargement-phone-signed-{half_day}")
            if half_day == "matin":  # Marc arrived at 9:40: noted before countersigning
                form = trainer.get_by_test_id("stForm").filter(has_text="Arrivée à").first
                choose(trainer, form.get_by_label("Participant·e"), "Marc Petit")
                form.get_by_label("Arrivée à").fill("9h40")
                click_in_fragment(
                    trainer, form.get_by_role("button", name="Enregistrer les heures")
                )
                grid = trainer.get_by_test_id("stDataFrame").first  # draws on a canvas:
                grid.scroll_into_view_if_needed()  # its accessible cells are those on screen
                expect(grid.locator("td").filter(has_text="09:40")).to_be_attached()
            signed = main(trainer).get_by_text("3 signature(s) sur 3 participant(s)")
            expect(signed.first).to_be_visible(timeout=POLL_MS)  # the console follows by itself
            tap(trainer, f"Contresigner la feuille {of}")
            expect(
                main(trainer).get_by_text("Contresignée par Nadia Benali", exact=False).first
            ).to_be_visible()
        screenshot(trainer, "emargement-console-countersigned")

        morning_pdf = download_sheet(trainer, "du matin")
        afternoon_pdf = download_sheet(trainer, "de l'après-midi")
        morning, afternoon = pdf_text(morning_pdf), pdf_text(afternoon_pdf)
        for text, label in ((morning, "matin"), (afternoon, "après-midi")):
            assert re.search(rf"Feuille d'émargement — \d\d/\d\d/\d{{4}}, {label}", text)
            assert "Présences signées : 3 sur 3" in text
            assert all(name in text for name in PHONES)
            assert text.count("signé à ") == 3
        for pdf in (morning_pdf, afternoon_pdf):  # three drawn signatures: three strokes
            content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
            strokes = re.findall(rb"\d m(?:\s+[-\d.]+ [-\d.]+ l)+\s+S", content)
            assert len(strokes) >= 3
            assert "Contresignée par Nadia Benali" in text and "Code de vérification" in text
        assert "09:40" in morning and "09:40" not in afternoon
