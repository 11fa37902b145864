"""AGI argument quoting, apart from the asyncio session code: the process-AGI failsafe starts
once per call and needs only this (importing asyncio and panoramisk cost it ~35 ms)."""

from __future__ import annotations


def quote(value: str) -> str:
    """An AGI argument in double quotes; Asterisk unescapes backslashes inside them."""
    cleaned = value.replace("\r", " ").replace("\n", " ")
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'
