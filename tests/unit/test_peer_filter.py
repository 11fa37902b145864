"""Which peers a listener talks to, and that remembering the answers changes none of them."""

from __future__ import annotations

import pytest

from pbx_bridge.net import _REMEMBERED_PEERS, PeerFilter


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
    assert peers.allows(host) is allowed  # the remembered answer is the same


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
    assert peers.allows(host) is allowed


def test_remembered_answers_are_bounded_and_stay_right_past_the_bound() -> None:
    peers = PeerFilter.of(["10.0.0.0/8"])
    hosts = [f"10.{i // 256 % 256}.{i % 256}.1" for i in range(3 * _REMEMBERED_PEERS)]
    strangers = [f"192.0.2.{i % 250}" for i in range(3 * _REMEMBERED_PEERS)]
    for host, stranger in zip(hosts, strangers, strict=True):
        assert peers.allows(host)
        assert not peers.allows(stranger)
        assert len(peers._verdicts) <= _REMEMBERED_PEERS
    assert peers.allows(hosts[0]) and not peers.allows(strangers[0])


def test_filters_with_the_same_entries_are_equal_whatever_they_remember() -> None:
    one, other = PeerFilter.of(["192.0.2.10"]), PeerFilter.of(["192.0.2.10"])
    one.allows("192.0.2.10")
    assert one == other and hash(one) == hash(other)
