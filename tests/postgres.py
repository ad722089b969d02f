"""PostgreSQL for the tests: a fresh, empty database per test, dropped after it.

The server is named by $PROXI_TEST_POSTGRES, a URL to its maintenance database
(postgresql://proxi@127.0.0.1:55433/postgres); its user must be allowed to create databases.
Without the variable the PostgreSQL tests are skipped, except under CI (`.ci/run` starts a
throw-away cluster and sets it), where a missing variable fails them. With the variable set,
a server that cannot be reached fails them too: a test that silently skips proves nothing.

Registered in conftest.py (`pytest_plugins`); psycopg is imported only once a test asks for
PostgreSQL, so the rest of the suite runs without it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV = "PROXI_TEST_POSTGRES"
PREFIX = "proxi_test_"  # the only databases the tests create and drop
SKIP = (
    f"PostgreSQL tests skipped: set {ENV}=postgresql://user@host:port/postgres"
    " to run them (CI always does)"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new empty database `proxi_test_<hex>` on the test server."""
    with _server() as admin, _new_database(admin) as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    """A database migrated once per run, the template every test's database copies."""
    from proxi.progress.db import open_db

    with _server() as admin, _new_database(admin) as url:
        open_db(url).close()
        yield urlsplit(url).path.lstrip("/")


@pytest.fixture
def migrated_postgres_url(_postgres_template) -> Iterator[str]:
    """The URL of a new database with Proxi's schema (a copy of the migrated template)."""
    with _server() as admin, _new_database(admin, template=_postgres_template) as url:
        yield url


@pytest.fixture(scope="session")
def session_postgres_url(_postgres_template) -> Iterator[str]:
    """One migrated database for the whole run (the browser journeys' server)."""
    with _server() as admin, _new_database(admin, template=_postgres_template) as url:
        yield url


@contextlib.contextmanager
def _server() -> Iterator[Any]:
    server = os.environ.get(ENV, "").strip()
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"{ENV} is not set under CI: the PostgreSQL tests must run there")
        pytest.skip(SKIP)
    import psycopg

    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        failure = f"{ENV}={server}: cannot connect to PostgreSQL: {error}"
    else:
        failure = ""
    if failure:
        pytest.fail(failure, pytrace=False)
    with admin:
        yield admin


@contextlib.contextmanager
def _new_database(admin: Any, template: str | None = None) -> Iterator[str]:
    from psycopg import sql

    name = PREFIX + secrets.token_hex(6)
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        # FILE_COPY: 75 ms a copy of the small template here, against 160 ms for the
        # default, which writes the copy through the WAL (fsync is off on the test cluster).
        create += sql.SQL(" TEMPLATE {} STRATEGY FILE_COPY").format(sql.Identifier(template))
    admin.execute(create)
    try:
        yield database_url(os.environ[ENV].strip(), name)
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def database_url(server: str, name: str) -> str:
    """The server's URL with its database replaced by `name` (user, host, port and query
    parameters kept)."""
    return urlunsplit(urlsplit(server)._replace(path="/" + name))
