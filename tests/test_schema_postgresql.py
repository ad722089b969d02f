"""The PostgreSQL schema (proxi/progress/schema/postgresql.sql) is the SQLite one.

SQLite's schema is what the migrations build (`open_db(":memory:")`); PostgreSQL's is the
file, applied to an empty database. Both are read back from their catalogues and compared
as one sorted list of facts, so a failure names what one has and the other lacks. Then the
behaviour the catalogues cannot show: the generated columns of `events`, and the
append-only triggers with their one exception, the erasure.

What differs on purpose, and is therefore not compared: the migrations' record
(`_sqlite_migrations` / `schema_migrations`), how a generated column is kept (SQLite
VIRTUAL, PostgreSQL 15 STORED), and the type names, compared through `TYPES`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from importlib.resources import files

import psycopg
import pytest

from proxi.progress.db import open_db

SCHEMA = files("proxi.progress") / "schema" / "postgresql.sql"

# SQLite's declared type -> PostgreSQL's, as format_type() names it.
TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}
# Foreign-key actions: SQLite's words for PostgreSQL's pg_constraint letters.
ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
MIGRATION_RECORDS = {"_sqlite_migrations", "schema_migrations"}


def apply_schema(url: str, text: str | None = None) -> None:
    """Apply the schema file (or `text`) to the empty database at `url`, in one transaction."""
    with psycopg.connect(url) as conn:
        conn.execute(SCHEMA.read_text(encoding="utf-8") if text is None else text)


@pytest.fixture
def pg(postgres_url):
    apply_schema(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def lite():
    db = open_db(":memory:")
    yield db.conn
    db.close()


# --- (a) the file applies --------------------------------------------------------------------


def test_the_file_applies_to_an_empty_database(pg):
    tables = {
        row[0] for row in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    assert "events" in tables and "schema_migrations" in tables
    columns = pg.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_name = 'schema_migrations' ORDER BY ordinal_position"
    ).fetchall()
    assert columns == [("name", "text", "NO"), ("applied_at", "text", "NO")]
    assert primary_keys(pg)["schema_migrations"] == ("name",)
    assert pg.execute("SELECT COUNT(*) FROM schema_migrations").fetchone() == (0,)


# --- (b) the same schema ---------------------------------------------------------------------


def test_postgresql_has_the_schema_the_sqlite_migrations_build(pg, lite):
    assert_same(sqlite_facts(lite), postgres_facts(pg))


def assert_same(sqlite: list[tuple], postgres: list[tuple]) -> None:
    only_sqlite = sorted(set(sqlite) - set(postgres))
    only_postgres = sorted(set(postgres) - set(sqlite))
    assert not (only_sqlite or only_postgres), "\n".join(
        ["the schemas differ", "only on SQLite:"]
        + [f"  {fact}" for fact in only_sqlite]
        + ["only on PostgreSQL:"]
        + [f"  {fact}" for fact in only_postgres]
    )
    assert len(sqlite) == len(set(sqlite)) and len(postgres) == len(set(postgres))


# A fact is a tuple that starts with its kind and its table:
#   ("table", t)
#   ("column", t, position, name, type, not null, default, generated, auto-numbered)
#   ("primary key", t, columns)      ("unique", t, columns)
#   ("index", t, name, columns, unique, partial)
#   ("foreign key", t, columns, referenced table, referenced columns, on update, on delete)
#   ("trigger", t, name)
# A primary-key column counts as NOT NULL: PostgreSQL makes it so, SQLite's pragma does not
# say it (an INTEGER PRIMARY KEY is the rowid, never NULL; a TEXT one could be, by an old
# SQLite quirk that Proxi never uses). "Auto-numbered" is SQLite's rowid alias (INTEGER
# PRIMARY KEY, one column) unless it is also a foreign key (resume.person_id: always given),
# and PostgreSQL's identity column.


def sqlite_facts(conn: sqlite3.Connection) -> list[tuple]:
    facts: list[tuple] = []
    without_rowid = {row[1] for row in conn.execute("PRAGMA table_list") if row[4]}
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if name not in MIGRATION_RECORDS
    ]
    for table in tables:
        facts.append(("table", table))
        columns = conn.execute(f"PRAGMA table_xinfo('{table}')").fetchall()
        keys = tuple(c[1] for c in sorted((c for c in columns if c[5]), key=lambda c: c[5]))
        foreign = {}
        for row in conn.execute(f"PRAGMA foreign_key_list('{table}')"):
            foreign.setdefault(row[0], []).append(row)
        referencing = {row[3] for rows in foreign.values() for row in rows}
        for position, (_, name, kind, notnull, default, pk, hidden) in enumerate(columns, 1):
            rowid = kind.upper() == "INTEGER" and keys == (name,) and table not in without_rowid
            facts.append(
                (
                    "column",
                    table,
                    position,
                    name,
                    TYPES.get(kind.upper(), f"unmapped {kind}"),
                    bool(notnull or pk),
                    default,
                    hidden in (2, 3),  # 2: VIRTUAL, 3: STORED
                    rowid and name not in referencing,
                )
            )
        if keys:
            facts.append(("primary key", table, keys))
        for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list('{table}')"):
            info = conn.execute(f"PRAGMA index_xinfo('{index}')").fetchall()
            # index_xinfo: the key columns (key = 1), then the rowid; None names an expression.
            cols = tuple("<expression>" if row[2] is None else row[2] for row in info if row[5])
            if origin == "u":
                facts.append(("unique", table, cols))
            elif origin == "c":
                facts.append(("index", table, index, cols, bool(unique), bool(partial)))
        for rows in foreign.values():
            rows.sort(key=lambda row: row[1])
            target = rows[0][2]
            to = tuple(row[4] for row in rows)
            if None in to:  # REFERENCES t with no column: t's primary key
                to = tuple(
                    c[1]
                    for c in sorted(
                        conn.execute(f"PRAGMA table_info('{target}')"), key=lambda c: c[5]
                    )
                    if c[5]
                )
            facts.append(
                (
                    "foreign key",
                    table,
                    tuple(row[3] for row in rows),
                    target,
                    to,
                    rows[0][5],
                    rows[0][6],
                )
            )
    for name, table in conn.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
    ):
        facts.append(("trigger", table, name))
    return sorted(facts, key=repr)


def postgres_facts(conn: psycopg.Connection) -> list[tuple]:
    facts: list[tuple] = []
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        if name not in MIGRATION_RECORDS
    ]
    for table in tables:
        facts.append(("table", table))
    columns = conn.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attgenerated, a.attidentity
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """
    ).fetchall()
    positions: dict[str, int] = {}
    for table, name, kind, notnull, default, generated, identity in columns:
        if table in MIGRATION_RECORDS:
            continue
        positions[table] = positions.get(table, 0) + 1
        facts.append(
            (
                "column",
                table,
                positions[table],
                name,
                kind,
                notnull,
                # pg_attrdef also holds a generated column's expression: that is no default.
                None if generated else _literal(default),
                bool(generated),
                bool(identity),
            )
        )
    for table, keys in primary_keys(conn).items():
        if table not in MIGRATION_RECORDS:
            facts.append(("primary key", table, keys))
    for table, kind, cols, target, to, on_update, on_delete in conn.execute(
        f"""
        SELECT c.relname, con.contype, {_names("con.conkey", "con.conrelid")},
               r.relname, {_names("con.confkey", "con.confrelid")},
               con.confupdtype, con.confdeltype
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class r ON r.oid = con.confrelid
        WHERE n.nspname = 'public' AND con.contype IN ('u', 'f')
        """
    ):
        if kind == "u":
            facts.append(("unique", table, tuple(cols)))
        else:
            facts.append(
                (
                    "foreign key",
                    table,
                    tuple(cols),
                    target,
                    tuple(to),
                    ACTIONS[on_update],
                    ACTIONS[on_delete],
                )
            )
    for table, index, cols, unique, partial in conn.execute(
        f"""
        SELECT t.relname, i.relname, {_names("ix.indkey::int2[]", "ix.indrelid")},
               ix.indisunique, ix.indpred IS NOT NULL
        FROM pg_index ix
        JOIN pg_class i ON i.oid = ix.indexrelid
        JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND NOT EXISTS (
            SELECT 1 FROM pg_constraint con  -- the indexes of PRIMARY KEY and UNIQUE
            WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid
              AND con.contype IN ('p', 'u'))
        """
    ):
        facts.append(("index", table, index, tuple(cols), unique, partial))
    for table, name in conn.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal"
    ):
        facts.append(("trigger", table, name))
    return sorted(facts, key=repr)


def primary_keys(conn: psycopg.Connection) -> dict[str, tuple[str, ...]]:
    rows = conn.execute(
        f"""
        SELECT c.relname, {_names("con.conkey", "con.conrelid")}
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND con.contype = 'p'
        """
    ).fetchall()
    return {table: tuple(cols) for table, cols in rows}


def _names(numbers: str, table: str) -> str:
    """SQL for the column names of an array of attribute numbers, in the array's order
    (0, an expression in an index, reads <expression>)."""
    return f"""ARRAY(
        SELECT COALESCE(a.attname::text, '<expression>')
        FROM unnest({numbers}) WITH ORDINALITY AS k(number, i)
        LEFT JOIN pg_attribute a ON a.attrelid = {table} AND a.attnum = k.number
        ORDER BY k.i)"""


def _literal(default: str | None) -> str | None:
    """A default as SQLite spells it: PostgreSQL adds the cast ('{}'::text)."""
    return None if default is None else re.sub(r"::[a-z ]+$", "", default)


# --- (c) the same behaviour ------------------------------------------------------------------


class Backend:
    """One engine behind the same calls: SQL with :named parameters, rows as tuples."""

    def __init__(self, name: str, conn, error: type[Exception]):
        self.name, self.conn, self.error = name, conn, error

    def run(self, sql: str, params: dict | None = None) -> list[tuple]:
        if self.name == "postgresql":
            sql = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
        cursor = self.conn.execute(sql, params or {})
        rows = cursor.fetchall() if cursor.description else []
        if self.name == "sqlite":
            self.conn.commit()
        return rows

    def person(self, identifier: str, erased: bool = False) -> int:
        return self.run(
            "INSERT INTO people (identifier, display_name, created_at, erased_at)"
            " VALUES (:identifier, :identifier, '2026-03-02T09:00:00+00:00', :erased)"
            " RETURNING id",
            {"identifier": identifier, "erased": "2026-03-02T10:00:00+00:00" if erased else None},
        )[0][0]

    def event(self, person_id: int, uuid: str, verb: str, context: dict, result: dict) -> None:
        self.run(
            "INSERT INTO events (uuid, person_id, verb, object_type, object_id, result,"
            " context, timestamp) VALUES (:uuid, :person_id, :verb, 'scenario', 's1',"
            " :result, :context, '2026-03-02T09:30:00+00:00')",
            {
                "uuid": uuid,
                "person_id": person_id,
                "verb": verb,
                "result": json.dumps(result),
                "context": json.dumps(context),
            },
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "sqlite":
        return Backend("sqlite", request.getfixturevalue("lite"), sqlite3.IntegrityError)
    return Backend("postgresql", request.getfixturevalue("pg"), psycopg.IntegrityError)


GENERATED = "module_id, scenario_id, session_id, node_id, choice_index, play_mode"
EVENTS = [  # verb, context, result
    (
        "chose",
        {
            "module_id": "m1",
            "scenario_id": "s1",
            "session_id": "live-3",
            "node_id": "n2",
            "mode": "group",
        },
        {"response": 2, "outcome": None},
    ),
    ("started", {"scenario_id": "s1", "node_id": "début", "mode": "solo"}, {"response": 2}),
    ("chose", {"scenario_id": "s1", "node_id": "n1", "session_id": 7}, {"response": 0}),
    ("chose", {"scenario_id": "s1"}, {"response": None}),
    ("completed", {"module_id": "gestion-des-conflits", "lesson_id": "l1"}, {}),
    ("experienced", {}, {}),
]


def test_generated_columns_are_filled_from_the_json_as_on_sqlite(lite, pg):
    sqlite, postgres = Backend("sqlite", lite, Exception), Backend("postgresql", pg, Exception)
    for side in (sqlite, postgres):
        person = side.person("ana")
        for number, (verb, context, result) in enumerate(EVENTS):
            side.event(person, f"e{number}", verb, context, result)
    query = f"SELECT uuid, {GENERATED} FROM events ORDER BY uuid"
    assert postgres.run(query) == sqlite.run(query)
    assert sqlite.run(query)[0] == ("e0", "m1", "s1", "live-3", "n2", 2, "group")


def test_an_event_is_never_rewritten(backend):
    person, other = backend.person("ana"), backend.person("bea")
    backend.event(person, "e1", "chose", {"scenario_id": "s1", "node_id": "n1"}, {"response": 1})
    for change in (
        "verb = 'ended'",
        "context = '{}'",
        "person_id = person_id",
        f"person_id = {other}",  # to a person who is not erased
    ):
        with pytest.raises(backend.error, match="events are append-only"):
            backend.run(f"UPDATE events SET {change}")
        backend.conn.rollback()
    assert backend.run("SELECT person_id, verb FROM events") == [(person, "chose")]


def test_the_erasure_hands_events_to_the_erased_stand_in(backend):
    person, stand_in = backend.person("ana"), backend.person("anonyme-1", erased=True)
    backend.event(person, "e1", "chose", {"scenario_id": "s1", "node_id": "n1"}, {"response": 1})
    backend.run("UPDATE events SET person_id = :stand_in", {"stand_in": stand_in})
    assert backend.run("SELECT person_id, choice_index FROM events") == [(stand_in, 1)]
    backend.run("DELETE FROM events")  # the retention purge may delete
    assert backend.run("SELECT COUNT(*) FROM events") == [(0,)]


def audit(backend: Backend, actor: int | None, target: int | None) -> None:
    backend.run(
        "INSERT INTO audit_log (at, actor_id, action, target_id, target, details)"
        " VALUES ('2026-03-02T09:00:00+00:00', :actor, 'account-created', :target, '', '{}')",
        {"actor": actor, "target": target},
    )


def test_the_audit_log_is_never_rewritten(backend):
    actor, target, other = backend.person("chef"), backend.person("ana"), backend.person("bea")
    audit(backend, actor, target)
    audit(backend, None, None)  # the command line, acting on no one
    for where, change in (
        ("actor_id IS NOT NULL", "action = 'account-erased'"),
        ("actor_id IS NOT NULL", "details = '{\"x\": 1}'"),
        ("actor_id IS NOT NULL", "target = 'scenario s1'"),
        ("actor_id IS NOT NULL", "at = '2026-03-03T09:00:00+00:00'"),
        ("actor_id IS NOT NULL", f"actor_id = {other}"),
        ("actor_id IS NOT NULL", f"target_id = {other}"),
        ("actor_id IS NOT NULL", "actor_id = NULL"),
        # NULL to a value: SQLite's IS, PostgreSQL's IS NOT DISTINCT FROM, both refuse it.
        ("actor_id IS NULL", f"actor_id = {other}"),
        ("actor_id IS NULL", f"target_id = {other}"),
    ):
        with pytest.raises(backend.error, match="the audit log is append-only"):
            backend.run(f"UPDATE audit_log SET {change} WHERE {where}")
        backend.conn.rollback()
    backend.run("UPDATE audit_log SET target = target")  # a change that changes nothing
    rows = backend.run("SELECT actor_id, target_id, action FROM audit_log ORDER BY id")
    assert rows == [(actor, target, "account-created"), (None, None, "account-created")]


def test_the_erasure_hands_audit_rows_to_the_erased_stand_in(backend):
    actor, target = backend.person("chef"), backend.person("ana")
    stand_in = backend.person("anonyme-1", erased=True)
    audit(backend, actor, target)
    audit(backend, target, None)
    backend.run(
        "UPDATE audit_log SET actor_id = :stand_in WHERE actor_id = :target",
        {"stand_in": stand_in, "target": target},
    )
    backend.run(
        "UPDATE audit_log SET target_id = :stand_in WHERE target_id = :target",
        {"stand_in": stand_in, "target": target},
    )
    rows = backend.run("SELECT actor_id, target_id FROM audit_log ORDER BY id")
    assert rows == [(actor, stand_in), (stand_in, None)]
    backend.run("DELETE FROM audit_log")  # the retention purge may delete
    assert backend.run("SELECT COUNT(*) FROM audit_log") == [(0,)]
