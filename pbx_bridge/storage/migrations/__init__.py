"""Alembic migrations of the call log, run by `pbx_bridge.storage.schema`."""
