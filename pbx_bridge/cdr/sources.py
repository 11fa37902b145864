"""Reading Asterisk's CDR for a period, row by row, from wherever `cdr:` says it is; and what
the CDR and CEL sources share: a headerless CSV file read line by line, a table read through
SQLAlchemy, Asterisk's time formats, each failure raised as the source's own error."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, MetaData, Table, create_engine
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from pbx_bridge.core.cdr_outcomes import CdrRow

T = TypeVar("T")
# Naive bounds of a table query are widened by this much, so a zone offset never drops a row;
# the exact period is applied to the aware times afterwards.
NAIVE_MARGIN = timedelta(hours=15)


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


def naive_bounds(since: datetime, until: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[since, until) as naive local times of `zone`, widened by NAIVE_MARGIN."""
    low = since.astimezone(zone).replace(tzinfo=None) - NAIVE_MARGIN
    high = until.astimezone(zone).replace(tzinfo=None) + NAIVE_MARGIN
    return low, high


def csv_records(
    path: Path, columns: Sequence[str], kind: str, error: type[CdrSourceError]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, column -> value) for every non-empty line of a headerless CSV file whose
    column order is `columns`; `kind` (CDR, CEL) names the file in `error`'s messages."""
    try:
        handle = path.open(encoding="utf-8", errors="replace", newline="")
    except FileNotFoundError as exc:
        raise error(f"{kind} file {path} does not exist") from exc
    except OSError as exc:
        raise error(f"{kind} file {path} is unreadable: {exc.strerror}") from exc
    with handle:
        try:
            for number, fields in enumerate(csv.reader(handle), start=1):
                if not fields:
                    continue
                if len(fields) != len(columns):
                    raise error(
                        f"{path}:{number}: {len(fields)} fields, the {kind.lower()} columns "
                        f"name {len(columns)}"
                    )
                yield number, dict(zip(columns, fields, strict=True))
        except csv.Error as exc:
            raise error(f"{path}: not CSV: {exc}") from exc
        except OSError as exc:
            raise error(f"{kind} file {path} is unreadable: {exc}") from exc


def table_records(
    url: str,
    table: str,
    kind: str,
    error: type[CdrSourceError],
    read: Callable[[Engine, Table], Iterator[T]],
) -> Iterator[T]:
    """What `read` yields from the table `table` ("name" or "schema.name") at `url`, the
    engine disposed afterwards; `kind` (CDR, CEL) names the table in `error`'s messages."""
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        raise error(f"{kind} database URL unusable: {exc}") from exc
    schema, _, name = table.rpartition(".")
    try:
        reflected = Table(name, MetaData(), schema=schema or None, autoload_with=engine)
        yield from read(engine, reflected)
    except NoSuchTableError as exc:
        raise error(f"{kind} table {table} does not exist") from exc
    except SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        raise error(f"{kind} database unreadable: {first}") from exc
    finally:
        engine.dispose()
