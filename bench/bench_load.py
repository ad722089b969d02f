"""Benchmark: Proxi under load on the REAL server, beside an empty Streamlit page.

    python -m bench.bench_load [--learners 100] [--phones 60] [--seconds 60] [--write-doc]
                               [--postgres URL]
    make bench-load

Starts `streamlit run` on a free 127.0.0.1 port twice in the same run — bench/empty_page.py,
then app.py on a copy of the 5,000-person / 1,000,000-event database — both with the
project's .streamlit/config.toml. A client speaking Streamlit's websocket protocol
(bench/stclient.py) times each click from its `rerun_script` to the run's `script_finished`:

1. server CPU per click: one tab, clicks one after another (lesson step, scenario choice,
   a phone's idle poll, a lone phone's vote), CPU seconds of the server process from /proc
   divided by clicks;
2. N learners, logged in through the login form and the cookie route, each tapping every
   2-5 s (think time) for S seconds: p50 / p95 / max, and RSS per connected session;
3. a room, three times (--rooms): M phones join with the code, a projector polls, the vote
   opens, each phone votes once (a third change their mind): vote p50 / p95 over the three
   rooms' votes, polls served per second, last vote -> projector shows it (the slowest room),
   and every vote counted once (checked in the database);
4. the coordinator's dashboard: bytes and time of a first visit, of a warm one, and of one
   that builds its matrix again (its cache expired).

With --postgres URL (or $PROXI_BENCH_POSTGRES), Proxi runs the same phases again on a checked
copy of the database in a new PostgreSQL database, a third column beside the same empty page.

Prints a table (Proxi, empty page, ratio); --write-doc puts it into docs/performance.md
between its `bench-load` markers. Exit status 1 when a click errors or a vote is lost.
The machine is shared: compare ratios, not milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench import engines, load, server
from bench.stclient import logged_in_tab

REPO_ROOT = Path(__file__).resolve().parent.parent
DOC = REPO_ROOT / "docs" / "performance.md"
START, END = "<!-- bench-load:start -->", "<!-- bench-load:end -->"
PASSWORD = "proxi-demo-2026"  # proxi.ops.demo.DEMO_PASSWORD
TRAINER, COORDINATOR = "formatrice", "coordination"
SCENARIO = "bruit-nuit"
THINK_S = (2.0, 5.0)
CPU_CLICKS = 100  # /proc counts CPU in 10 ms ticks: over 20 clicks, ±0.5 ms a click
VOTE_WINDOW_S = 10.0
ROOMS = 3  # group sessions measured one after another, their votes pooled
MATRIX_KEPT_S = 30  # app_pages/dashboard.py: how long matrix() keeps the dashboard's matrix


@dataclass
class Figures:
    """One target's measurements; `rows` are (label, value) for the table."""

    rows: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def put(self, label: str, number: float | None, text: str | None = None) -> None:
        if number is not None:
            self.numbers[label] = number
        self.rows[label] = (
            text if text is not None else ("—" if number is None else f"{number:.0f}")
        )


async def cpu_per_click(srv: server.Server, click, count: int = CPU_CLICKS) -> float:
    """Server CPU milliseconds per click, clicks one after another after three to warm up."""
    for _ in range(3):
        await click()
    before = srv.cpu_seconds()
    for _ in range(count):
        await click()
        await asyncio.sleep(0.05)
    return (srv.cpu_seconds() - before) * 1000 / count


async def measure(target, srv: server.Server, args, figures: Figures, room_setup=None) -> None:
    await cpu_phase(target, srv, figures, room_setup)
    await learners_phase(target, srv, args.learners, args.seconds, THINK_S, figures)
    await room_phase(
        target, srv, args.phones, VOTE_WINDOW_S, figures, room_setup, rounds=args.rooms
    )
    if isinstance(target, load.Proxi):
        await dashboard_phase(srv, figures)


async def cpu_phase(target, srv: server.Server, figures: Figures, room_setup=None) -> None:
    """Server CPU per click, one tab at a time: a lesson step, a choice, an idle poll, a vote."""
    learner = await target.learner(0)
    figures.put("CPU par clic : étape de leçon (ms)", await cpu_per_click(
        srv, lambda: target.lesson_step(learner)))  # fmt: skip
    if isinstance(target, load.Proxi):
        await learner.go("situations")
        figures.put("CPU par clic : choix de mise en situation (ms)", await cpu_per_click(
            srv, lambda: target.scenario_choice(learner)))  # fmt: skip
    await learner.close()
    open_vote = None
    if room_setup:
        target.code, open_vote, *_ = room_setup()
    phone = await target.phone(0)
    figures.put("CPU par interrogation d'un téléphone au repos (ms)", await cpu_per_click(
        srv, phone.poll))  # fmt: skip
    if open_vote:
        open_vote()
    taps = itertools.count()
    figures.put("CPU par vote d'un téléphone seul (ms)", await cpu_per_click(
        srv, lambda: load.tap_a_choice(phone, next(taps))))  # fmt: skip
    await phone.close()


async def learners_phase(target, srv, count: int, seconds: float, think, figures: Figures):
    """`count` learners logged in, each tapping with think times for `seconds`."""
    setup = load.Tally()
    rss_before = srv.rss_mb()
    tabs = await load.open_all(target.learner, count, setup)
    per_session = (srv.rss_mb() - rss_before) / max(1, len(tabs))
    cpu_before, started = srv.cpu_seconds(), time.monotonic()
    rss = asyncio.create_task(sample_rss(srv, seconds))
    tally = await load.click_with_think_times(target, tabs, seconds, think, seed=7)
    elapsed, cpu = time.monotonic() - started, srv.cpu_seconds() - cpu_before
    samples = await rss
    await load.close_all(tabs)
    p50, p95, worst = load.summary(tally.all())
    label = f"{count} apprenants, un clic toutes les {think[0]:.0f} à {think[1]:.0f} s"
    figures.put(f"{label} : p50 (ms)", p50)
    figures.put(f"{label} : p95 (ms)", p95)
    figures.put(f"{label} : max (ms)", worst)
    figures.put(f"{label} : clics servis par seconde", tally.clicks() / elapsed,
                f"{tally.clicks() / elapsed:.1f}")  # fmt: skip
    figures.put(f"{label} : CPU par clic (ms)", cpu * 1000 / max(1, tally.clicks()))
    figures.put("Mémoire par session connectée (Mo)", per_session, f"{per_session:.2f}")
    quarters = [samples[round(q * (len(samples) - 1) / 4)] for q in (1, 2, 3, 4)]
    figures.put("Mémoire du serveur à 1/4, 1/2, 3/4 et fin de la charge (Mo)", quarters[-1],
                " → ".join(f"{value:.0f}" for value in quarters))  # fmt: skip
    figures.errors += setup.errors + tally.errors
    if len(tabs) < count or tally.clicks() < len(tabs):
        figures.errors.append(f"{len(tabs)} of {count} learners clicked {tally.clicks()} times")
    return tally


async def sample_rss(srv: server.Server, seconds: float, every: float = 2.0) -> list[float]:
    """The server's resident memory every `every` seconds while the learners click."""
    samples = [srv.rss_mb()]
    for _ in range(int(seconds / every)):
        await asyncio.sleep(every)
        samples.append(srv.rss_mb())
    return samples


async def room_phase(
    target, srv, count: int, window: float, figures: Figures, room_setup=None, projecting=None,
    rounds: int = 1,
):  # fmt: skip
    """`rounds` group sessions one after another, their votes pooled: in each, `count` phones
    join, a projector polls, a vote opens, everyone votes. `projecting`: another target for
    the projector (the same app reached another way). Returns the last session's Room."""
    rooms = [
        await _one_room(target, count, window, figures, room_setup, projecting, seed=11 + number)
        for number in range(rounds)
    ]
    label = f"{count} téléphones en séance de groupe"
    if rounds > 1:
        label += f" ({rounds} séances, votes mis ensemble)"
    votes = [seconds for room in rooms for seconds in room.votes.seconds["vote"]]
    p50, p95, _ = load.summary(votes)
    figures.put(f"{label} : vote p50 (ms)", p50)
    figures.put(f"{label} : vote p95 (ms)", p95)
    if rounds > 1:  # one session's p95 is its 3rd or 4th slowest vote of ~80: shown, not pooled
        each = [load.summary(room.votes.seconds["vote"])[1] for room in rooms]
        figures.put(f"{label} : vote p95 de chaque séance (ms)", max(each),
                    " / ".join(f"{value:.0f}" for value in each))  # fmt: skip
    asked = count / 2 + 1 / 1.5  # phones every 2 s, the projector every 1.5 s
    rate = statistics.mean(room.poll_rate for room in rooms)
    figures.put(f"{label} : interrogations servies par seconde (demandées : {asked:.0f})",
                rate, f"{rate:.1f}")  # fmt: skip
    delays = [room.projector_delay for room in rooms]
    delay = None if None in delays else max(delays)  # the slowest session's
    figures.put(f"{label} : dernier vote → projecteur (s)", delay,
                "—" if delay is None else f"{delay:.2f}")  # fmt: skip
    return rooms[-1]


async def _one_room(target, count, window, figures: Figures, room_setup, projecting, seed: int):
    """One group session: phones join, the projector polls, everyone votes; every vote is
    checked in the database and every problem goes into `figures.errors`."""
    proxi = isinstance(target, load.Proxi)
    session_id = None
    if room_setup:
        target.code, open_vote, db, session_id = room_setup()
    setup = load.Tally()
    phones = await load.open_all(target.phone, count, setup)
    projector = await (projecting or target).projector(session_id)
    decision = open_vote() if room_setup else None
    offered = {}  # letter -> option, for the projector's bar labels
    if decision:
        from proxi.content.catalogue import load_catalogue
        from proxi.live import sessions as live

        scenario = load_catalogue().scenarios[decision.scenario_id]
        offered = {o.letter: o for o in live.options(scenario, decision.node_id, decision.choices)}

    def expected(choices: dict[int, str]) -> list[str]:
        if not proxi:
            return ["Projection"]
        counts = {letter: list(choices.values()).count(letter) for letter in set(choices.values())}
        from proxi.live.screen import bar_label

        bars = [bar_label(offered[k], v) for k, v in counts.items()]
        return [f"**{len(choices)}** vote(s)", *bars]

    room = await load.vote_in_room(phones, projector, window, expected, seed=seed)
    await load.close_all([*phones, projector])
    figures.errors += setup.errors + room.votes.errors + room.polls.errors
    if len(phones) < count:
        figures.errors.append(f"only {len(phones)} of {count} phones joined")
    if proxi:
        figures.errors += check_votes(db, decision, room)
        if room.projector_delay is None:
            figures.errors.append("the projector never showed every vote")
    return room


async def dashboard_phase(srv, figures: Figures) -> None:
    """The coordinator's dashboard: its first visit, a warm one, and one when its matrix
    must be built again. Logging in has already built it (the login's last run draws the
    landing page, this dashboard), so the first visit reads it from the cache: the cold
    cost is measured once the cache has expired."""
    board = await logged_in_tab(srv.url, COORDINATOR, PASSWORD, "tableau-de-bord")
    warm = await board.rerun()
    await asyncio.sleep(MATRIX_KEPT_S + 1)
    cold = await board.rerun()
    label = "Tableau de bord (coordination)"
    figures.put(f"{label}, 1re visite : Ko reçus", board.first.bytes_in / 1024)
    figures.put(f"{label}, 1re visite (ms)", board.first.seconds * 1000)
    figures.put(f"{label}, visite suivante (ms)", warm.seconds * 1000)
    figures.put(f"{label}, matrice à reconstruire, cache expiré (ms)", cold.seconds * 1000)
    await board.close()


def check_votes(db, decision, room: load.Room) -> list[str]:
    """Every phone's last vote stored once, with the letter it tapped."""
    stored = load.stored_votes(db, decision.id)
    letters = {index: chr(65 + position) for position, index in enumerate(decision.choices)}
    problems = []
    if not room.choices:
        problems.append("no phone voted")
    for number, letter in room.choices.items():
        found = stored.get(f"Tel {number}")
        if found is None or letters[found] != letter:
            problems.append(f"phone {number} voted {letter}, the database holds {found}")
    extra = set(stored) - {f"Tel {n}" for n in room.choices}
    if extra:
        problems.append(f"votes nobody cast: {sorted(extra)}")
    return problems


def run_target(
    script: str, db_path: Path | str | None, make_target, args, room_setup=None
) -> Figures:
    figures = Figures()
    options = [f"--{option.replace('=', ' ', 1)}" for option in args.server_option]
    options = [part for option in options for part in option.split(" ", 1)]
    secret = engines.SECRET if isinstance(db_path, str) else None  # a server database needs one
    environment = server.server_env(db_path, secret=secret)
    with server.served(script, environment, options=options) as srv:
        asyncio.run(measure(make_target(srv.url), srv, args, figures, room_setup))
    return figures


def table(proxi: Figures, empty: Figures, on_postgres: Figures | None = None) -> list[str]:
    """Proxi beside the empty page; with PostgreSQL, Proxi on it beside the same page."""
    columns = [("Proxi", proxi), *([("Proxi sur PostgreSQL", on_postgres)] if on_postgres else [])]
    head = " | ".join(f"{name} | Rapport" for name, _ in columns)
    lines = [f"| Mesure | Page vide | {head} |", "|---|---:|" + "---:|---:|" * len(columns)]
    for label in proxi.rows:
        cells = [empty.rows.get(label, "") or "—"]
        for _, figures in columns:
            ratio = ""
            if label in figures.numbers and empty.numbers.get(label):
                ratio = f"{figures.numbers[label] / empty.numbers[label]:.1f}×"
            cells += [figures.rows.get(label, "—"), ratio or "—"]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return lines


def write_doc(lines: list[str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    block = "\n".join([START, *lines, END])
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip("\n") + "\n\n## Sur le vrai serveur (`make bench-load`)\n\n" + block + "\n"
        )
    DOC.write_text(text, encoding="utf-8")


def generated(people: int, events: int) -> Path:
    from bench import bench_pages

    return bench_pages.database(people, events)


def working_copy(source: Path) -> Path:
    """A copy the run may write to (logins, steps, votes): the source stays as it was."""
    copy = REPO_ROOT / "bench" / "results" / "bench-load-work.db"
    copy.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_load", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--phones", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=60.0, help="learners' phase length")
    parser.add_argument("--rooms", type=int, default=ROOMS, help="group sessions, votes pooled")
    parser.add_argument("--db", type=Path, help="an existing database (default: the generated one)")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--server-option", action="append", default=[],
                        help="e.g. runner.postScriptGC=false, for both servers")  # fmt: skip
    parser.add_argument("--write-doc", action="store_true")
    engines.add_option(parser)
    args = parser.parse_args(argv)
    from bench.__main__ import machine

    host, when = machine(), datetime.now().astimezone().strftime("%d/%m/%Y à %H:%M (%Z)")
    print(f"Machine : {host}", flush=True)
    source = args.db or generated(args.people, args.events)
    db_path = working_copy(source)
    identifiers = load.learner_identifiers(db_path, args.learners)
    empty = run_target("bench/empty_page.py", None, load.EmptyPage, args)

    def proxi_on(database: Path | str) -> Figures:
        return run_target(
            "app.py",
            database,
            lambda url: load.Proxi(url, PASSWORD, identifiers, TRAINER),
            args,
            room_setup=lambda: load.open_group_session(database, TRAINER, SCENARIO),
        )

    proxi = proxi_on(db_path)
    on_postgres = None
    if args.postgres:
        with engines.postgres_copy(source, args.postgres) as url:
            on_postgres = proxi_on(url)
    lines = [
        f"_Mesuré le {when} par `{' '.join(['python -m bench.bench_load', *(argv or sys.argv[1:])])}`._",
        "",
        f"**Machine** : {host}. Machine partagée avec d'autres travaux : comparer les rapports "
        "à la page vide (mesurée de la même façon, dans la même exécution), pas les millisecondes.",
        "",
        *table(proxi, empty, on_postgres),
    ]
    errors = proxi.errors + empty.errors + (on_postgres.errors if on_postgres else [])
    if errors:
        lines += ["", f"**Erreurs ({len(errors)})** :", *(f"- {e}" for e in errors[:20])]
    print("\n".join(lines), flush=True)
    if args.write_doc:
        write_doc(lines)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
