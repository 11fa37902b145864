"""The CDR source that `cdr: {source: ...}` names, and the CEL source of `cdr: {cel: ...}`."""

from __future__ import annotations

from pbx_bridge.cdr.cel_sources import CelCsvSource, CelDatabaseSource, CelSource
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


def open_cel(settings: CdrSettings) -> CelSource | None:
    """None where no CEL is configured; raises CelSourceError for unusable settings."""
    cel = settings.cel
    if cel is None:
        return None
    if cel.source == "csv":
        assert cel.path is not None  # the schema requires it
        return CelCsvSource(cel.path, cel.columns, cel.zone)
    assert cel.url is not None  # the schema requires it
    return CelDatabaseSource(cel.url, cel.table, cel.zone)
