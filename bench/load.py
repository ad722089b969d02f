"""The load itself: learners clicking with think times, a room of phones voting, a projector.

Two targets speak the same moves: `Proxi` (the app, logged in through its own login form
and cookie route) and `EmptyPage` (bench/empty_page.py: one button, and for phones one
polling fragment with one vote button), so every figure has its floor measured the same
way in the same run. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.stclient import RunFailed, Tab, logged_in_tab

MAX_CLICKS = 500  # per learner: a bound even if the clock misbehaves
JOIN_PARALLEL = 8  # logins and joins at once while the room fills (not measured)
SETTLE_S = 8.0  # after the last vote, how long the projector has to show it


@dataclass
class Tally:
    """Latencies (seconds) by kind of click, and every error seen."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def clicks(self) -> int:
        return sum(len(values) for values in self.seconds.values())

    def all(self) -> list[float]:
        return [value for values in self.seconds.values() for value in values]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> tuple[float, float, float]:
    """(p50, p95, max) in milliseconds."""
    if not values:
        return (float("nan"),) * 3
    return (statistics.median(values) * 1000, percentile(values, 0.95) * 1000, max(values) * 1000)


# --- Targets --------------------------------------------------------------------------------


class EmptyPage:
    """bench/empty_page.py: the floor. A learner taps « Suivant »; a phone polls and votes."""

    name = "page vide"

    def __init__(self, url: str) -> None:
        self.url = url

    async def learner(self, number: int) -> Tab:
        tab = Tab(self.url)
        await tab.open()
        return tab

    async def step(self, tab: Tab, rng: random.Random) -> tuple[str, float]:
        return "step", (await tab.click("Suivant")).seconds

    async def lesson_step(self, tab: Tab):
        return await tab.click("Suivant")

    async def phone(self, number: int) -> Tab:
        tab = Tab(self.url, query="telephone=1")
        await tab.open()
        return tab

    async def projector(self, session_id: int | None = None) -> Tab:
        tab = Tab(self.url, query="projection=1")
        await tab.open()
        return tab


class Proxi:
    """The app: learners log in through the form and the cookie route; phones join a room."""

    name = "Proxi"

    def __init__(
        self, url: str, password: str, learners: list[str], trainer: str, cookie: str = ""
    ) -> None:
        from proxi.content.catalogue import load_catalogue

        self.url, self.password = url, password
        self.cookie = cookie  # sent by every tab: behind `proxi serve`, which process it reaches
        self.identifiers, self.trainer = learners, trainer
        self.code = ""
        modules = load_catalogue().course.modules.values()
        # Links to each lesson: a learner who finished a module picks a lesson again.
        self.lessons = [f"module={m.id}&lecon={lesson.id}" for m in modules for lesson in m.lessons]

    async def learner(self, number: int) -> Tab:
        identifier = self.identifiers[number % len(self.identifiers)]
        if number % 2:
            return await logged_in_tab(
                self.url, identifier, self.password, "situations", cookie=self.cookie
            )
        lesson = self.lessons[number // 2 % len(self.lessons)]
        return await logged_in_tab(
            self.url, identifier, self.password, "modules", lesson, self.cookie
        )

    async def step(self, tab: Tab, rng: random.Random) -> tuple[str, float]:
        """One tap a learner would make next: a lesson step, a scenario choice, or moving on."""
        if tab.page == "modules":
            for label in ("Étape suivante", "Leçon suivante"):
                if tab.button(label):
                    return "step", (await tab.click(label)).seconds
            return "page", (await tab.go("situations")).seconds
        choices = tab.buttons("-choice-")
        if choices:
            button = rng.choice(choices)
            trigger = (await tab.click(id_part=button.proto.id)).seconds
            return "choice", trigger
        if tab.button("Rejouer depuis le début"):
            return "page", (await tab.click("Rejouer depuis le début")).seconds
        return "page", (await tab.go("modules", rng.choice(self.lessons))).seconds

    async def lesson_step(self, tab: Tab):
        """Forward through the lesson, back once at its end: every click is one step."""
        for label in ("Étape suivante", "← Étape"):
            if tab.button(label):
                return await tab.click(label)
        return await tab.go("modules", self.lessons[0])

    async def scenario_choice(self, tab: Tab):
        """The first choice; at an ending, play again (one restart every few choices)."""
        if tab.buttons("-choice-"):
            return await tab.click(id_part="-choice-")
        return await tab.click("Rejouer depuis le début")

    async def phone(self, number: int) -> Tab:
        tab = Tab(self.url, page="rejoindre", query=f"code={self.code}", cookie=self.cookie)
        await tab.open()
        fields = {"Code de la séance": self.code, "Votre prénom et votre nom": f"Tel {number}"}
        await tab.submit(fields, "Rejoindre")
        if not tab.polls():
            raise RunFailed(f"phone {number} did not join: {tab.texts()}")
        return tab

    async def projector(self, session_id: int | None = None) -> Tab:
        """The trainer's « Ouvrir la projection » link: this session, even when the trainer
        has several open (without it the projector asks which one to show)."""
        query = f"seance={session_id}" if session_id else ""
        return await logged_in_tab(
            self.url, self.trainer, self.password, "projection", query, self.cookie
        )


# --- Learners ---------------------------------------------------------------------------


async def open_all(make, count: int, tally: Tally) -> list[Tab]:
    """`count` tabs, a few at a time (a room does not arrive in the same millisecond)."""
    gate = asyncio.Semaphore(JOIN_PARALLEL)

    async def one(number: int):
        async with gate:
            try:
                return await make(number)
            except (RunFailed, OSError) as error:
                tally.errors.append(f"opening tab {number}: {error}")
                return None

    tabs = await asyncio.gather(*(one(n) for n in range(count)))
    return [tab for tab in tabs if tab is not None]


async def click_with_think_times(target, tabs: list[Tab], seconds: float, think, seed: int):
    """Every tab taps, waits 2-5 s (think time), taps again, until `seconds` have passed."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    async def learner(tab: Tab, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(0, think[1]))  # arrivals spread like a room's
        for _ in range(MAX_CLICKS):
            if time.monotonic() >= deadline:
                return
            try:
                kind, spent = await target.step(tab, rng)
            except (RunFailed, OSError) as error:
                tally.errors.append(f"{tab.page}: {error}")
                return
            tally.seconds[kind].append(spent)
            await asyncio.sleep(rng.uniform(*think))

    await asyncio.gather(*(learner(tab, random.Random(seed + n)) for n, tab in enumerate(tabs)))
    return tally


async def close_all(tabs: list[Tab]) -> None:
    await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)


# --- The room ---------------------------------------------------------------------------


@dataclass
class Room:
    """What a vote with N phones gave: latencies, polls served, and the projector's delay."""

    votes: Tally
    polls: Tally
    choices: dict[int, str]  # phone number -> the letter it voted last
    poll_rate: float  # polls served per second during the vote
    projector_delay: float | None  # last vote -> projector shows every vote (s)
    processes: dict[str, set[str]]  # behind `proxi serve`: "phones"/"projector" -> processes


async def keep_polling(
    tab: Tab, stop: asyncio.Event, tally: Tally, after_poll=None, phase: float = 1.0
) -> None:
    """The browser's timer: every fragment's auto-rerun at its interval, until `stop`.
    `phase`: the first poll comes after this share of the interval. A browser's timer starts
    when its page loaded, and phones in a room load one after another, never all at one
    instant: timers started together would poll in bursts of the whole room at once."""
    while not stop.is_set():
        interval = tab.poll_interval()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval * phase)
            return
        phase = 1.0
        try:
            for run in await tab.poll():
                tally.seconds["poll"].append(run.seconds)
        except (RunFailed, OSError) as error:
            tally.errors.append(f"poll: {error}")
            return
        if after_poll is not None:
            after_poll()


def ballot_buttons(tab: Tab) -> list:
    """The choices of the open vote on a phone: « A. … », « B. … », in a fragment."""
    return [b for b in tab.buttons() if b.fragment_id and b.proto.label[1:2] == "."]


async def tap_a_choice(tab: Tab, number: int):
    """One vote: the `number`-th choice of the ballot (in turn: each tap changes the vote),
    polling first while the ballot is not on the screen yet."""
    for _ in range(20):
        ballot = ballot_buttons(tab)
        if ballot:
            return await tab.click(id_part=ballot[number % len(ballot)].proto.id)
        await tab.poll()
        await asyncio.sleep(0.5)
    raise RunFailed(f"no ballot: {tab.texts()}")


async def vote_in_room(phones: list[Tab], projector: Tab, window: float, expected_text, seed: int):
    """Each phone polls; at a random moment of `window` it taps a choice, and once in three
    changes its mind. The projector polls too; the room ends when it shows every vote
    (or SETTLE_S after the last one)."""
    votes, polls = Tally(), Tally()
    choices: dict[int, str] = {}
    last_vote = [0.0]
    shown_at: list[float] = []
    stop, settled = asyncio.Event(), asyncio.Event()

    def projector_check() -> None:
        # The first poll showing every vote after the latest one (a phone may change its mind).
        fresh = not shown_at or shown_at[-1] < last_vote[0]
        everyone = len(choices) == len(phones)
        if fresh and everyone and all(projector.shows(t) for t in expected_text(choices)):
            shown_at.append(time.monotonic())
            settled.set()

    async def voter(number: int, tab: Tab, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(0.5, window))
        for _ in range(2 if rng.random() < 1 / 3 else 1):
            for _ in range(20):  # the ballot shows at the next poll after the vote opens
                ballot = ballot_buttons(tab)
                if ballot:
                    break
                await asyncio.sleep(0.5)
            else:
                votes.errors.append(f"phone {number}: no ballot: {tab.texts()}")
                return
            button = rng.choice(ballot)
            try:
                run = await tab.click(id_part=button.proto.id)
            except (RunFailed, OSError) as error:
                votes.errors.append(f"phone {number}: {error}")
                return
            votes.seconds["vote"].append(run.seconds)
            choices[number] = button.proto.label[0]
            last_vote[0] = time.monotonic()
            settled.clear()
            await asyncio.sleep(rng.uniform(0.5, 2.0))

    started = time.monotonic()
    phases = random.Random(seed)
    pollers = [
        asyncio.create_task(keep_polling(tab, stop, polls, phase=phases.random())) for tab in phones
    ]
    pollers.append(asyncio.create_task(keep_polling(projector, stop, polls, projector_check)))
    await asyncio.gather(*(voter(n, tab, random.Random(seed + n)) for n, tab in enumerate(phones)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(settled.wait(), SETTLE_S)
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.gather(*pollers)
    fresh = shown_at and shown_at[-1] >= last_vote[0]
    delay = shown_at[-1] - last_vote[0] if fresh else None
    processes = {"phones": {t.process for t in phones}, "projector": {projector.process}}
    return Room(votes, polls, choices, len(polls.seconds["poll"]) / elapsed, delay, processes)


# --- A real group session in the app's database -----------------------------------------------


def open_group_session(db_path: Path, trainer_identifier: str, scenario_id: str) -> tuple:
    """A session opened by the trainer, its scenario started: (code, open_vote, db, its id)."""
    from proxi.content.catalogue import load_catalogue
    from proxi.live import flow as live_flow
    from proxi.live import sessions as live
    from proxi.people import accounts
    from proxi.progress.db import open_db

    db = open_db(db_path)
    trainer = accounts.person_by_identifier(db, trainer_identifier)
    scenario = load_catalogue().scenarios[scenario_id]
    session = live.create_session(
        db, trainer, "Banc de charge", date.today(), "matin", scenario_ids=[scenario.id]
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, scenario)

    def open_vote():
        return live_flow.open_vote(db, trainer, session.id, scenario)

    return code, open_vote, db, session.id


def learner_identifiers(db_path: Path, count: int) -> list[str]:
    """The first `count` active learners of the database (cycled if there are fewer)."""
    import sqlite3

    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT identifier FROM people WHERE roles LIKE '%learner%' AND active = 1"
            " ORDER BY id LIMIT :count",
            {"count": count},
        ).fetchall()
    return [identifier for (identifier,) in rows]


def stored_votes(db, decision_id: int) -> dict[str, int]:
    """guest name -> the choice the database holds (one row per participant at most)."""
    rows = db.execute(
        "SELECT p.guest_name, v.choice FROM live_votes v"
        " JOIN live_participants p ON p.id = v.participant_id WHERE v.decision_id = :decision_id",
        {"decision_id": decision_id},
    ).fetchall()
    return dict(rows)
