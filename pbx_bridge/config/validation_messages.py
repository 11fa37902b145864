"""Turn pydantic's structural errors into admin-readable FILE:LINE messages."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path

from pydantic import BaseModel, ValidationError

from pbx_bridge.config.errors import ConfigIssue
from pbx_bridge.config.yaml_lines import LineMap, Path_


def structural_issues(
    error: ValidationError, model: type[BaseModel], file: Path, lines: LineMap
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for err in error.errors(include_url=False):
        loc: Path_ = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            message = f"unknown key {key!r}{_suggestion(key, _fields_at(model, loc[:-1]))}"
            where = _where(loc[:-1])
            issues.append(ConfigIssue(file, lines.line_of(loc), f"{where}{message}"))
        elif kind == "missing":
            parent = loc[:-1]
            message = f"missing required key {loc[-1]!r}"
            issues.append(ConfigIssue(file, lines.line_of(parent), f"{_where(parent)}{message}"))
        else:
            text = str(err["msg"])
            if kind == "string_pattern_mismatch":
                text = _pattern_message(loc)
            elif kind == "value_error":
                text = str(err.get("ctx", {}).get("error", text))
            elif kind in {"model_type", "dict_type"}:
                text = "expected a mapping of keys (key: value)"
            elif kind == "list_type":
                text = "expected a list (lines starting with '-')"
            issues.append(ConfigIssue(file, lines.line_of(loc), f"{_dotted(loc)}: {text}"))
    return issues


def _pattern_message(loc: Path_) -> str:
    if loc == ("id",):
        return "a tenant id is lowercase letters, digits, '-' and '_' (e.g. gifhorn)"
    return "a name here is letters, digits, '-', '_' and '.', without spaces or slashes"


def _where(loc: Path_) -> str:
    return f"in {_dotted(loc)}: " if loc else ""


def _dotted(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _suggestion(key: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _fields_at(model: type[BaseModel], loc: Path_) -> list[str]:
    """Field names of the model found by walking `loc` from `model` (empty if not a model)."""
    current: object = model
    for part in loc:
        current = _strip_optional(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            return []
    current = _strip_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _strip_optional(annotation: object) -> object:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _strip_optional(args[0]) if len(args) == 1 else annotation
    return annotation
