"""Open the call log a configuration names (shared by the daemon and the CLI)."""

from __future__ import annotations

from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.kpis import KpiThresholds
from pbx_bridge.storage.calllog import CallLog


def open_call_log(config: BridgeConfig) -> CallLog:
    thresholds = KpiThresholds(
        config.reports.service_level_threshold_s, config.reports.short_abandon_s
    )
    return CallLog(config.database_url, directory=config.directory, thresholds=thresholds)
