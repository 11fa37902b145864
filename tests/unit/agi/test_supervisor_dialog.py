"""The *84 dialog over FastAGI, as Asterisk drives it: PIN, target, close or open."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.server import AgiLimits, AgiServer
from pbx_bridge.agi.supervisor_handler import SupervisorHandler
from pbx_bridge.closures.pin import hash_pin
from pbx_bridge.closures.store import AUDIT_FILE, read_closures
from pbx_bridge.config.loader import BridgeConfig, SupervisorSettings, load_config
from pbx_bridge.core.closures import WHOLE_CENTER
from tests.unit.agi.peer import Session, environment, run_session
from tests.unit.core.factories import at

CONFIG = Path(__file__).resolve().parents[3] / "config" / "bridge.yaml"
PIN = "4711"
PIN_HASH = hash_pin(PIN, salt=b"fixed salt, test")
NOW = at("2026-12-03T09:30")


def keypad(*entries: str) -> Callable[[int, str], bytes]:
    """Asterisk's replies: each GET DATA gets the next entry ('' = timeout, None = hangup)."""
    queue = list(entries)

    def reply(_index: int, command: str) -> bytes:
        if command.startswith("GET DATA"):
            digits = queue.pop(0) if queue else ""
            return b"200 result=-1\n" if digits == "hangup" else f"200 result={digits}\n".encode()
        if command.startswith("STREAM FILE"):
            return b"200 result=0 endpos=16000\n"
        return b"200 result=1\n"

    return reply


def prompts(session: Session) -> list[str]:
    return [c.split()[2] for c in session.commands if c.startswith(("GET DATA", "STREAM FILE"))]


@pytest.fixture
def config(tmp_path: Path) -> BridgeConfig:
    shipped = load_config(CONFIG)
    return dataclasses.replace(
        shipped,
        state_dir=tmp_path,
        supervisor=SupervisorSettings(PIN_HASH, "Kurzfristig geschlossen", None),
    )


@pytest.fixture
async def supervisor_port(config: BridgeConfig) -> AsyncIterator[int]:
    handler = SupervisorHandler(lambda: config, clock=lambda: NOW)
    limits = AgiLimits(header_timeout=0.5, command_timeout=2.0, session_timeout=2.0)
    server = AgiServer({"supervisor": handler}, limits, session_timeouts={"supervisor": 20.0})
    await server.start("127.0.0.1", 0)
    yield server.port
    await server.stop(grace=1.0)


def supervisor_call(caller: str = "201") -> bytes:
    return environment(
        "s",
        agi_network_script="supervisor",
        agi_request="agi://127.0.0.1/supervisor",
        agi_callerid=caller,
    )


async def test_pin_number_and_1_close_gifhorn_and_the_phone_hears_it(
    supervisor_port: int, config: BridgeConfig
) -> None:
    session = await run_session(supervisor_port, supervisor_call(), keypad(PIN, "05371820", "1"))
    assert session.variables()[cv.SUPERVISOR_RESULT] == "closed"
    [closure] = read_closures(config.state_dir).items
    assert (closure.scope, closure.reason, closure.by) == (
        "gifhorn",
        "Kurzfristig geschlossen",
        "phone:201",
    )
    assert prompts(session)[-2:] == ["pbx-bridge/gifhorn", "pbx-bridge/supervisor-closed"]
    assert PIN not in "\n".join(session.commands)
    [audit] = (config.state_dir / AUDIT_FILE).read_text().splitlines()
    assert json.loads(audit)["who"] == "phone:201"


async def test_0_and_2_reopen_the_whole_center(supervisor_port: int, config: BridgeConfig) -> None:
    await run_session(supervisor_port, supervisor_call(), keypad(PIN, "0", "1"))
    assert [c.scope for c in read_closures(config.state_dir).items] == [WHOLE_CENTER]
    session = await run_session(supervisor_port, supervisor_call(), keypad(PIN, "0", "2"))
    assert session.variables()[cv.SUPERVISOR_RESULT] == "opened"
    assert not read_closures(config.state_dir)
    assert prompts(session)[-2:] == ["pbx-bridge/servicecenter", "pbx-bridge/supervisor-opened"]


async def test_three_wrong_pins_change_nothing(supervisor_port: int, config: BridgeConfig) -> None:
    session = await run_session(
        supervisor_port, supervisor_call(), keypad("1234", "47", "99999", "0", "1")
    )
    assert session.variables()[cv.SUPERVISOR_RESULT] == "denied"
    assert prompts(session).count("pbx-bridge/supervisor-denied") == 3
    assert not any("supervisor-target" in p for p in prompts(session))
    assert not read_closures(config.state_dir)


async def test_a_number_no_tenant_claims_is_asked_again(
    supervisor_port: int, config: BridgeConfig
) -> None:
    session = await run_session(
        supervisor_port, supervisor_call(), keypad(PIN, "09991234567", "0537182370", "1")
    )
    assert session.variables()[cv.SUPERVISOR_RESULT] == "closed"
    assert "pbx-bridge/supervisor-unknown" in prompts(session)
    assert [c.scope for c in read_closures(config.state_dir).items] == ["gifhorn"]


async def test_hanging_up_half_way_changes_nothing(
    supervisor_port: int, config: BridgeConfig
) -> None:
    await run_session(supervisor_port, supervisor_call(), keypad(PIN, "hangup"))
    assert not read_closures(config.state_dir)


async def test_without_a_pin_hash_in_the_config_nothing_can_be_closed(tmp_path: Path) -> None:
    config = dataclasses.replace(load_config(CONFIG), state_dir=tmp_path, supervisor=None)
    handler = SupervisorHandler(lambda: config, clock=lambda: NOW)
    server = AgiServer({"supervisor": handler}, AgiLimits(header_timeout=0.5))
    await server.start("127.0.0.1", 0)
    try:
        session = await run_session(server.port, supervisor_call(), keypad(PIN, "0", "1"))
    finally:
        await server.stop(grace=1.0)
    assert session.variables()[cv.SUPERVISOR_RESULT] == "not-configured"
    assert not read_closures(tmp_path)
