"""A record sink that keeps what the tracking service hands it, for the tests to look at."""

from __future__ import annotations

from pbx_bridge.core.calls import CallRecord, Wrapup


class Sink:
    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.wrapups: list[Wrapup] = []

    def record(self, record: CallRecord) -> None:
        self.records.append(record)

    def wrapup(self, wrapup: Wrapup) -> None:
        self.wrapups.append(wrapup)
