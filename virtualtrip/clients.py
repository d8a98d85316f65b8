"""Which address a request came from, for limits counted per client (the floor's registrations).

`REMOTE_ADDR` is the peer of the connection. Behind a reverse proxy that is the proxy, so every client
would share one limit; the proxy says whom it forwards for in `X-Forwarded-For`, but anyone can send
that header, so it is believed only from the proxies named in `settings.TRUSTED_PROXIES`
(`VIRTUALTRIP_TRUSTED_PROXIES`: addresses or networks). Each trusted proxy appends the address it was
reached from, so the client is the rightmost address in the header that is not a trusted proxy:
whatever a client wrote itself is to the left of it and is never read.
"""

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> list[Network]:
    """The networks of `settings.TRUSTED_PROXIES`; ValueError names an entry that is none."""
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").split("]")[0])
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: list[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer's, or behind a trusted proxy the one it forwarded for."""
    peer = request.META.get("REMOTE_ADDR") or ""
    networks = trusted_networks(getattr(settings, "TRUSTED_PROXIES", []))
    found = _address(peer)
    if not networks or found is None or not _trusted(found, networks):
        return peer
    forwarded = request.headers.get("X-Forwarded-For", "")
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            return peer  # a proxy of ours wrote something that is no address: nothing left of it is sure
        if not _trusted(address, networks):
            return str(address)
    return peer
