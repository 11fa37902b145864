"""Counts of the live calls, kept exact by triggers on `calls`, so a report reads counts.

Every insert, update and delete of a call row, whoever runs it (the record writer, wrap-ups,
the CDR reconciliation, history imports, purge, a bulk load), changes `call_days`,
`call_hours` and `call_waits` in the same transaction: a delete or update subtracts the old
row's contribution, an insert or update adds the new one. Every count is per node (the
Asterisk that took the call), so one node's report reads counts like the whole center's.
Days and hours are the center's local ones: the triggers look the UTC offset up in
`local_offsets`, which holds the zone's offset changes (the same ones `local_time` uses for
the raw queries on SQLite).

Waits are kept per class (`call_waits.wait_class`), so a report answers any service-level
threshold up to `WAIT_CAP_S` and any short-abandon threshold exactly, however late it is
configured. `rebuild` refills everything from `calls` (a changed zone, or an operator's
check); the migration that creates the tables runs it once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, insert, select

from pbx_bridge.core.calls import Outcome
from pbx_bridge.storage.local_time import offset_changes
from pbx_bridge.storage.models import call_days, call_hours, call_waits, local_offsets

# The configuration allows service levels up to 600 s and short abandons up to 60 s; longer
# waits share one class, which every threshold up to the cap counts as "over".
WAIT_CAP_S = 600
COUNTED_TABLES = (call_days, call_hours, call_waits)
# The offsets are listed for calls from OFFSETS_FROM on; earlier ones take its offset.
OFFSETS_FROM = datetime(1970, 1, 1, tzinfo=UTC)
OFFSETS_TO = datetime(2100, 1, 1, tzinfo=UTC)
_BEFORE_ALL = datetime(1, 1, 2, tzinfo=UTC)

# Columns whose change moves a call between counts; an update touching none changes nothing.
COUNTED_COLUMNS = ("node", "tenant", "department", "outcome", "started", "answered", "wait_s")
_NOT_OFFERED = f"('{Outcome.CLOSED.value}', '{Outcome.UNROUTED.value}')"


def _local(dialect: str, row: str) -> str:
    """'YYYY-MM-DD HH' of the row's start in the center's zone."""
    offset = (
        f"(SELECT o.offset_minutes FROM local_offsets o WHERE o.since <= {row}.started "
        "ORDER BY o.since DESC LIMIT 1)"
    )
    if dialect == "postgresql":
        return f"to_char({row}.started + {offset} * interval '1 minute', 'YYYY-MM-DD HH24')"
    return f"strftime('%Y-%m-%d %H', {row}.started, {offset} || ' minutes')"


def _floor(dialect: str, value: str) -> str:
    if dialect == "postgresql":
        return f"CAST(floor({value}) AS INTEGER)"
    # SQLite builds without the math functions have no floor(): CAST truncates towards 0.
    return (
        f"(CAST({value} AS INTEGER) - CASE WHEN {value} < CAST({value} AS INTEGER) "
        "THEN 1 ELSE 0 END)"
    )


def _contribution(dialect: str, row: str, source: str) -> str:
    """One line per call of `source` (a table, or nothing for a trigger's OLD/NEW row)."""
    least = "LEAST" if dialect == "postgresql" else "min"
    # Above the cap every wait is the same class: one just over the cap keeps that class.
    wait = f"{least}(COALESCE({row}.wait_s, 0.0), {WAIT_CAP_S}.5)"
    whole = _floor(dialect, wait)
    answered = f"{row}.answered IS NOT NULL"
    return f"""SELECT COALESCE({row}.tenant, '') AS tenant,
        {row}.node AS node,
        {_local(dialect, row)} AS local_hour,
        COALESCE({row}.department, '') AS department,
        {row}.outcome AS outcome,
        CASE WHEN {answered} THEN 1 ELSE 0 END AS answered,
        CASE WHEN {answered} THEN COALESCE({row}.wait_s, 0.0) ELSE 0.0 END AS wait_answered_s,
        CASE WHEN {answered} AND {row}.outcome NOT IN {_NOT_OFFERED} THEN 1 ELSE 0 END
            AS offered_answered,
        CASE WHEN {row}.outcome = '{Outcome.ABANDONED.value}' THEN 1 ELSE 0 END AS abandoned,
        2 * {whole} + CASE WHEN {wait} > {whole} THEN 1 ELSE 0 END AS wait_class
        {source}"""


def _statements(dialect: str, row: str, sign: int, source: str = "") -> list[str]:
    """The upserts that add (sign 1) or take away (sign -1) the contribution of the rows."""
    lines = _contribution(dialect, row, source)
    day = "substr(local_hour, 1, 10)"
    hour = "CAST(substr(local_hour, 12, 2) AS INTEGER)"
    return [
        f"""INSERT INTO call_days (tenant, day, node, department, outcome, calls, answered,
            wait_answered_s)
        SELECT tenant, {day}, node, department, outcome, {sign} * COUNT(*),
            {sign} * SUM(answered), {sign} * SUM(wait_answered_s)
        FROM ({lines}) AS contribution WHERE true
        GROUP BY tenant, {day}, node, department, outcome
        ON CONFLICT (tenant, day, node, department, outcome) DO UPDATE SET
            calls = call_days.calls + excluded.calls,
            answered = call_days.answered + excluded.answered,
            wait_answered_s = call_days.wait_answered_s + excluded.wait_answered_s""",
        f"""INSERT INTO call_hours (tenant, day, node, hour, calls)
        SELECT tenant, {day}, node, {hour}, {sign} * COUNT(*)
        FROM ({lines}) AS contribution WHERE true GROUP BY tenant, {day}, node, {hour}
        ON CONFLICT (tenant, day, node, hour) DO UPDATE SET
            calls = call_hours.calls + excluded.calls""",
        f"""INSERT INTO call_waits (tenant, day, node, wait_class, answered, abandoned)
        SELECT tenant, {day}, node, wait_class, {sign} * SUM(offered_answered),
            {sign} * SUM(abandoned)
        FROM ({lines}) AS contribution WHERE offered_answered + abandoned > 0
        GROUP BY tenant, {day}, node, wait_class
        ON CONFLICT (tenant, day, node, wait_class) DO UPDATE SET
            answered = call_waits.answered + excluded.answered,
            abandoned = call_waits.abandoned + excluded.abandoned""",
    ]


def _changed(dialect: str) -> str:
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in COUNTED_COLUMNS)


def create_triggers(connection: Connection) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _create_postgresql_triggers(connection)
        return
    for name, event, body, when in (
        ("calls_counted_insert", "INSERT", _statements(dialect, "NEW", 1), ""),
        ("calls_counted_delete", "DELETE", _statements(dialect, "OLD", -1), ""),
        (
            "calls_counted_update",
            "UPDATE",
            [*_statements(dialect, "OLD", -1), *_statements(dialect, "NEW", 1)],
            f"WHEN {_changed(dialect)}",
        ),
    ):
        statements = "".join(f"{statement};\n" for statement in body)
        connection.exec_driver_sql(
            f"CREATE TRIGGER {name} AFTER {event} ON calls {when}\nBEGIN\n{statements}END"
        )


def _create_postgresql_triggers(connection: Connection) -> None:
    dialect = "postgresql"
    for name, row, sign in (("calls_count_add", "r", 1), ("calls_count_take", "r", -1)):
        body = "".join(f"{statement};\n" for statement in _statements(dialect, row, sign))
        connection.exec_driver_sql(
            f"CREATE FUNCTION {name}(r calls) RETURNS void LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}END\n$$"
        )
    connection.exec_driver_sql(
        """CREATE FUNCTION calls_counted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM calls_count_take(OLD); END IF;
            IF TG_OP <> 'DELETE' THEN PERFORM calls_count_add(NEW); END IF;
            RETURN NULL;
        END
        $$"""
    )
    connection.exec_driver_sql(
        "CREATE TRIGGER calls_counted_insert_delete AFTER INSERT OR DELETE ON calls "
        "FOR EACH ROW EXECUTE FUNCTION calls_counted()"
    )
    connection.exec_driver_sql(
        "CREATE TRIGGER calls_counted_update AFTER UPDATE ON calls FOR EACH ROW "
        f"WHEN ({_changed(dialect)}) EXECUTE FUNCTION calls_counted()"
    )


def drop_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER calls_counted_update ON calls")
        connection.exec_driver_sql("DROP TRIGGER calls_counted_insert_delete ON calls")
        for function in ("calls_counted()", "calls_count_add(calls)", "calls_count_take(calls)"):
            connection.exec_driver_sql(f"DROP FUNCTION {function}")
        return
    for name in ("calls_counted_insert", "calls_counted_delete", "calls_counted_update"):
        connection.exec_driver_sql(f"DROP TRIGGER {name}")


def counted_zone(connection: Connection) -> str | None:
    """The zone whose local days the counts use; None before any were kept."""
    found = connection.execute(select(local_offsets.c.zone).limit(1)).scalar()
    return None if found is None else str(found)


def rebuild(connection: Connection, zone: ZoneInfo) -> int:
    """Recount every live call in `zone`; returns how many calls were counted."""
    connection.execute(delete(local_offsets))
    changes = offset_changes(zone, OFFSETS_FROM, OFFSETS_TO)
    changes[0] = (_BEFORE_ALL, changes[0][1])
    connection.execute(
        insert(local_offsets),
        [
            {"since": since, "offset_minutes": minutes, "zone": zone.key}
            for since, minutes in changes
        ],
    )
    for table in COUNTED_TABLES:
        connection.execute(delete(table))
    for statement in _statements(connection.dialect.name, "calls", 1, "FROM calls"):
        connection.exec_driver_sql(statement)
    total = connection.execute(select(call_hours.c.calls)).scalars()
    return sum(int(calls) for calls in total)


def drop_empty(connection: Connection) -> None:
    """Delete the counts that fell to zero (days whose calls were all purged)."""
    connection.execute(delete(call_days).where(call_days.c.calls == 0))
    connection.execute(delete(call_hours).where(call_hours.c.calls == 0))
    waits = call_waits.c
    connection.execute(delete(call_waits).where(waits.answered == 0, waits.abandoned == 0))
