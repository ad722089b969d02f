"""Guessing a join code from one phone: the lockout holds across a reload and a new tab.

A guest (no account) opens « Rejoindre une séance » from the link on the board, types wrong
codes until the lockout, then tries again in a reloaded page and in a new tab of the same
browser: still locked. Another phone on the same Wi-Fi is not.
"""

from __future__ import annotations

import pytest

from .browser import PHONE, click, expect, new_page, new_tab, open_app, reload, screenshot

pytestmark = pytest.mark.e2e

WRONG = "Ce code ne correspond à aucune séance en cours"
LOCKED = "Trop de codes erronés depuis cet appareil"


def try_code(phone, code: str) -> None:
    phone.get_by_label("Code de la séance").fill(code)
    phone.get_by_label("Votre prénom et votre nom").fill("Camille Essai")
    click(phone, phone.get_by_role("button", name="Rejoindre"))


def test_wrong_codes_lock_the_browser_not_just_the_tab(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as phone:
        open_app(phone, "/rejoindre")
        for attempt in range(5):
            try_code(phone, f"ZZZZZZZ{attempt}")
            expect(phone.get_by_text(WRONG)).to_be_visible()
        try_code(phone, "ZZZZZZZ9")
        expect(phone.get_by_text(LOCKED)).to_be_visible()

        reload(phone)
        try_code(phone, "ZZZZZZZ8")
        expect(phone.get_by_text(LOCKED)).to_be_visible()

        second = new_tab(phone)
        open_app(second, "/rejoindre")
        try_code(second, "ZZZZZZZ7")
        expect(second.get_by_text(LOCKED)).to_be_visible()
        screenshot(second, "join-locked-new-tab")

    with new_page(chromium_browser, proxi_server, PHONE) as neighbour:  # same address
        open_app(neighbour, "/rejoindre")
        try_code(neighbour, "ZZZZZZZ6")
        expect(neighbour.get_by_text(WRONG)).to_be_visible()
