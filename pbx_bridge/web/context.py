"""What every route needs, built once by `pbx-bridge web` (no module-level singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.console_access import ThrottlePolicy
from pbx_bridge.storage import CallLog
from pbx_bridge.web.auth.store import AccountStore
from pbx_bridge.web.settings import WebSettings
from pbx_bridge.web.today.live import LiveQueue


@dataclass(frozen=True)
class ConsoleContext:
    config: BridgeConfig
    call_log: CallLog
    accounts: AccountStore
    settings: WebSettings
    clock: Callable[[], datetime]  # aware UTC
    live: Callable[[], LiveQueue]  # callers waiting now, from the daemon
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)

    def today(self) -> date:
        return self.clock().astimezone(self.call_log.zone).date()

    def tenant_names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.config.directory.tenants}
