"""Records and wrap-ups as JSON lines for the spool: lossless round trip of the dataclasses."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime
from enum import Enum
from typing import Any

from pbx_bridge.core.calls import CallRecord, Outcome, Wrapup

_DATETIME_FIELDS = {"started", "ended", "queued", "answered", "at"}


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def encode_record(record: CallRecord) -> str:
    data = {name: _plain(value) for name, value in asdict(record).items()}
    return json.dumps({"kind": "record", "record": data}, ensure_ascii=False)


def encode_wrapup(wrapup: Wrapup, node: str) -> str:
    data = {name: _plain(value) for name, value in asdict(wrapup).items()}
    return json.dumps({"kind": "wrapup", "node": node, "wrapup": data}, ensure_ascii=False)


def _fields(cls: type[CallRecord] | type[Wrapup], data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for name, raw in data.items():
        if name not in names:
            continue  # written by a newer version: the fields this one knows still count
        if name in _DATETIME_FIELDS and raw is not None:
            values[name] = datetime.fromisoformat(raw)
        elif name == "outcome":
            values[name] = Outcome(raw)
        else:
            values[name] = raw
    return values


def decode(line: str) -> CallRecord | tuple[Wrapup, str]:
    """A spooled record, or a spooled (wrap-up, node); ValueError for anything else."""
    entry = json.loads(line)
    if not isinstance(entry, dict):
        raise ValueError("spool entry is not an object")
    if entry.get("kind") == "record":
        return CallRecord(**_fields(CallRecord, entry["record"]))
    if entry.get("kind") == "wrapup":
        return Wrapup(**_fields(Wrapup, entry["wrapup"])), str(entry["node"])
    raise ValueError(f"unknown spool entry kind {entry.get('kind')!r}")
