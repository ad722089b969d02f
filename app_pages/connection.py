"""This thread's database connection, for the pages.

Streamlit runs script runs in a pool of threads, and a sqlite3 connection must stay in the
thread that opened it: each thread opens one connection per database path on first use and
keeps it (see proxi/progress/db.py). Never shared, never in st.cache_resource.
"""

from __future__ import annotations

import threading

import sqlite_utils

from proxi.progress.db import database_path, open_db

_local = threading.local()


def db() -> sqlite_utils.Database:
    """This thread's connection (sqlite3 connections must stay in the thread that made them)."""
    path = str(database_path())
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    if path not in connections:
        connections[path] = open_db(path)
    return connections[path]
