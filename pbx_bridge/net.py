"""Which peers may talk to a listener: loopback when no allowlist is given, else exactly the list.

An allowlist is what an admin writes for a listener on the network ("only the Asterisk host"):
a local process on that machine is then one more peer it does not name, so it is refused too
(add 127.0.0.1 to the list to keep it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class PeerFilter:
    allowed: tuple[Network, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str]) -> PeerFilter:
        """From '10.0.0.5', '192.0.2.0/24' or '::1' strings; raises ValueError on a bad one."""
        return cls(tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries))

    def allows(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not self.allowed:
            return address.is_loopback
        return any(address in network for network in self.allowed)


def is_loopback_bind(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
