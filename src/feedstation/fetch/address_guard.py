"""SSRF guard: refuse loopback/private/link-local/... targets, on literal hosts and on resolved addresses."""

from __future__ import annotations

import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from feedstation.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 well-known prefix (RFC 6052 §2.1): the last 32 bits are an IPv4 address that a
# NAT64 gateway would reach for us, so they must be judged as that IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(FetchError):
    """A fetch target (literal or resolved) is an address the guard does not allow."""


def refusal_message(shown: str) -> str:
    """The one error text for every refusal, naming the address and the config key that allows it."""
    return (
        f"refused to connect to {shown} (loopback/private address); "
        "set fetch.allow_private_addresses: true to allow it"
    )


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and would route to, if any.

    Covers IPv4-mapped (RFC 4291 §2.5.5.2), 6to4 (RFC 3056), Teredo client (RFC 4380 §4)
    and NAT64 (RFC 6052): each can smuggle 127.0.0.1 or 10.x past a v6-only check.
    """
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_refused_ip(ip: IPAddress) -> bool:
    """True for any address that is not plainly a public unicast host."""
    inner = embedded_ipv4(ip)
    if inner is not None and is_refused_ip(inner):
        return True
    # is_global alone misses multicast (224/4 is "global" to the ipaddress module) and
    # does not flag every reserved range in older Pythons, so name those too.
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_reserved
        or ip.is_unspecified
    )


def parse_literal_ip(host: str) -> IPAddress | None:
    """Read `host` as an IP address in any form a C resolver would accept; None for a name.

    Besides dotted quads this accepts the legacy inet_aton forms (`2130706433`,
    `0x7f.1`, `0177.0.0.1`, `127.1`), because getaddrinfo honours them and would
    connect to 127.0.0.1 for them.
    """
    literal = host.strip("[]")
    try:
        return ipaddress.ip_address(literal.split("%", 1)[0])
    except ValueError:
        pass
    if not literal or not all(c in "0123456789abcdefxABCDEFX." for c in literal):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(literal))
    except OSError:
        return None


def literal_host_refusal(host: str, allow_private: bool) -> str | None:
    """The refusal message for a literal-IP host that is not allowed, else None (names pass here)."""
    if allow_private:
        return None
    ip = parse_literal_ip(host)
    if ip is None or not is_refused_ip(ip):
        return None
    return refusal_message(str(ip))


class GuardedResolver(AbstractResolver):
    """Resolve with getaddrinfo, then refuse if ANY address is not allowed.

    The connector only ever connects to what this returns, so the check and the
    connection use the same addresses: no DNS-rebinding window between them.
    """

    def __init__(self, allow_private: bool, trusted_hosts: frozenset[str] = frozenset()) -> None:
        self._inner = ThreadedResolver()
        self._allow_private = allow_private
        # Names the operator trusts even when they resolve privately (e.g. a LAN RSSHub).
        self._trusted_hosts = frozenset(h.lower().rstrip(".") for h in trusted_hosts)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        # Refuse odd numeric forms before getaddrinfo turns them into addresses.
        refusal = self.host_refusal(host)
        if refusal is not None:
            raise AddressRefused(refusal)
        results = await self._inner.resolve(host, port, family)
        if self._allow_private or host.lower().rstrip(".") in self._trusted_hosts:
            return results
        for result in results:
            ip = ipaddress.ip_address(result["host"].split("%", 1)[0])
            if is_refused_ip(ip):
                raise AddressRefused(refusal_message(f"{host} ({ip})"))
        return results

    def host_refusal(self, host: str) -> str | None:
        """Refusal message for a literal-IP host (checked before any connection), else None."""
        if host.lower().rstrip(".") in self._trusted_hosts:
            return None
        return literal_host_refusal(host, self._allow_private)

    async def close(self) -> None:
        await self._inner.close()
