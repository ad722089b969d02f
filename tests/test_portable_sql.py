"""Every query is written once, in the SQL that SQLite and PostgreSQL share.

The rule (docs/architecture.md, « Query layer »): named parameters (`:person_id`), which both
sqlite3 and SQLAlchemy's `text()` read; no SQLite-only syntax outside the dialect module
(`proxi/progress/dialect.py`), which spells what the engines do not share. This test reads
every string of the code that looks like SQL and names the file, line and construct that
breaks the rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent

# Where engine-specific SQL belongs: the dialect module, SQLite's migrations (its DDL; PostgreSQL's
# is schema/postgresql.sql), and the file-level backup, which copies an
# SQLite file as it is (PostgreSQL's is pg_dump).
ENGINE_FILES = {
    "proxi/progress/dialect.py",
    "proxi/progress/schema/sqlite.py",
    "proxi/ops/backup.py",
}

# A string is taken for SQL when it holds one of these keywords, in capitals as the code
# writes SQL (French sentences shown to people hold none of them).
LOOKS_LIKE_SQL = re.compile(
    r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|VALUES|ORDER BY|GROUP BY|JOIN|SET)\b"
)
NOT_SHARED = {
    "a positional placeholder (write :name)": re.compile(r"\?\d*"),
    "INSERT OR … (write ON CONFLICT)": re.compile(r"\bINSERT\s+OR\b", re.I),
    "UPDATE OR … (exclude the colliding rows in WHERE)": re.compile(r"\bUPDATE\s+OR\b", re.I),
    "json_each (dialect.in_list)": re.compile(r"\bjson_each\b", re.I),
    "json_extract (dialect.json_field)": re.compile(r"\bjson_extract\b", re.I),
    "json_object (dialect.json_object_sql)": re.compile(r"\bjson_object\b", re.I),
    "IFNULL (write COALESCE)": re.compile(r"\bIFNULL\b", re.I),
    "total() (write COALESCE(SUM(…), 0))": re.compile(r"\btotal\(", re.I),
}
# These name SQLite's catalogue and settings: wrong in any string outside the engine files.
SQLITE_CATALOGUE = {
    "PRAGMA (SQLite's alone: the dialect module)": re.compile(r"\bPRAGMA\b"),
    "sqlite_master (the dialect module)": re.compile(r"\bsqlite_master\b"),
}


def code_files() -> list[Path]:
    return sorted(
        path
        for path in [*(ROOT / "proxi").rglob("*.py"), *(ROOT / "app_pages").glob("*.py")]
        if path.relative_to(ROOT).as_posix() not in ENGINE_FILES
    )


def strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal but docstrings, f-strings' literal parts joined
    (their interpolations stand as `{}`)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    parts = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings or id(node) in parts:
                continue
            text = node.value
        else:
            continue
        found.append((node.lineno, text))
    return found


def offences(source: str) -> list[tuple[int, str]]:
    found = []
    for line, text in strings(source):
        rules = (
            {**NOT_SHARED, **SQLITE_CATALOGUE} if LOOKS_LIKE_SQL.search(text) else SQLITE_CATALOGUE
        )
        found += [(line, problem) for problem, pattern in rules.items() if pattern.search(text)]
    return found


def uses_lastrowid(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "lastrowid"
    ]


def test_every_query_is_in_the_sql_both_engines_share():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {problem}"
        for path in code_files()
        for line, problem in offences(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_new_ids_come_from_returning_not_lastrowid():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in code_files()
        for line in uses_lastrowid(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_names_what_breaks_the_rule():
    sample = (
        'db.execute("SELECT id FROM people WHERE identifier = ?", [name])\n'
        'db.execute(f"INSERT OR IGNORE INTO {table} (a) VALUES (:a)", row)\n'
        'db.execute("SELECT id FROM people WHERE id IN (SELECT value FROM json_each(:ids))")\n'
        'st.error("Voulez-vous vraiment supprimer cette séance ?")\n'
        'db.execute("SELECT id FROM people WHERE identifier = :identifier", row)\n'
        "person_id = cursor.lastrowid\n"
        'db.execute(f"PRAGMA foreign_key_list({table})")\n'
    )
    assert offences(sample) == [
        (1, "a positional placeholder (write :name)"),
        (2, "INSERT OR … (write ON CONFLICT)"),
        (3, "json_each (dialect.in_list)"),
        (7, "PRAGMA (SQLite's alone: the dialect module)"),
    ]
    assert uses_lastrowid(sample) == [6]
