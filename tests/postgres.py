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

import os
import secrets
from collections.abc import Iterator
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
    server = os.environ.get(ENV, "").strip()
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"{ENV} is not set under CI: the PostgreSQL tests must run there")
        pytest.skip(SKIP)
    import psycopg
    from psycopg import sql

    name = PREFIX + secrets.token_hex(6)
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        failure = f"{ENV}={server}: cannot connect to PostgreSQL: {error}"
    else:
        failure = ""
    if failure:
        pytest.fail(failure, pytrace=False)
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield database_url(server, name)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        admin.close()


def database_url(server: str, name: str) -> str:
    """The server's URL with its database replaced by `name` (user, host, port and query
    parameters kept)."""
    return urlunsplit(urlsplit(server)._replace(path="/" + name))
