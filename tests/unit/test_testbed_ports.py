"""The testbed's ports: each xdist worker its own block, none in the kernel's ephemeral range
or the Asterisks' RTP range, none handed out twice by one process."""

from __future__ import annotations

import socket

from tests.testbed import ports

EPHEMERAL = range(32768, 61000)
RTP = range(10000, 20000)  # tests/testbed/templates/rtp.conf


def test_workers_have_disjoint_blocks_outside_the_ephemeral_and_rtp_ranges() -> None:
    blocks = [ports.block_of(worker) for worker in ("gw0", "gw1", "gw2", "gw3", "")]
    taken: set[int] = set()
    for block in blocks:
        used = set(range(block.start, block.stop + 2))  # a port and port + 2
        assert not used & taken
        assert not used & set(EPHEMERAL) and not used & set(RTP)
        taken |= used


def test_a_process_never_hands_out_a_port_twice_and_each_is_free() -> None:
    handed = [ports.free_port() for _ in range(50)]
    assert len(set(handed)) == len(handed)
    for port in handed:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((ports.HOST, port))
