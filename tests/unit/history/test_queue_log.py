"""queue_log lines to call-log rows, on a queue_log the testbed's Asterisk 22 wrote for the
mix of tests/integration/test_queue_log_import.py (answered twice, a blind transfer, an
abandon, a queue timeout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.history.calls_csv import RowError
from pbx_bridge.history.queue_log import (
    QueueLogCounts,
    QueueTarget,
    parse_queue_map,
    read_queue_log,
)

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "queue_log" / "testbed-mix.queue_log"
QUEUES = {
    "servicecenter": QueueTarget("gifhorn"),
    "testbed-transfer": QueueTarget("isenbuettel", "Zentrale"),
}


def read(
    lines: list[str], queues: dict[str, QueueTarget] = QUEUES
) -> tuple[list[object], QueueLogCounts]:
    counts = QueueLogCounts()
    items: list[object] = list(read_queue_log(lines, queues, PrivacyPolicy(), counts))
    return items, counts


def test_each_call_of_the_recorded_queue_log_gets_its_outcome_and_times() -> None:
    items, counts = read(RECORDED.read_text().splitlines())
    rows = {row["call_id"]: row for row in items if isinstance(row, dict)}
    assert len(rows) == len(items) == 5 and counts.unfinished == 0
    assert {call_id: row["outcome"] for call_id, row in rows.items()} == {
        "1796290032.0": "resolved",  # COMPLETECALLER
        "1796290036.2": "resolved",  # COMPLETEAGENT
        "1796290045.4": "transferred",  # BLINDTRANSFER
        "1796290052.7": "abandoned",  # ABANDON
        "1796290057.8": "overflow",  # EXITWITHTIMEOUT
    }
    agent_hung_up = rows["1796290036.2"]
    assert (agent_hung_up["wait_s"], agent_hung_up["talk_s"]) == (0.0, 6.0)
    assert agent_hung_up["agent"] == "PJSIP/agent2" and agent_hung_up["answered"] is not None
    assert agent_hung_up["caller"] == "099955500xxx"  # shortened as the privacy policy says
    transfer = rows["1796290045.4"]
    assert (transfer["tenant"], transfer["department"], transfer["wait_s"]) == (
        "isenbuettel",
        "Zentrale",
        1.0,
    )
    timeout = rows["1796290057.8"]
    assert (timeout["wait_s"], timeout["answered"]) == (8.0, None)


def test_a_call_still_in_the_queue_when_the_file_ends_is_counted_not_imported() -> None:
    items, counts = read(["1796290034|1.0|servicecenter|NONE|ENTERQUEUE||099955500001|1"])
    assert items == [] and counts.unfinished == 1


def test_bad_lines_and_unmapped_queues_are_named_by_line() -> None:
    items, _counts = read(
        [
            "1796290034|1.0|servicecenter|NONE|ENTERQUEUE||099955500001|1",
            "not a queue_log line",
            "yesterday|2.0|servicecenter|NONE|ENTERQUEUE||0999|1",
            "1796290035|3.0|elsewhere|NONE|ENTERQUEUE||0999|1",
            "1796290036|1.0|servicecenter|NONE|ABANDON|1|1|-5",
        ]
    )
    assert items == [
        RowError(2, "not a queue_log line (epoch|callid|queue|agent|event|…)"),
        RowError(3, "time 'yesterday' is not a Unix timestamp"),
        RowError(4, "queue 'elsewhere' is not in --queue-map"),
        RowError(5, "ABANDON: -5.0 is not a number of seconds"),
    ]


def test_queue_map_reads_tenants_departments_and_unrouted_queues() -> None:
    mapping = parse_queue_map(["servicecenter=gifhorn:Zentrale,lobby=", "kfz=gifhorn"], ["gifhorn"])
    assert mapping == {
        "servicecenter": QueueTarget("gifhorn", "Zentrale"),
        "lobby": QueueTarget(None),
        "kfz": QueueTarget("gifhorn"),
    }
    with pytest.raises(ValueError, match="unknown tenant 'atlantis'"):
        parse_queue_map(["servicecenter=atlantis"], ["gifhorn"])
    with pytest.raises(ValueError, match="is not QUEUE=TENANT"):
        parse_queue_map(["servicecenter"], ["gifhorn"])
