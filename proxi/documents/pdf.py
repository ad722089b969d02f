"""A4 PDF proofs (fpdf2, no browser): the letterhead, blocks of text, tables, signatures, QR.

`ProofPdf` is the one page builder that attestations, certificates, attendance sheets and
connection records share, so they all carry the same letterhead (the organisation's name and
logo, the training provider), the same signature block and the same verification footer
(code + QR to `/verifier`). Text uses the PDF core fonts with the Windows-1252 encoding,
which covers French (é, œ, « », ’, —); any other character is reduced to its closest
Latin letter so that a name typed from another alphabet never breaks a document.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from fpdf import FPDF

from proxi.documents import verification

ENCODING = "windows-1252"
FONT = "helvetica"
PROVIDER_DEFAULT = "Proxi — formation des personnels de proximité"
# Latin letters that Unicode does not decompose into a base letter plus an accent.
UNDECOMPOSED = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h"})


@dataclass(frozen=True)
class Letterhead:
    organisation: str  # the learner's employer, printed top left
    logo: bytes | None  # its PNG or JPEG, if uploaded
    provider: str  # the training provider (« dispensateur de l'action »)
    signatory: str  # who signs for the provider

    @classmethod
    def of(cls, organisation: str, logo: bytes | None = None) -> Letterhead:
        """The provider and its signatory come from $PROXI_PROVIDER and $PROXI_SIGNATORY."""
        return cls(
            organisation,
            logo,
            os.environ.get("PROXI_PROVIDER", "").strip() or PROVIDER_DEFAULT,
            os.environ.get("PROXI_SIGNATORY", "").strip(),
        )


def printable(text: str) -> str:
    """Text the core fonts can draw: French as is, anything else folded to Latin."""
    out = []
    for char in str(text or ""):
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char.translate(UNDECOMPOSED))
            folded = plain.encode("ascii", "ignore").decode()
            out.append(folded or "?")
    return "".join(out)


class ProofPdf(FPDF):
    """A4 portrait, 18 mm margins, a page footer with the page number."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(printable(title))
        self.set_creator("Proxi")
        self.set_lang("fr")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, f"Page {self.page_no()}", align="R")
        self.set_text_color(0)

    # --- blocks -------------------------------------------------------------------------

    def letterhead(self, head: Letterhead) -> None:
        top = self.get_y()
        if head.logo:
            self.image(io.BytesIO(head.logo), x=self.l_margin, y=top, h=18, keep_aspect_ratio=True)
            self.set_xy(self.l_margin + 48, top)
        self.set_font(FONT, "B", 12)
        self.multi_cell(0, 6, printable(head.organisation or "Organisation non renseignée"))
        self.set_x(self.l_margin + (48 if head.logo else 0))
        self.set_font(FONT, size=9)
        self.multi_cell(0, 5, printable(f"Organisme de formation : {head.provider}"))
        self.set_y(max(self.get_y(), top + (20 if head.logo else 0)) + 6)

    def heading(self, text: str) -> None:
        self.set_font(FONT, "B", 17)
        self.multi_cell(0, 9, printable(text), align="C")
        self.ln(4)

    def paragraph(self, text: str, size: int = 11, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, printable(text))
        self.ln(2)

    def facts(self, pairs: list[tuple[str, str]]) -> None:
        """Label: value lines, labels in bold."""
        for label, value in pairs:
            self.set_font(FONT, "B", 11)
            self.write(6, printable(f"{label} : "))
            self.set_font(FONT, size=11)
            self.write(6, printable(value))
            self.ln(7)
        self.ln(1)

    def bullets(self, items: list[str]) -> None:
        self.set_font(FONT, size=11)
        for item in items:
            self.set_x(self.l_margin + 4)
            self.multi_cell(0, 5.5, printable(f"- {item}"))
        self.ln(2)

    def grid(
        self, header: list[str], rows: Sequence[Sequence[str | bytes]], widths: list[int]
    ) -> None:
        """A bordered table, its header repeated on each page; `widths` are relative.

        A cell given as bytes is an SVG picture: fpdf2 draws it as vector paths, scaled to
        the column's width (the row grows to its height)."""
        self.set_font(FONT, size=9)
        with self.table(
            col_widths=tuple(widths),
            line_height=5,
            text_align="LEFT",
            first_row_as_headings=True,
            repeat_headings=1,
        ) as grid:
            lines: list[Sequence[str | bytes]] = [header, *rows]
            for line in lines:
                grid_row = grid.row()
                for value in line:
                    if isinstance(value, bytes):
                        grid_row.cell(img=io.BytesIO(value))
                    else:
                        grid_row.cell(printable(value))
        self.ln(3)

    def signature_block(self, left: str, right: str) -> None:
        """Two boxes side by side: who signs on each side, with room for the signature."""
        if self.will_page_break(38):
            self.add_page()
        width = (self.epw - 8) / 2
        top = self.get_y() + 2
        for index, caption in enumerate((left, right)):
            x = self.l_margin + index * (width + 8)
            self.set_xy(x + 2, top + 2)
            self.set_font(FONT, size=9)
            self.multi_cell(width - 4, 4.5, printable(caption))
            self.rect(x, top, width, 34)
        self.set_y(top + 38)

    def verification(self, code: str) -> None:
        """The code in words and as a QR leading to /verifier, kept together on one page."""
        if self.will_page_break(30):
            self.add_page()
        url = verification.verify_url(code)
        top = self.get_y() + 2
        self.qr_code(url, self.l_margin, top, 26)
        self.set_xy(self.l_margin + 30, top + 2)
        self.set_font(FONT, "B", 10)
        self.multi_cell(0, 5, printable(f"Code de vérification : {verification.display(code)}"))
        self.set_x(self.l_margin + 30)
        self.set_font(FONT, size=9)
        self.multi_cell(
            0,
            4.5,
            printable(
                "Pour vérifier l'authenticité de ce document, scannez le code QR ou saisissez "
                f"le code sur {url.split('?')[0]}"
            ),
        )
        self.set_y(top + 30)

    def qr_code(self, url: str, x: float, y: float, width: float) -> None:
        """A QR code leading to `url`, `width` mm wide, its top left corner at (x, y)."""
        image = io.BytesIO()
        segno.make(url, error="m").save(image, kind="png", scale=6, border=2)
        image.seek(0)
        self.image(image, x=x, y=y, w=width)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
