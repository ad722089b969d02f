"""Demo and benchmark data, behind the `python -m proxi demo` command.

Two generators, and both refuse a database that already has people, so neither can ever
touch real data:

    seed_demo            the demo the README lists: three organisations, staff accounts and a
                         dozen learners with some progress, written through the store exactly
                         as real use would write it. All share DEMO_PASSWORD.
    generate_synthetic   N learners and about M events for benchmarks: bulk inserts of
                         plausible events, then store.rebuild_derived.

Progress follows the shipped content when it loads (real lesson ids, step counts, scenario
paths played by the engine) and falls back to fixed ids (lessons 01..05) when it does not,
so a content file being edited never breaks the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from proxi.content import quiz
from proxi.content.engine import State, Step
from proxi.errors import ProxiError
from proxi.people import accounts, passwords
from proxi.people.permissions import OPERATOR
from proxi.progress import events as events_module
from proxi.progress import store
from proxi.progress.db import REPO_ROOT, Database, write_transaction

DEMO_PASSWORD = "proxi-demo-2026"
DEMO_MODULES = (
    "1-politique-de-la-ville",
    "2-bailleurs-et-partenaires",
    "3-incivilites-et-degradations",
    "4-gestion-des-conflits",
)
DEMO_SCENARIOS = ("bruit-nuit", "hall-occupe")
ORGANISATIONS = (
    ("Habitat Val de Seine", "bailleur"),
    ("Logis du Parc", "bailleur"),
    ("Ville de Saint-Aubin", "ville"),
)
# identifier, name, organisation index, roles, job category, site
STAFF = (
    ("coordination", "Claire Morel", 2, ("coordinator",), "autre", "Centre de ressources"),
    ("formatrice", "Nadia Benali", 2, ("trainer",), "autre", "Centre de ressources"),
    # Julien heads the whole of Habitat Val de Seine; Sophie one agence of Logis du Parc
    # (proxi.hierarchy): she does not follow the Agence du Moulin.
    ("manager.habitat", "Julien Lefèvre", 0, ("manager",), "manager-proximite", ""),
    ("manager.logis", "Sophie Martin", 1, ("manager",), "manager-proximite", "Agence du Parc"),
)
LEARNERS = (
    ("karim.haddad", "Karim Haddad", 0, "gardien", "Agence Nord / Quartier des Tilleuls"),
    (
        "isabelle.roux",
        "Isabelle Roux",
        0,
        "employe-immeuble",
        "Agence Nord / Quartier des Tilleuls",
    ),
    ("moussa.diarra", "Moussa Diarra", 0, "gardien", "Agence Nord / Résidence Les Peupliers"),
    ("nathalie.girard", "Nathalie Girard", 0, "agent-administratif", "Agence Nord"),
    ("thomas.blanc", "Thomas Blanc", 1, "gardien", "Agence du Parc / Cité des Marronniers"),
    (
        "fatima.zerrouki",
        "Fatima Zerrouki",
        1,
        "employe-immeuble",
        "Agence du Parc / Cité des Marronniers",
    ),
    ("antoine.perrin", "Antoine Perrin", 1, "gardien", "Agence du Moulin / Quartier du Moulin"),
    ("leila.mansouri", "Leïla Mansouri", 1, "agent-administratif", "Agence du Parc"),
    ("david.nguyen", "David Nguyen", 2, "mediateur", "Quartier des Tilleuls"),
    ("sandrine.faure", "Sandrine Faure", 2, "agent-ville", "Les Hauts de Saint-Aubin"),
    ("omar.benhamou", "Omar Benhamou", 2, "regie-quartier", "Quartier du Moulin"),
    ("monique.lambert", "Monique Lambert", 2, "representant-locataires", "Cité des Marronniers"),
)
# Per learner: modules fully done, then how far into the next one (lessons), quiz failed once?
PROFILES = ((2, 3, True), (1, 2, False), (0, 4, True), (1, 0, False), (3, 1, False), (0, 2, False))


@dataclass(frozen=True)
class ModulePlan:
    id: str
    lessons: tuple[tuple[str, int], ...]  # (lesson id, step count)
    pass_mark: int
    blocks: tuple[str, ...]  # block ids of the first lesson

    @property
    def lesson_ids(self) -> list[str]:
        return [lesson_id for lesson_id, _ in self.lessons]


# verb, state, node, response, outcome
Play = list[tuple[str, State, str | None, int | str | None, str | None]]


class NotEmpty(ProxiError):
    """The database already has people: demo data never goes into it."""


def has_people(db: Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM people)").fetchone()[0] == 1


# --- Content plan ----------------------------------------------------------------------------


def module_plans(root: Path = REPO_ROOT) -> list[ModulePlan]:
    """The four modules as the content has them, or the fixed fallback ids."""
    course = _try(lambda: _load_course(root / "modules"))
    plans = []
    for module_id in DEMO_MODULES:
        module = course.modules.get(module_id) if course else None
        if module and module.lessons:
            lessons = tuple((lesson.id, max(1, len(lesson.steps))) for lesson in module.lessons)
            first = module.lessons[0].steps
            blocks = tuple(p.id for step in first for p in step.parts if not isinstance(p, str))
            plans.append(ModulePlan(module_id, lessons, module.pass_mark, blocks))
        else:
            fallback = tuple((f"{n:02d}", 4) for n in range(1, 6))
            plans.append(ModulePlan(module_id, fallback, 70, ()))
    return plans


def scenario_plays(scenario_ids, count: int, rng: random.Random, root: Path = REPO_ROOT):
    """scenario id -> `count` playthroughs (engine-played when the file loads)."""
    return {sid: [_play(sid, rng, root) for _ in range(count)] for sid in scenario_ids}


def _play(scenario_id: str, rng: random.Random, root: Path) -> Play:
    from proxi.content import (
        engine,
        scenario,  # here, like _load_course
    )

    loaded = _try(lambda: scenario.load_scenario(root / "scenarios" / f"{scenario_id}.yaml")[0])
    if loaded is None:
        return _synthetic_play(scenario_id, rng)
    state = engine.start(loaded, seed=rng.randrange(2**31))
    play: Play = [("started", state, None, None, None)]
    for _ in range(60):  # a safety net against a looping file: the linter reports those
        choices = engine.available_choices(loaded, state)
        if engine.is_over(loaded, state) or not choices:
            break
        # Mostly the professional move, sometimes any: the demo shows varied endings.
        best = max(choices, key=lambda choice: choice.weight)
        choice, node_id = best if rng.random() < 0.6 else rng.choice(choices), state["node"]
        state = engine.choose(loaded, state, choice.index)
        play.append(("chose", state, node_id, choice.index, None))
    ending = loaded.nodes[state["node"]].ending
    if ending:
        play.append(("ended", state, state["node"], state["node"], ending.outcome))
    return play


def _synthetic_play(scenario_id: str, rng: random.Random) -> Play:
    nodes = ["accueil", "echange", "decision"]
    state = State(
        scenario=scenario_id,
        node=nodes[0],
        vars={"tension": 5},
        competencies={},
        used=[],
        history=[],
    )
    play: Play = [("started", state, None, None, None)]
    for position, node_id in enumerate(nodes):
        choice = rng.randrange(3)
        following = nodes[position + 1] if position + 1 < len(nodes) else f"fin_{choice}"
        history = [*state["history"], Step(node=node_id, choice=choice)]
        state = {**state, "node": following, "history": history}
        play.append(("chose", state, node_id, choice, None))
    outcome = ("favourable", "mitigee", "defavorable")[int(state["node"][-1])]
    play.append(("ended", state, state["node"], state["node"], outcome))
    return play


def _load_course(folder: Path):
    from proxi.content.course import (
        load_course,  # here: a broken content module must not break the CLI
    )

    return load_course(folder)[0]


def _try(load):
    # The demo must work while content is mid-edit: a file that fails to load means "fallback".
    try:
        return load()
    except Exception:
        return None


# --- The demo ------------------------------------------------------------------------------


def seed_demo(db: Database, now: datetime | None = None) -> int:
    """Create the demo organisations, accounts and progress; returns the people created."""
    if has_people(db):
        raise NotEmpty(
            "La base contient déjà des comptes : la démonstration n'y est pas installée."
        )
    now = now or datetime.now(UTC)
    orgs = [
        accounts.create_organisation(db, OPERATOR, name, kind).id for name, kind in ORGANISATIONS
    ]
    for identifier, name, org, roles, job, site in STAFF:
        _create(db, identifier, name, orgs[org], roles, job, site)
    rng, plans = random.Random(2026), module_plans()
    plays = scenario_plays(DEMO_SCENARIOS, 3, rng)
    for number, (identifier, name, org, job, site) in enumerate(LEARNERS):
        person = _create(db, identifier, name, orgs[org], ("learner",), job, site)
        clock = _Clock(now - timedelta(days=21 - number), rng)
        if number < 10:  # two learners have not started yet
            _learn(db, person.id, plans, PROFILES[number % len(PROFILES)], clock)
            for sid in DEMO_SCENARIOS[: 1 + number % 2]:
                _record_play(db, person.id, sid, rng.choice(plays[sid]), clock)
    return len(STAFF) + len(LEARNERS)


def _create(db, identifier, name, org_id, roles, job, site) -> accounts.Person:
    return accounts.create_person(
        db,
        OPERATOR,
        identifier,
        name,
        DEMO_PASSWORD,
        organisation_id=org_id,
        site=site,
        job_category=job,
        roles=roles,
    )


class _Clock:
    """Plausible, increasing timestamps: a minute or two between interactions."""

    def __init__(self, start: datetime, rng: random.Random) -> None:
        self.now, self.rng = start, rng

    def tick(self) -> datetime:
        self.now += timedelta(seconds=self.rng.randint(20, 150))
        return self.now


def _learn(db, person_id: int, plans: list[ModulePlan], profile, clock: _Clock) -> None:
    done, partial_lessons, failed_once = profile
    for index, plan in enumerate(plans[: done + 1]):
        lessons = plan.lessons if index < done else plan.lessons[:partial_lessons]
        for lesson_id, step_count in lessons:
            for step in range(step_count):
                store.record_step(
                    db,
                    person_id,
                    plan.id,
                    lesson_id,
                    step,
                    step_count,
                    plan.lesson_ids,
                    duration_s=clock.rng.randint(30, 150),
                    now=clock.tick(),
                )
        for block_id in plan.blocks[:2] if lessons else ():
            context = {"module_id": plan.id, "lesson_id": plan.lessons[0][0]}
            store.record_answer(db, person_id, block_id, [0], True, context, now=clock.tick())
        if index < done or failed_once:
            if failed_once:
                store.record_quiz(
                    db, person_id, plan.id, 4, 10, plan.pass_mark, plan.lesson_ids, now=clock.tick()
                )
                failed_once = False
            if index < done:
                store.record_quiz(
                    db, person_id, plan.id, 9, 10, plan.pass_mark, plan.lesson_ids, now=clock.tick()
                )


def _record_play(db, person_id: int, scenario_id: str, play: Play, clock: _Clock) -> None:
    for verb, state, node_id, response, outcome in play:
        store.record_scenario_state(
            db,
            person_id,
            scenario_id,
            state,
            verb,
            node_id=node_id,
            response=response,
            outcome=outcome,
            duration_s=clock.rng.randint(15, 90),
            now=clock.tick(),
        )


# --- The benchmark generator -----------------------------------------------------------------


def generate_synthetic(
    db: Database, people: int, events: int, seed: int = 0, now: datetime | None = None
) -> int:
    """`people` learners (plus the demo staff) and `events` events; returns the events written.

    Built for speed: one transaction, batched inserts, derived tables rebuilt once at the end.
    The 'completed' statements the live store appends are left out (nothing derives from them).
    """
    if has_people(db):
        raise NotEmpty("La base contient déjà des comptes : le jeu de test exige une base neuve.")
    rng, now = random.Random(seed), now or datetime.now(UTC)
    plans = module_plans()
    scenario_ids = sorted(p.stem for p in (REPO_ROOT / "scenarios").glob("*.yaml"))
    plays = scenario_plays(scenario_ids or DEMO_SCENARIOS, 20, rng)
    written = 0
    with write_transaction(db):
        orgs = [
            accounts.create_organisation(db, OPERATOR, name, kind).id
            for name, kind in ORGANISATIONS
        ]
        for identifier, name, org, roles, job, site in STAFF:
            _create(db, identifier, name, orgs[org], roles, job, site)
        learner_ids = _insert_learners(db, people, orgs, rng, now)
        for number, person_id in enumerate(learner_ids):
            budget = events // people + (1 if number < events % people else 0)
            clock = _Clock(now - timedelta(days=rng.randint(30, 180)), rng)
            rows = _learner_events(person_id, plans, plays, budget, clock)
            db.executemany(_INSERT_EVENT, rows)
            written += len(rows)
    store.rebuild_derived(db)
    return written


_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(events_module.EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(f':{c}' for c in events_module.EVENT_COLUMNS)})"
)
_FIRST = ("Karim", "Isabelle", "Moussa", "Nathalie", "Thomas", "Fatima", "Antoine", "Leïla")
_LAST = ("Haddad", "Roux", "Diarra", "Girard", "Blanc", "Zerrouki", "Perrin", "Nguyen", "Faure")
_SITES = (  # stored as proxi.hierarchy paths: the bulk learners are inserted without accounts
    "Agence Nord › Quartier des Tilleuls",
    "Agence Nord › Résidence Les Peupliers",
    "Agence du Parc › Cité des Marronniers",
)


def _insert_learners(db, people: int, orgs: list[int], rng: random.Random, now) -> list[int]:
    shared_hash = passwords.hash_password(DEMO_PASSWORD)  # one scrypt, not 5,000
    jobs = [job for job in accounts.JOB_CATEGORIES if job != "manager-proximite"]
    rows = [
        {
            "identifier": f"apprenant.{n:05d}",
            "display_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "organisation_id": rng.choice(orgs),
            "site": rng.choice(_SITES),
            "job_category": rng.choice(jobs),
            "roles": "learner",
            "password_hash": shared_hash,
            "created_at": now.isoformat(),
        }
        for n in range(1, people + 1)
    ]
    first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM people").fetchone()[0]
    db.executemany(
        "INSERT INTO people (identifier, display_name, organisation_id, site, job_category,"
        " roles, password_hash, created_at) VALUES (:identifier, :display_name, :organisation_id,"
        " :site, :job_category, :roles, :password_hash, :created_at)",
        rows,
    )
    return list(range(first, first + people))


def _learner_events(person_id, plans, plays, budget: int, clock: _Clock) -> list[dict]:
    out: list[dict] = []

    def add(verb, object_type, object_id, result, context, state=None):
        event = events_module.new_event(
            person_id, verb, object_type, object_id, result, context, clock.tick(), state
        )
        row = events_module.encode_event(event)
        out.append({c: row[c] for c in events_module.EVENT_COLUMNS})

    modules = iter(plans)
    while len(out) < budget:
        plan = next(modules, None)
        if plan is not None:
            _synthetic_module(add, plan, clock.rng)
            clock.now += timedelta(days=clock.rng.randint(1, 7))
        scenario_id = clock.rng.choice(sorted(plays))
        for verb, state, node_id, response, outcome in clock.rng.choice(plays[scenario_id]):
            result = {"response": response, "outcome": outcome, "duration_s": 40}
            context = {"scenario_id": scenario_id, "node_id": node_id, "mode": "solo"}
            add(verb, "scenario", scenario_id, result, context, state)
    return out[:budget]


def _synthetic_module(add, plan: ModulePlan, rng: random.Random) -> None:
    for lesson_id, step_count in plan.lessons:
        for step in range(step_count):
            context = {"module_id": plan.id, "lesson_id": lesson_id, "step": step}
            context |= {"step_count": step_count, "lesson_ids": plan.lesson_ids}
            add("viewed", "lesson", f"{plan.id}/{lesson_id}", {"duration_s": 60}, context)
    for _ in range(3):  # up to three attempts at the quiz
        score = rng.randint(3, 10)
        passed = quiz.passes(score, 10, plan.pass_mark)
        result = {"score": score, "max": 10, "success": passed, "pass_mark": plan.pass_mark}
        context = {"module_id": plan.id, "lesson_ids": plan.lesson_ids}
        add("passed" if passed else "failed", "quiz", plan.id, result, context)
        if passed:
            break
