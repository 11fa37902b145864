"""Every line the daemon logs is one JSON object, also what libraries write through the
standard `logging` module."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from pbx_bridge.logging_setup import configure


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root, own = logging.getLogger(), logging.getLogger("pbx_bridge")
    handlers, level, own_level = list(root.handlers), root.level, own.level
    yield
    root.handlers, root.level = handlers, level
    own.setLevel(own_level)
    structlog.reset_defaults()


@pytest.mark.usefixtures("restore_logging")
def test_stdlib_warnings_come_out_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure(json=True)
    logging.getLogger("sqlalchemy.pool.impl.QueuePool").warning(
        "Exception during reset or similar: %s", "locked\n[SQL: BEGIN]"
    )
    structlog.get_logger("pbx_bridge.daemon").info("daemon_ready")
    lines = capsys.readouterr().out.splitlines()
    parsed = [json.loads(line) for line in lines]
    assert [p["event"] for p in parsed] == [
        "Exception during reset or similar: locked\n[SQL: BEGIN]",
        "daemon_ready",
    ]
    assert parsed[0]["level"] == "warning"
    assert parsed[0]["logger"] == "sqlalchemy.pool.impl.QueuePool"
    assert parsed[0]["timestamp"].endswith("Z")


@pytest.mark.usefixtures("restore_logging")
def test_library_info_lines_stay_out(capsys: pytest.CaptureFixture[str]) -> None:
    configure(json=True)
    logging.getLogger("panoramisk.manager").info("Adding action to awaiting list: {...}")
    logging.getLogger("asyncio").warning("Executing <Task ...> took 0.250 seconds")
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["event"] == "Executing <Task ...> took 0.250 seconds"


@pytest.mark.usefixtures("restore_logging")
def test_configuring_twice_does_not_double_the_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure(json=True)
    configure(json=True)
    logging.getLogger("asyncio").error("Unclosed connection")
    assert len(capsys.readouterr().out.splitlines()) == 1
