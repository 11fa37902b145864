"""Every storage test runs against SQLite and the real PostgreSQL."""

from __future__ import annotations

from tests.unit.storage.databases import call_log, postgres_run_database, url

# Fixtures: a database per backend, the call log on it, the session's PostgreSQL database.
__all__ = ["call_log", "postgres_run_database", "url"]
