"""Open the call log a configuration names (shared by the daemon and the CLI)."""

from __future__ import annotations

from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.storage.calllog import CallLog


def open_call_log(config: BridgeConfig) -> CallLog:
    return CallLog(
        config.database_url,
        directory=config.directory,
        thresholds=config.reports.thresholds(),
        tenant_thresholds=config.reports.tenant_thresholds(),
    )
