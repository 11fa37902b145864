"""AMI peers and secrets that misbehave: each is one clear log line, and the link lives on."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from pbx_bridge.ami.link import AmiLink, AmiSecretError, read_secret
from tests.unit.ami.fake_ami import FAST, settings


async def _mute_peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Greets like Asterisk, then never answers (a hung manager, or something else)."""
    writer.write(b"Asterisk Call Manager/9.0.0\r\n")
    await writer.drain()
    await reader.read()  # until the link hangs up


async def test_a_login_never_answered_times_out_without_a_cancelled_error_traceback(
    secret_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = await asyncio.start_server(_mute_peer, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    timing = dataclasses.replace(FAST, login_timeout=0.2, backoff_first=5.0, backoff_max=5.0)
    link = AmiLink(settings(port, secret_file), lambda _e: None, _no_login, timing)
    stop = asyncio.Event()
    caplog.set_level(logging.ERROR, logger="asyncio")
    with capture_logs() as logs:
        task = asyncio.create_task(link.run(stop))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if any(entry["event"] == "ami_unreachable" for entry in logs):
                break
        await asyncio.sleep(0.1)  # panoramisk's login callback has run by now
        stop.set()
        await asyncio.wait_for(task, 3)
    server.close()
    await server.wait_closed()
    assert [entry["error"] for entry in logs if entry["event"] == "ami_unreachable"] == [
        "TimeoutError: "
    ]
    assert not [r for r in caplog.records if "CancelledError" in (r.exc_text or r.getMessage())]
    assert not [r for r in caplog.records if r.exc_info]


async def _no_login(_link: AmiLink) -> None:
    return None


def test_a_secret_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    secret = tmp_path / "ami.secret"
    secret.write_bytes(b"s3cr\xe9t\n")
    secret.chmod(0o600)
    with pytest.raises(AmiSecretError, match=r"is not UTF-8 text$"):
        read_secret(settings(5038, secret))


async def test_a_secret_file_that_is_not_utf8_is_logged_and_the_link_keeps_trying(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "ami.secret"
    secret.write_bytes(b"\xff\xfe\n")
    secret.chmod(0o600)
    link = AmiLink(settings(1, secret), lambda _e: None, _no_login, FAST)
    stop = asyncio.Event()
    with capture_logs() as logs:
        task = asyncio.create_task(link.run(stop))
        await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(task, 3)
    unusable = [entry for entry in logs if entry["event"] == "ami_secret_unusable"]
    assert unusable and "not UTF-8" in unusable[0]["error"]
