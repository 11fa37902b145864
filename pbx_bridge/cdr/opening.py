"""The CDR source that `cdr: {source: ...}` names."""

from __future__ import annotations

from pbx_bridge.cdr.csv_source import CsvSource
from pbx_bridge.cdr.db_source import DatabaseSource
from pbx_bridge.cdr.settings import CdrSettings
from pbx_bridge.cdr.sources import CdrSource


def open_source(settings: CdrSettings) -> CdrSource:
    """Raises CdrSourceError for settings no source can be made of (csv without columns)."""
    if settings.source == "csv":
        assert settings.path is not None  # the schema requires it
        return CsvSource(settings.path, settings.columns, settings.zone)
    assert settings.url is not None  # the schema requires it
    return DatabaseSource(settings.url, settings.table, settings.zone)
