"""A running AgiServer with the route handler on the shipped configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from pbx_bridge.agi.route_handler import RouteHandler
from pbx_bridge.agi.server import AgiLimits, AgiServer
from pbx_bridge.config.loader import load_config
from tests.unit.core.factories import at

CONFIG = Path(__file__).resolve().parents[3] / "config" / "bridge.yaml"
OPEN_INSTANT = at("2026-11-23T10:00")  # a Monday morning: everyone is open


@pytest.fixture
def refused() -> list[str]:
    return []


@pytest.fixture
def limits() -> AgiLimits:
    return AgiLimits(header_timeout=0.3, command_timeout=2.0, session_timeout=4.0, slot_wait=0.2)


@pytest.fixture
async def agi_server(limits: AgiLimits, refused: list[str]) -> AsyncIterator[AgiServer]:
    config = load_config(CONFIG)
    clock: datetime = OPEN_INSTANT
    handler = RouteHandler(lambda: config, clock=lambda: clock)
    server = AgiServer({"route": handler}, limits, on_refused=refused.append)
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop(grace=1.0)


@pytest.fixture
def agi_port(agi_server: AgiServer) -> int:
    return agi_server.port
