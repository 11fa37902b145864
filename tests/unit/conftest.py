"""Unit-test isolation shared by every module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _fresh_structlog() -> Iterator[None]:
    """A test that runs a command configures structlog to print to the stdout of that moment,
    which pytest closes after the test; a later test's thread logging there would die."""
    yield
    structlog.reset_defaults()
