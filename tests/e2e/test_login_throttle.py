"""Someone who knows a colleague's identifier types wrong passwords on the login page, from
their own phone, until Proxi blocks that phone; the colleague, on hers, on the same network
(the same address), still logs in. Screenshots: test-artifacts/screenshots/throttle-*.png."""

from __future__ import annotations

import re

import pytest

from .browser import PHONE, click, expect, log_in, main, new_page, open_app, screenshot

pytestmark = pytest.mark.e2e

OWNER, OWNER_NAME = "moussa.diarra", "Moussa Diarra"
ANSWER = re.compile(r"Identifiant ou mot de passe incorrect|Patientez|Trop de tentatives")
MAX_TRIES = 20


def try_password(page, password: str) -> str:
    """Type the owner's identifier and `password`, tap « Se connecter »: the answer read."""
    page.get_by_label("Identifiant").fill(OWNER)
    page.get_by_label("Mot de passe").fill(password)
    click(page, page.get_by_role("button", name="Se connecter"))
    answer = main(page).get_by_text(ANSWER)
    expect(answer).to_be_visible()
    return answer.inner_text()


def test_wrong_passwords_block_the_attackers_phone_not_the_owners(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as attacker:
        open_app(attacker, "/")
        for attempt in range(MAX_TRIES):
            answer = try_password(attacker, f"pas-le-sien-{attempt}")
            if answer.startswith("Trop de tentatives"):
                break
            wait = re.match(r"Patientez (\d+) secondes", answer)
            if wait:  # as a person would: wait as long as asked, then try again
                attacker.wait_for_timeout(int(wait.group(1)) * 1000)
        assert answer.startswith("Trop de tentatives. Réessayez dans 15 minutes."), answer
        assert "Demandez à votre manager ou à la coordination un lien" in answer
        screenshot(attacker, "throttle-1-attacker-blocked-phone")
        # Blocked means blocked: even the right password is not checked from this phone.
        right = try_password(attacker, "proxi-demo-2026")
        assert right.startswith("Trop de tentatives"), right

    with new_page(chromium_browser, proxi_server, PHONE) as owner:  # her phone, same network
        log_in(owner, OWNER)
        expect(main(owner).get_by_role("heading", name=f"Bonjour {OWNER_NAME}")).to_be_visible()
        screenshot(owner, "throttle-2-owner-logged-in-phone")
