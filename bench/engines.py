"""The engines a store benchmark runs on: the SQLite file, then PostgreSQL when a server is named.

    python -m bench.<name> --postgres postgresql://user@host:port/postgres
    PROXI_BENCH_POSTGRES=postgresql://… make bench

Each benchmark that reads or writes the store makes its run on SQLite, then the same run on a
new database of that server (dropped afterwards), and prints both side by side. The ones on
the generated 5,000-person database copy it there first with `migrate --to`'s transfer, so
both engines hold the same rows and the same ids.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV = "PROXI_BENCH_POSTGRES"
SECRET = "clé-des-bancs-d-essai-" + "x" * 32  # a server database requires one (web/auth.py)


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres",
        default=os.environ.get(ENV) or None,
        help=f"PostgreSQL server URL (default ${ENV}): the same run there, after SQLite's",
    )


@contextlib.contextmanager
def new_postgres_database(server: str) -> Iterator[str]:
    """A new database `proxi_bench_<hex>` on the server, dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"proxi_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(server)._replace(path="/" + name))
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def postgres_copy(path: Path, server: str) -> Iterator[str]:
    """A new database on `server` holding a checked copy of the SQLite file at `path`."""
    from proxi.ops.transfer import transfer
    from proxi.progress.db import open_db

    with new_postgres_database(server) as url:
        started = time.perf_counter()
        with open_db(path) as source:
            copied = transfer(source, url)
        print(
            f"Copie PostgreSQL de {path.name} : {sum(copied.rows.values())} lignes en "
            f"{time.perf_counter() - started:.0f} s.",
            flush=True,
        )
        yield url


def use_in_this_process(target: Path | str) -> None:
    """Point the pages AppTest runs here at `target` (a file, or a PostgreSQL URL)."""
    import streamlit as st

    if isinstance(target, str):
        os.environ["PROXI_DATABASE_URL"] = target
        os.environ["PROXI_SECRET"] = SECRET
    else:
        os.environ.pop("PROXI_DATABASE_URL", None)
        os.environ["PROXI_DB"] = str(target)
    st.cache_data.clear()  # nothing measured on one engine is served from the other's cache
    st.cache_resource.clear()
