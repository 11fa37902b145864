"""How a session reads Asterisk's reply lines; a line read before reads the same again."""

from __future__ import annotations

import pytest

from pbx_bridge.agi.protocol import AgiChannel, AgiHangupError, AgiProtocolError, AgiReply


class _Lines:
    """A link that answers every command with the next of `lines`."""

    def __init__(self, *lines: str) -> None:
        self._lines = list(lines)
        self.sent: list[bytes] = []

    async def readline(self, timeout: float) -> str:
        if not self._lines:
            raise AgiHangupError("connection closed")
        return self._lines.pop(0)

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def end(self) -> None:
        pass


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("200 result=0", AgiReply(200, "0", "")),
        ("200 result=1", AgiReply(200, "1", "")),
        ("200 result=1 (Gifhorn)", AgiReply(200, "1", "Gifhorn")),
        ("510 Invalid or unknown command", AgiReply(510, "", "Invalid or unknown command")),
    ],
)
async def test_each_reply_reads_the_same_the_first_and_the_second_time(
    line: str, reply: AgiReply
) -> None:
    for _ in range(2):
        channel = AgiChannel(_Lines(line), timeout=1.0)
        assert await channel.command("GET VARIABLE X") == reply
        assert not channel.hung_up


async def test_an_applications_error_marks_every_channel_that_reads_it_as_gone() -> None:
    for _ in range(2):  # the second parse of the line comes from the cache
        channel = AgiChannel(_Lines("200 result=-1"), timeout=1.0)
        assert await channel.command("EXEC Playback x") == AgiReply(200, "-1", "")
        assert channel.hung_up
        with pytest.raises(AgiHangupError):
            await channel.command("EXEC Playback y")


async def test_a_line_that_is_no_reply_is_refused_every_time() -> None:
    for _ in range(2):
        channel = AgiChannel(_Lines("hello there"), timeout=1.0)
        with pytest.raises(AgiProtocolError, match="unexpected AGI reply"):
            await channel.command("NOOP")
