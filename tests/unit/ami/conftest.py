"""A scripted AMI peer and what a link needs to reach it, for the AMI link and service tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.unit.ami.fake_ami import FakeAmi


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "ami.secret"
    path.write_text("s3cret\n")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
async def ami() -> AsyncIterator[FakeAmi]:
    fake = FakeAmi()
    await fake.start()
    yield fake
    await fake.stop()
