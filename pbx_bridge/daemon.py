"""The composition root: wires configuration, the FastAGI listener and signals together."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import structlog

from pbx_bridge import channel_vars
from pbx_bridge.agi.route_handler import RouteHandler
from pbx_bridge.agi.server import AgiLimits, AgiServer
from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import BridgeConfig, load_config

log = structlog.get_logger("pbx_bridge.daemon")


class ConfigHolder:
    """The configuration in force; a reload swaps it whole or not at all."""

    def __init__(self, path: Path, config: BridgeConfig) -> None:
        self.path = path
        self._config = config

    def current(self) -> BridgeConfig:
        return self._config

    def reload(self) -> bool:
        try:
            new = load_config(self.path)
        except ConfigInvalidError as exc:
            for issue in exc.issues:
                log.error("config_reload_error", issue=str(issue))
            log.error(
                "config_reload_rejected", errors=len(exc.issues), kept=self._config.generation
            )
            return False
        if new.agi_listen != self._config.agi_listen:
            log.warning("config_listen_changed_needs_restart", listen=str(new.agi_listen))
        self._config = new
        log.info("config_reloaded", generation=new.generation, tenants=len(new.directory.tenants))
        return True


class Daemon:
    def __init__(self, config: BridgeConfig, limits: AgiLimits | None = None) -> None:
        self.config = ConfigHolder(config.path, config)
        handler = RouteHandler(self.config.current, clock=lambda: datetime.now(UTC))
        self.agi = AgiServer({channel_vars.AGI_SCRIPT: handler}, limits)
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self, stop_grace: float = 10.0) -> int:
        listen = self.config.current().agi_listen
        await self.agi.start(listen.host, listen.port)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.request_stop)
        loop.add_signal_handler(signal.SIGINT, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, self.config.reload)
        log.info("daemon_ready", generation=self.config.current().generation)
        await self._stop.wait()
        log.info("daemon_stopping", sessions=self.agi.active_sessions)
        await self.agi.stop(stop_grace)
        log.info("daemon_stopped")
        return 0
