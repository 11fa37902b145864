"""AGI argument quoting, apart from the asyncio session code: the process-AGI failsafe starts
once per call and needs only this (importing asyncio and panoramisk cost it ~35 ms)."""

from __future__ import annotations

# A line break would end the command, a NUL the C string Asterisk reads it into.
_BREAKING = str.maketrans({"\r": " ", "\n": " ", "\0": " "})


def quote(value: str) -> str:
    """An AGI argument in double quotes; Asterisk unescapes backslashes inside them."""
    cleaned = value.translate(_BREAKING)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'
