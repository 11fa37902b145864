"""Read one YAML file into a pydantic model, keeping line numbers and salvaging what is valid."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from pbx_bridge.config.errors import ConfigIssue
from pbx_bridge.config.lenient import salvage
from pbx_bridge.config.validation_messages import structural_issues
from pbx_bridge.config.yaml_lines import LineMap, load_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass
class Parsed(Generic[M]):
    model: M | None  # fully valid
    salvaged: M | None  # valid parts with placeholders, only to look for more errors
    lines: LineMap
    data: object
    issues: list[ConfigIssue] = field(default_factory=list)

    @property
    def usable(self) -> M | None:
        return self.model or self.salvaged


def parse(file: Path, text: str, model: type[M], placeholders: dict[str, object]) -> Parsed[M]:
    loaded = load_yaml(text)
    issues = [ConfigIssue(file, p.line, p.message) for p in loaded.problems]
    if loaded.data is None and not issues:
        issues.append(ConfigIssue(file, 1, "the file is empty"))
    if issues:
        return Parsed(None, None, loaded.lines, loaded.data, issues)
    try:
        return Parsed(model.model_validate(loaded.data), None, loaded.lines, loaded.data)
    except ValidationError as exc:
        issues = structural_issues(exc, model, file, loaded.lines)
        rescued = salvage(model, loaded.data, exc, placeholders)
        return Parsed(None, rescued, loaded.lines, loaded.data, issues)


def validate_part(model: type[M], data: object, placeholders: dict[str, object]) -> M | None:
    """A sub-mapping validated on its own (issues were already reported for the whole file)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return salvage(model, data, exc, placeholders)
