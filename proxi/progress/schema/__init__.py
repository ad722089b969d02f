"""The schema, one definition per database engine: sqlite.py (migrations), postgresql.sql."""
