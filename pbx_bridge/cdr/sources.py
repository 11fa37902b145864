"""Reading Asterisk's CDR for a period, row by row, from wherever `cdr:` says it is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from pbx_bridge.core.cdr_outcomes import CdrRow


class CdrSourceError(RuntimeError):
    """The CDR source is missing, unreadable or malformed; the message says which and where."""


class CdrSource(Protocol):
    def rows(self, since: datetime, until: datetime) -> Iterator[CdrRow]:
        """Rows of calls that started in [since, until); raises CdrSourceError."""
        ...


def parse_time(text: str, zone: ZoneInfo) -> datetime | None:
    """A CDR time: Unix seconds ("1796288387.819914", cdr_custom's start(double)) or local
    "YYYY-MM-DD HH:MM:SS" (cdr_csv, CDR(start)); empty (never answered) is None."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    except (OverflowError, OSError) as exc:
        raise ValueError(f"time out of range: {text!r}") from exc
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a time: {text!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)
