"""Shared fixtures: databases with every migration applied, people to act as, a group session,
two landlords, a real SMTP server.

Test modules never import each other: what several of them start from is a fixture here,
built by tests/builders.py (which only this file imports). Helpers that drive the code
rather than build data live in helper modules (tests/pages.py drives pages with AppTest).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import builders
import pytest
from aiosmtpd.controller import Controller

from proxi.mail import MailConfig
from proxi.people import accounts, passwords
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db

# A fresh PostgreSQL database per test that asks for one (tests/postgres.py).
pytest_plugins = ["postgres"]

PASSWORD = "correct-horse-battery"


# --- Test tiers: `make test-fast` runs `-m "not slow"`, `make test` runs everything ------------


def pytest_configure(config):
    # The suite never writes to a database the developer's shell names (their pilot, their
    # PostgreSQL server): each test names its own.
    for setting in ("PROXI_DATABASE_URL", "PROXI_DB"):
        os.environ.pop(setting, None)
    config.addinivalue_line("markers", "slow: pages, browsers, servers (left out of test-fast)")
    config.addinivalue_line("markers", "content: checks of the shipped content, not of code")
    config.addinivalue_line(
        "markers", "real_password_cost: hash passwords at the production scrypt cost"
    )
    config.addinivalue_line(
        "markers", "sqlite_only(reason): checks SQLite itself (its pragmas, its query plans)"
    )


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch):
    """Passwords hashed at a low scrypt cost, unless a test asks for the real one.

    At the production cost (N = 2**14) one hash takes ~70 ms, and the fixtures create people
    by the dozen: it was most of the fast tier's time. The cost travels inside each hash, so
    verifying works the same; only `real_password_cost` tests check the stored parameters."""
    if request.node.get_closest_marker("real_password_cost") is None:
        monkeypatch.setattr(passwords, "SCRYPT_N", 2**8)


def pytest_collection_modifyitems(items):
    """Mark slow what drives pages (AppTest), a browser, the LRS or a server of its own."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)


def _is_slow(item) -> bool:
    names = vars(item.module).values()
    drives_pages = any(
        getattr(value, "__name__", "") == "AppTest"
        or getattr(value, "__module__", "") in ("tests.pages", "pages")
        for value in names
    )
    return drives_pages or "e2e" in item.nodeid.split("/") or "lrs" in item.fixturenames


@pytest.fixture
def db(request):
    """A migrated database, once on each engine: SQLite in memory, and a new PostgreSQL
    database (tests/postgres.py), except for the tests marked `sqlite_only`."""
    engine = getattr(request, "param", "sqlite")
    target = request.getfixturevalue("migrated_postgres_url") if engine == "postgresql" else None
    database = open_db(target or ":memory:")
    yield database
    database.close()


def pytest_generate_tests(metafunc):
    """Every test that takes `db` runs on both engines: the same test proves the same
    guarantee on each (the query layer, docs/architecture.md)."""
    if "db" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db_path(tmp_path):
    """The path of a migrated database file (WAL), for tests that need several connections."""
    path = tmp_path / "progress.db"
    open_db(path).close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, tmp_path):
    """A migrated database that several connections open at once, on each engine: an SQLite
    file (WAL), or a PostgreSQL database."""
    if request.param == "postgresql":
        return request.getfixturevalue("migrated_postgres_url")
    path = tmp_path / "progress.db"
    open_db(path).close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def app_database(request, tmp_path, monkeypatch):
    """The database the app's pages open, on each engine: a file named by $PROXI_DB, or a
    new PostgreSQL database named by $PROXI_DATABASE_URL (with the shared secret that a
    server database requires). Returns that database, as `open_db` takes it."""
    if request.param == "postgresql":
        url = request.getfixturevalue("migrated_postgres_url")
        monkeypatch.setenv("PROXI_DATABASE_URL", url)
        monkeypatch.setenv("PROXI_SECRET", "clé-de-test-partagée-" + "x" * 32)
        return url
    monkeypatch.delenv("PROXI_DATABASE_URL", raising=False)
    path = tmp_path / "pages.db"
    monkeypatch.setenv("PROXI_DB", str(path))
    return path


@pytest.fixture
def organisation(db):
    return accounts.create_organisation(db, OPERATOR, "Habitat Val de Seine", "bailleur")


@pytest.fixture
def fixture_course(monkeypatch):
    """Scenarios belong to the fixture module « 1-essai » (its competencies, its lessons)."""
    monkeypatch.setenv("PROXI_MODULES_DIR", str(builders.FIXTURES / "modules"))


@pytest.fixture
def habitat_a(db):
    """« Habitat A », the organisation the roster files name."""
    return accounts.create_organisation(db, OPERATOR, "Habitat A", "bailleur")


@pytest.fixture
def learner(db, organisation):
    return accounts.create_person(
        db,
        OPERATOR,
        "karim.haddad",
        "Karim Haddad",
        PASSWORD,
        organisation_id=organisation.id,
        site="Quartier des Tilleuls",
        job_category="gardien",
    )


# --- A group session (tests/builders.py) -------------------------------------------------


@pytest.fixture(scope="session")
def porte():
    """The fixture scenario « porte » (tests/fixtures/scenarios/porte.yaml), loaded."""
    return builders.load_porte()


@pytest.fixture
def room(porte):
    """(db, trainer, learners, session_id, code): an open session on « porte », in memory."""
    return builders.open_room(porte)


@pytest.fixture
def join_all():
    """`join_all(db, code, learners, guests=())`: each learner and guest joins; their passes."""
    return builders.join_all


@pytest.fixture
def make_people():
    """`make_people(db)`: « Habitat 93 », a trainer and three of its learners."""
    return builders.make_people


@pytest.fixture
def console_world(app_database, monkeypatch):
    """(db, trainer, learners) in the database the app opens, with the fixture content, for
    the live pages (on each engine).

    The content cache is keyed by the files' paths and times, so the fixture catalogue
    never mixes with the shipped one.
    """
    monkeypatch.setenv("PROXI_MODULES_DIR", str(builders.FIXTURES / "modules"))
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(builders.FIXTURES / "scenarios"))
    monkeypatch.chdir(builders.FIXTURES.parent.parent)
    db = open_db()
    _, trainer, learners = builders.make_people(db, ("Ville de Bondy", "ville"), "claire", 2)
    yield db, trainer, learners
    db.close()


# --- Two landlords (tests/builders.py) ----------------------------------------------------


@pytest.fixture
def two_landlords():
    """`two_landlords(db)`: ids of two landlords' people, their progress, one past session."""
    return builders.two_landlords


@pytest.fixture
def landlords(app_database, two_landlords):
    """(db, ids): the two landlords in the database the app opens (on each engine)."""
    db = open_db()
    ids = two_landlords(db)
    yield db, ids
    db.close()


@pytest.fixture
def landlords_now():
    """The clock the two landlords' progress was recorded against."""
    return builders.LANDLORDS_NOW


@dataclass
class SmtpServer:
    """A real SMTP server (aiosmtpd) on a loopback port; `messages` holds what it received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def config(self, sender: str = "formation@proxi.test") -> MailConfig:
        """Settings that send to this server (no TLS, no login)."""
        return MailConfig(self.host, self.port, sender)

    def environ(self, sender: str = "formation@proxi.test") -> dict[str, str]:
        """The same settings as environment variables, for `mail_config` or a subprocess."""
        return {
            "PROXI_SMTP_HOST": self.host,
            "PROXI_SMTP_PORT": str(self.port),
            "PROXI_SMTP_FROM": sender,
            "PROXI_SMTP_STARTTLS": "0",
        }

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def start_smtp_server() -> tuple[SmtpServer, Controller]:
    """Start a server on a free loopback port; the caller stops the controller."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = SmtpServer("127.0.0.1", port)
    controller = Controller(server, hostname=server.host, port=port)
    controller.start()
    return server, controller


@pytest.fixture
def smtp_server():
    """A real SMTP server for one test, stopped after it."""
    server, controller = start_smtp_server()
    yield server
    controller.stop()


@pytest.fixture
def asgi_get():
    """`asgi_get(routes, path, query="", headers=(), scheme="http")`: a GET through
    Starlette routes as uvicorn would; (status, [(header, value)], body)."""
    return builders.asgi_get
