"""CDR tables as Asterisk's database backends create them, filled with the recorded mix."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
)

from tests.unit.cdr.fixture import BERLIN, mix_rows

_TEXT = (
    "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata",
    "disposition", "accountcode", "uniqueid", "userfield", "linkedid",
)  # fmt: skip


def freepbx_table(metadata: MetaData) -> Table:
    """asteriskcdrdb.cdr of FreePBX: local DATETIME calldate, no end or answer column."""
    return Table(
        "cdr",
        metadata,
        Column("calldate", DateTime(), nullable=False),
        *(Column(name, String(255), nullable=False, default="") for name in _TEXT),
        Column("duration", Integer, nullable=False, default=0),
        Column("billsec", Integer, nullable=False, default=0),
        Column("amaflags", Integer, nullable=False, default=0),
        Column("sequence", Integer, nullable=False, default=0),
    )


def pgsql_table(metadata: MetaData) -> Table:
    """cdr_pgsql's table with its optional start/answer/end columns, times with a zone."""
    return Table(
        "cdr",
        metadata,
        Column("calldate", DateTime(timezone=True), nullable=False),
        Column("start", DateTime(timezone=True)),
        Column("answer", DateTime(timezone=True)),
        Column("end", DateTime(timezone=True)),
        *(Column(name, String(255), nullable=False, default="") for name in _TEXT),
        Column("duration", Integer, nullable=False, default=0),
        Column("billsec", Integer, nullable=False, default=0),
        Column("sequence", Integer, nullable=False, default=0),
    )


def fill(url: str, shape: str = "freepbx") -> int:
    """Create the table in `url` and write every row of the mix; returns the row count."""
    engine = create_engine(url)
    metadata = MetaData()
    table = freepbx_table(metadata) if shape == "freepbx" else pgsql_table(metadata)
    metadata.create_all(engine)
    values = []
    for row in mix_rows():
        item: dict[str, object] = {name: getattr(row, name, "") for name in _TEXT if name != "clid"}
        item["duration"] = round((row.end - row.start).total_seconds())
        item["billsec"] = round((row.end - row.answer).total_seconds()) if row.answer else 0
        item["sequence"] = row.sequence
        if shape == "freepbx":
            item["calldate"] = row.start.astimezone(BERLIN).replace(tzinfo=None, microsecond=0)
        else:
            item.update(calldate=row.start, start=row.start, answer=row.answer, end=row.end)
        values.append(item)
    with engine.begin() as connection:
        connection.execute(insert(table), values)
    engine.dispose()
    return len(values)
