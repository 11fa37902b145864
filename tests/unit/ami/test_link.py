"""The AMI link: login check, whole-message decoding, isolation of callbacks, watchdog, resync."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from pbx_bridge.ami.link import AmiLink, AmiSecretError, LinkTiming, next_backoff, read_secret
from pbx_bridge.config.loader import AmiSettings
from tests.unit.ami.fake_ami import FAST, FakeAmi, message, settings

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


class Harness:
    def __init__(
        self,
        fake: FakeAmi,
        secret_file: Path,
        raising: bool = False,
        timing: LinkTiming = FAST,
    ) -> None:
        self.events: list[Mapping[str, object]] = []
        self.logins = 0
        self.login_times: list[float] = []  # the event loop's clock
        self.raising = raising
        self.stop = asyncio.Event()
        self.link = AmiLink(settings(fake.port, secret_file), self._event, self._login, timing)
        self.task: asyncio.Task[None] | None = None

    def _event(self, event: Mapping[str, object]) -> None:
        self.events.append(dict(event))
        if self.raising:
            raise RuntimeError("a broken tracker")

    async def _login(self, link: AmiLink) -> None:
        self.logins += 1
        self.login_times.append(asyncio.get_running_loop().time())
        await link.action({"Action": "CoreShowChannels"}, as_list=True)

    async def __aenter__(self) -> Harness:
        self.task = asyncio.create_task(self.link.run(self.stop))
        return self

    async def __aexit__(self, *_: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 3)

    async def until(self, check: object, timeout: float = 3.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not check():  # type: ignore[operator]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("condition not reached")
            await asyncio.sleep(0.02)


async def test_logs_in_and_resyncs(ami: FakeAmi, secret_file: Path) -> None:
    async with Harness(ami, secret_file) as h:
        await h.until(lambda: h.logins == 1)
        assert h.link.connected
        assert any(a.get("Action") == "CoreShowChannels" for a in ami.actions)


async def test_umlaut_split_across_two_chunks_survives(ami: FakeAmi, secret_file: Path) -> None:
    async with Harness(ami, secret_file) as h:
        await h.until(lambda: h.link.connected)
        data = message(Event="Newchannel", CallerIDName="Jürgen Müller", Uniqueid="1.1")
        cut = data.index("ü".encode()) + 1  # between the two bytes of the first ü
        ami.send_raw(data[:cut])
        await asyncio.sleep(0.05)
        ami.send_raw(data[cut:])
        await h.until(lambda: any(e.get("Event") == "Newchannel" for e in h.events))
        newchannel = next(e for e in h.events if e.get("Event") == "Newchannel")
        assert newchannel["CallerIDName"] == "Jürgen Müller"


async def test_invalid_utf8_does_not_lose_the_event(ami: FakeAmi, secret_file: Path) -> None:
    async with Harness(ami, secret_file) as h:
        await h.until(lambda: h.link.connected)
        ami.send_raw(b"Event: Newchannel\r\nCallerIDName: J\xc3\r\nUniqueid: 1.2\r\n\r\n")
        await h.until(lambda: any(e.get("Uniqueid") == "1.2" for e in h.events))


async def test_a_raising_callback_does_not_kill_the_connection(
    ami: FakeAmi, secret_file: Path
) -> None:
    async with Harness(ami, secret_file, raising=True) as h:
        await h.until(lambda: h.link.connected)
        ami.send_raw(message(Event="Hangup", Uniqueid="a") + message(Event="Hangup", Uniqueid="b"))
        await h.until(lambda: len([e for e in h.events if e.get("Event") == "Hangup"]) == 2)
        assert h.link.connected
        assert h.link.reconnects == 0


async def test_wrong_secret_is_reported_not_retried_silently(
    ami: FakeAmi, secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ami.secret = "something else"
    async with Harness(ami, secret_file) as h:
        await h.until(lambda: h.link.last_error is not None)
        assert "refused" in (h.link.last_error or "")
        assert "Authentication failed" in (h.link.last_error or "")
        assert not h.link.connected
    assert "ami_secret_unusable" in capsys.readouterr().out


async def test_silent_peer_is_detected_and_the_link_reconnects(
    ami: FakeAmi, secret_file: Path
) -> None:
    async with Harness(ami, secret_file) as h:
        await h.until(lambda: h.logins == 1)
        ami.answer_pings = False  # connection stays open, nothing comes back
        await h.until(lambda: not h.link.connected, timeout=3.0)
        ami.answer_pings = True
        await h.until(lambda: h.logins == 2, timeout=3.0)
        assert h.link.reconnects >= 1


async def test_dropped_connection_reconnects_and_resyncs(ami: FakeAmi, secret_file: Path) -> None:
    async with Harness(ami, secret_file) as h:
        await h.until(lambda: h.logins == 1)
        ami.drop_connections()
        await h.until(lambda: h.logins == 2)
        resyncs = [a for a in ami.actions if a.get("Action") == "CoreShowChannels"]
        assert len(resyncs) == 2


async def test_silence_is_detected_when_the_limit_passes_not_at_the_next_ping(
    ami: FakeAmi, secret_file: Path
) -> None:
    # Pings every 1 s, dead after 1.2 s of silence: checked only at the Pings, the silence
    # would be noticed at the second one (2 s); it must be noticed at 1.2 s.
    timing = dataclasses.replace(FAST, ping_interval=1.0, silence_limit=1.2)
    async with Harness(ami, secret_file, timing=timing) as h:
        await h.until(lambda: h.logins == 1)
        await asyncio.sleep(1.1)  # just after a Pong
        ami.answer_pings = False
        fell_silent = asyncio.get_running_loop().time()  # the last byte came at or before this
        await h.until(lambda: not h.link.connected, timeout=3.0)
        assert asyncio.get_running_loop().time() - fell_silent < 1.2 + 0.3


def test_default_watchdog_drops_a_silent_peer_within_15_s() -> None:
    timing = LinkTiming()
    assert timing.silence_limit <= 15 - 1  # detection is exact to the event loop's wake-up
    assert timing.silence_limit >= 2 * timing.ping_interval  # two Pings unanswered, not one


def test_default_backoff_retries_a_restarting_asterisk_at_least_every_2_s() -> None:
    # Attempts while Asterisk restarts for 20 s: whenever its port accepts again, the next
    # attempt comes at most backoff_max later (Asterisk's restart must not cost 16 s more).
    timing = LinkTiming()
    attempts, at, delay = [], 0.0, timing.backoff_first
    while at < 20:
        at += delay
        attempts.append(at)
        delay = next_backoff(delay, timing)
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert max(gaps) <= 2.0
    assert gaps[0] >= 0.5 and len(attempts) <= 15  # not hammering: ~1 attempt per 2 s


async def test_reconnects_within_the_backoff_cap_after_asterisk_comes_back(
    ami: FakeAmi, secret_file: Path
) -> None:
    capped = Harness(
        ami, secret_file, timing=dataclasses.replace(FAST, backoff_first=0.05, backoff_max=0.3)
    )
    async with capped:
        await capped.until(lambda: capped.link.connected)
        back = await ami.restart(down_s=2.0)  # several attempts are refused meanwhile
        await capped.until(lambda: capped.logins == 2, timeout=3.0)
        assert capped.login_times[1] - back < 0.3 + 0.2


async def test_backoff_starts_again_after_each_lost_working_connection(
    ami: FakeAmi, secret_file: Path
) -> None:
    # Five drops of a logged-in connection: each reconnect is quick, the delay does not keep
    # doubling from drop to drop (0.1, 0.2, 0.4, 0.8, 1.6 s).
    timing = dataclasses.replace(FAST, backoff_first=0.1, backoff_max=2.0)
    async with Harness(ami, secret_file, timing=timing) as h:
        for drop in range(1, 6):
            await h.until(lambda: h.logins == drop)  # noqa: B023
            dropped = asyncio.get_running_loop().time()
            ami.drop_connections()
            await h.until(lambda: h.logins == drop + 1)  # noqa: B023
            assert h.login_times[-1] - dropped < 0.1 + 0.2, f"drop {drop}"


def test_secret_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ami.secret"
    path.write_text("s3cret")
    os.chmod(path, 0o644)
    with pytest.raises(AmiSecretError, match="chmod 600"):
        read_secret(AmiSettings("127.0.0.1", 5038, "u", path, None))


def test_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBXB_TEST_SECRET", "from-env")
    assert read_secret(AmiSettings("h", 1, "u", None, "PBXB_TEST_SECRET")) == "from-env"
    monkeypatch.delenv("PBXB_TEST_SECRET")
    with pytest.raises(AmiSecretError, match="not set"):
        read_secret(AmiSettings("h", 1, "u", None, "PBXB_TEST_SECRET"))
