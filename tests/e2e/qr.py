"""What a phone's camera reads: the link in a QR code, as shown on screen or printed in a PDF.

The journeys that start from a QR code follow the link decoded from the code itself
(zxing-cpp), never one rebuilt from what the test knows: a code that is unreadable, cut by the
screen or pointing elsewhere fails the journey.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from .browser import expect


def read_qr(image: bytes) -> str:
    """The text of the one QR code in `image` (PNG or JPEG bytes)."""
    (text,) = _one(_qr_texts(image))
    return text


def qr_on_screen(page, name: str) -> str:
    """Scan the QR code whose alternative text is `name`, as the screen shows it now."""
    image = page.get_by_role("img", name=name)
    expect(image).to_be_in_viewport(ratio=1)  # all of it, without scrolling
    return read_qr(image.screenshot())


def qr_in_pdf_page(pdf_page) -> str:
    """Scan the one QR code printed on a page of a PDF (pypdf's page; other images pass)."""
    (text,) = _one([text for image in pdf_page.images for text in _qr_texts(image.data)])
    return text


def _qr_texts(image: bytes) -> list[str]:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    return [code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode]


def _one(texts: list[str]) -> list[str]:
    assert len(texts) == 1, f"{len(texts)} readable QR code(s) where one was expected: {texts}"
    return texts
