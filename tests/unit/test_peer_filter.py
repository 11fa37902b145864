"""Which peers a listener talks to."""

from __future__ import annotations

import pytest

from pbx_bridge.net import PeerFilter


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # a dual-stack listener sees IPv4 peers mapped
        ("fe80::1%eth0", False),
        ("192.0.2.7", False),
        ("not an address", False),
        ("", False),
    ],
)
def test_without_an_allowlist_only_loopback_peers_are_allowed(host: str, allowed: bool) -> None:
    peers = PeerFilter()
    assert peers.allows(host) is allowed


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("192.0.2.10", True),
        ("198.51.100.200", True),
        ("::ffff:198.51.100.7", True),
        ("198.51.101.1", False),
        ("127.0.0.1", False),  # named nowhere: a local process is one more stranger
        ("2001:db8::5", True),
        ("2001:db8::5%eth0", True),
    ],
)
def test_an_allowlist_allows_exactly_its_entries(host: str, allowed: bool) -> None:
    peers = PeerFilter.of(["192.0.2.10", "198.51.100.0/24", "2001:db8::/64"])
    assert peers.allows(host) is allowed


def test_filters_with_the_same_entries_are_equal() -> None:
    one, other = PeerFilter.of(["192.0.2.10"]), PeerFilter.of(["192.0.2.10"])
    assert one == other and hash(one) == hash(other)
