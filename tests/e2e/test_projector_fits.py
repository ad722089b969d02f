"""Every projector state fits one screen: no element's box leaves a 1920×1080 or a 1280×720
viewport, for the longest decision of every shipped scenario (scene, vote open, « Arrêt sur
image », result revealed), the longest ending, the waiting screen (empty, then with 60 long
names) and the end screen.

One browser page, one server: the session is driven through the core (the server reads
the same SQLite file) and the projector's own poll shows each state.
"""

from __future__ import annotations

from collections import deque

import pytest

from proxi import dates
from proxi.content import engine
from proxi.content.catalogue import load_catalogue
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live

from .browser import PROJECTOR, expect, log_in, new_page, open_app, screenshot
from .steps import core, person

pytestmark = pytest.mark.e2e

SCREENS = (PROJECTOR, {"width": 1280, "height": 720})
MAX_STATES = 4000
ROOM = 60  # phones in the room: the target
# Whatever lies outside the viewport or is squeezed over its neighbour, named so that a
# failure says what to shorten.
OUTSIDE = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    // A bar's fill slides left inside its track, clipped by design: the track is checked.
    if (el.closest('[data-testid="stProgressBarTrack"]') !== el && el.closest('[data-testid="stProgressBarTrack"]')) continue;
    if (box.top < -1 || box.left < -1 || box.bottom > innerHeight + 1 || box.right > innerWidth + 1) {
      out.push(`${el.tagName}.${el.className} «${(el.innerText || '').slice(0, 40)}» `
        + `${Math.round(box.left)},${Math.round(box.top)} → ${Math.round(box.right)},${Math.round(box.bottom)}`);
    }
  }
  // An element squeezed by its column (flex) draws its text over the next one.
  for (const el of document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')) {
    if (el.scrollHeight > el.clientHeight + 4) {  // a glyph may overhang a pixel or two
      out.push(`squeezed «${(el.innerText || '').slice(0, 40)}» ${el.clientHeight} < ${el.scrollHeight} px`);
    }
  }
  return out.slice(0, 5);
}"""


def shown_size(scenario, state) -> int:
    """How much the projector shows at a decision once revealed, in characters."""
    node = scenario.nodes[state["node"]]
    choices = engine.available_choices(scenario, state)
    spoken = sum(len(line.text) + 20 for line in node.lines)
    return (
        len(node.narration)
        + spoken
        + len(node.prompt)
        + sum(len(c.text) + len(c.feedback) + 40 for c in choices)
    )


def reachable(scenario):
    """(path, state) for every state the group can reach, nearest first."""
    seen, queue = set(), deque([[]])
    while queue and len(seen) < MAX_STATES:
        path = queue.popleft()
        state = engine.replay(scenario, path)
        key = (state["node"], tuple(sorted(state["vars"].items())), tuple(state["used"]))
        if key in seen:
            continue
        seen.add(key)
        yield path, state
        queue.extend(path + [c.index] for c in engine.available_choices(scenario, state))


def longest_decision(scenario) -> list[int]:
    """The choices leading to the reachable decision that shows the most text."""
    decisions = [
        (shown_size(scenario, state), path)
        for path, state in reachable(scenario)
        if engine.available_choices(scenario, state)
    ]
    return max(decisions, key=lambda pair: pair[0])[1]


def longest_ending(scenario) -> tuple[int, list[int]]:
    """(text size, path) of the reachable ending with the longest text."""
    endings = []
    for path, state in reachable(scenario):
        node = scenario.nodes[state["node"]]
        if node.ending:
            spoken = sum(len(line.text) for line in node.lines)
            endings.append((len(node.narration) + len(node.ending.debrief) + spoken, path))
    return max(endings, key=lambda pair: pair[0], default=(0, []))  # none within MAX_STATES


class Driver:
    """The trainer's moves, straight through the core."""

    def __init__(self, server, session_id: int) -> None:
        self.server, self.session_id = server, session_id

    def __call__(self, move, *args) -> None:
        with core(self.server) as db:
            move(db, person(db, "formatrice"), self.session_id, *args)

    def walk(self, scenario, path: list[int]) -> None:
        """Start the scenario and follow `path`, one vote per decision."""
        self(live_flow.start_scenario, scenario, True)  # abandons the last screen's vote
        for choice in path:
            self(live_flow.open_vote, scenario)
            self(live_flow.reveal, scenario)
            self(live_flow.follow, scenario, choice)

    def open_vote_with_hands(self, scenario) -> None:
        """Open the vote and give every option some hands (A leads): bars of every length."""
        self(live_flow.open_vote, scenario)
        with core(self.server) as db:
            decision = live.snapshot(db, self.session_id).decision
        hands = {index: len(decision.choices) - n for n, index in enumerate(decision.choices)}
        self(live_flow.set_hands, hands)


def assert_fits(page, what: str) -> None:
    for viewport in SCREENS:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)  # one layout pass after the resize
        outside = page.evaluate(OUTSIDE)
        size = f"{viewport['width']}×{viewport['height']}"
        assert not outside, f"{what} at {size}: outside the screen: {outside}"
    page.set_viewport_size(PROJECTOR)


def test_every_projector_state_fits_the_screen(proxi_server, chromium_browser):
    scenarios = load_catalogue().scenarios
    with core(proxi_server) as db:
        trainer = person(db, "formatrice")
        session = live.create_session(
            db,
            trainer,
            "Une séance au titre assez long pour la projection",
            dates.today(),
            "matin",
            "Salle polyvalente",
            (),
            list(scenarios),
        )
        live_flow.open_session(db, trainer, session.id)
    drive = Driver(proxi_server, session.id)
    with new_page(chromium_browser, proxi_server, PROJECTOR) as projector:
        log_in(projector, "formatrice")
        open_app(projector, f"/projection?seance={session.id}")
        expect(projector.get_by_text("Rejoignez la séance avec votre téléphone")).to_be_visible()
        assert_fits(projector, "the waiting screen")
        screenshot(projector, "projector-waiting")
        with core(proxi_server) as db:  # a room of 60 phones, with long names
            code = live.get_session(db, session.id).join_code
            for n in range(ROOM):
                name = f"Marie-Claire Benhamou-Lefèvre {n + 1:02d}"
                live_room.join(db, code, guest_name=name, device=f"phone-{n}")
        expect(projector.get_by_text(f"{ROOM} personne(s) ont rejoint la séance.")).to_be_visible()
        assert_fits(projector, f"the waiting screen with {ROOM} names")
        screenshot(projector, "projector-waiting-full-room")

        main = projector.get_by_test_id("stMain")
        bars = main.get_by_test_id("stProgress")
        for scenario in scenarios.values():
            drive.walk(scenario, longest_decision(scenario))
            expect(main.get_by_role("heading", name=scenario.title)).to_be_visible()
            expect(bars).to_have_count(0)
            assert_fits(projector, f"{scenario.id}: the scene")
            drive.open_vote_with_hands(scenario)
            expect(bars.first).to_be_visible()
            assert_fits(projector, f"{scenario.id}: the vote open")
            drive(live_flow.freeze)
            expect(main.get_by_role("heading", name="Arrêt sur image")).to_be_visible()
            assert_fits(projector, f"{scenario.id}: « Arrêt sur image »")
            drive(live_flow.reveal, scenario)
            expect(main.get_by_text("Majorité.", exact=False)).to_be_visible()
            assert_fits(projector, f"{scenario.id}: the result revealed")
            if scenario.id == "hall-occupe":  # the most options: the hardest screen
                screenshot(projector, "projector-revealed-hall-occupe")

        endings = {s.id: longest_ending(s) for s in scenarios.values()}
        scenario = scenarios[max(endings, key=lambda i: endings[i][0])]
        drive.walk(scenario, endings[scenario.id][1])
        ending = scenario.nodes[engine.replay(scenario, endings[scenario.id][1])["node"]].ending
        expect(main.get_by_role("heading", name=ending.title)).to_be_visible()
        assert_fits(projector, f"{scenario.id}: the longest ending")
        screenshot(projector, "projector-ending")

        drive(live_flow.end_session)
        expect(main.get_by_role("heading", name="Séance terminée", exact=False)).to_be_visible()
        assert_fits(projector, "the end screen")
        screenshot(projector, "projector-ended")
