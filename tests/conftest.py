"""Shared fixtures: databases with every migration applied, and people to act as."""

from __future__ import annotations

import pytest

from proxi.people import accounts
from proxi.progress.db import open_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def db():
    """An in-memory database, migrated."""
    database = open_db(":memory:")
    yield database
    database.close()


@pytest.fixture
def db_path(tmp_path):
    """The path of a migrated database file (WAL), for tests that need several connections."""
    path = tmp_path / "progress.db"
    open_db(path).close()
    return path


@pytest.fixture
def organisation(db):
    return accounts.create_organisation(db, "Habitat Val de Seine", "bailleur")


@pytest.fixture
def learner(db, organisation):
    return accounts.create_person(
        db,
        "karim.haddad",
        "Karim Haddad",
        PASSWORD,
        organisation_id=organisation.id,
        site="Quartier des Tilleuls",
        job_category="gardien",
    )
