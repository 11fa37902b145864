"""A pcap of RFC 4733 key presses for SIPp's `play_pcap_audio`: one press every N seconds.

SIPp's own dtmf_2833_1.pcap holds one press; played twice, both carry the same RTP timestamp
and Asterisk takes the second for a retransmission of the first (RFC 4733: one event per
timestamp). Here every press has its own timestamp and the presses are paced by the packet
times, which SIPp keeps when it replays them.
"""

from __future__ import annotations

import struct
from pathlib import Path

PAYLOAD_TYPE = 101  # telephone-event, as the callers' SDP offers it
_SSRC = 0x50425842
_PACKET_S = 0.02  # one RTP packet per 20 ms
_SAMPLES = 160  # 20 ms at 8 kHz
_PRESS_PACKETS = 5  # 100 ms of the key held down
_END_REPEATS = 3  # the end packet is sent three times (RFC 4733 2.5.1.4)


def _udp_frame(payload: bytes) -> bytes:
    """Ethernet + IPv4 + UDP around `payload`; SIPp replaces addresses and ports."""
    udp = struct.pack("!HHHH", 4000, 4000, 8 + len(payload), 0) + payload
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]),
    )  # fmt: skip
    ethernet = b"\x00" * 12 + b"\x08\x00"
    return ethernet + ip + udp


def _rtp(seq: int, timestamp: int, *, marker: bool, event: int, end: bool, duration: int) -> bytes:
    header = struct.pack(
        "!BBHII",
        0x80,
        (0x80 if marker else 0) | PAYLOAD_TYPE,
        seq & 0xFFFF,
        timestamp & 0xFFFFFFFF,
        _SSRC,
    )
    volume = 10
    return header + struct.pack("!BBH", event, (0x80 if end else 0) | volume, duration)


def write_presses(path: Path, digit: int, *, presses: int, every_s: float) -> Path:
    """`presses` presses of `digit`, the first at once, then one every `every_s` seconds."""
    packets: list[tuple[float, bytes]] = []
    seq = 1
    for press in range(presses):
        start = press * every_s
        timestamp = 8000 + int(start * 8000)
        for index in range(_PRESS_PACKETS + _END_REPEATS):
            end = index >= _PRESS_PACKETS
            duration = _SAMPLES * (min(index, _PRESS_PACKETS - 1) + 1)
            rtp = _rtp(seq, timestamp, marker=index == 0, event=digit, end=end, duration=duration)
            packets.append((start + index * _PACKET_S, rtp))
            seq += 1
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for at, rtp in packets:
        frame = _udp_frame(rtp)
        seconds = int(at)
        out += struct.pack("<IIII", seconds, int((at - seconds) * 1e6), len(frame), len(frame))
        out += frame
    path.write_bytes(bytes(out))
    return path
