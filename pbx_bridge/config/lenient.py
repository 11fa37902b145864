"""Validate what is valid when a file has structural errors, so meaning errors still surface.

An admin should see every error in one run: a typo in one key must not hide a
bad time range two lines above it. We drop the top-level keys pydantic
complained about, fill missing required ones with harmless placeholders, and
validate the rest; the result is only used to look for further errors.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def salvage(
    model: type[M], data: object, error: ValidationError, placeholders: dict[str, object]
) -> M | None:
    if not isinstance(data, dict):
        return None
    bad = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    kept: dict[str, object] = {k: v for k, v in data.items() if k not in bad}
    for key, value in placeholders.items():
        kept.setdefault(key, value)
    try:
        return model.model_validate(kept)
    except ValidationError:
        return None
