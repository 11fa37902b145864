"""Every event the package logs is in the event catalogue of docs/operations.md."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pbx_bridge"
LEVELS = frozenset({"debug", "info", "warning", "error", "exception", "critical"})
EVENT = re.compile(r"^[a-z][a-z0-9_]+$")


def _names(node: ast.expr) -> Iterator[str]:
    """The event names an argument can be: a literal, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _names(node.body)
        yield from _names(node.orelse)


def logged_events() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            receiver, method = node.func.value, node.func.attr
            if method in LEVELS and isinstance(receiver, ast.Name) and receiver.id == "log":
                arguments = node.args[:1]
            elif method == "_refuse":  # agi/server.py: (reason, event, ...)
                arguments = node.args[1:2]
            else:
                continue
            found.update(name for arg in arguments for name in _names(arg) if EVENT.match(name))
    return found


def catalogued_events() -> set[str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = text.split("| event | level | what happened |", 1)[1].split("\n\n", 1)[0]
    first_cells = (line.split("|")[1] for line in table.splitlines() if line.startswith("| `"))
    return {name for cell in first_cells for name in re.findall(r"`([a-z0-9_]+)`", cell)}


def test_every_logged_event_is_in_the_catalogue() -> None:
    events = logged_events()
    assert {"call_routed", "call_ended", "spool_replayed"} <= events  # the scan finds them
    assert sorted(events - catalogued_events()) == []
