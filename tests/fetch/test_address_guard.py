"""SSRF guard: disguised private addresses, resolved names, redirects, and no request ever reaching a refused target."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from yarl import URL

from feedstation.fetch.address_guard import (
    GuardedResolver,
    is_refused_ip,
    literal_host_refusal,
    parse_literal_ip,
)
from feedstation.fetch.client import redirect_target
from feedstation.models import FetchStatus
from tests.fetch.conftest import RSS, FetchOne
from tests.loopback import LoopbackServer

REFUSAL_127 = (
    "refused to connect to 127.0.0.1 (loopback/private address); "
    "set fetch.allow_private_addresses: true to allow it"
)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # one 32-bit decimal
        ("0x7f.1", "127.0.0.1"),  # hex, two parts
        ("0177.0.0.1", "127.0.0.1"),  # octal first octet
        ("127.1", "127.0.0.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("::ffff:7f00:1", "::ffff:7f00:1"),
        ("100.64.0.1", "100.64.0.1"),  # CGNAT, RFC 6598
        ("10.1.2.3", "10.1.2.3"),
        ("172.16.0.1", "172.16.0.1"),
        ("192.168.1.1", "192.168.1.1"),
        ("169.254.169.254", "169.254.169.254"),  # cloud metadata, link-local
        ("[::1]", "::1"),
        ("[::]", "::"),
        ("[fe80::1]", "fe80::1"),
        ("[fc00::1]", "fc00::1"),  # unique local
        ("224.0.0.1", "224.0.0.1"),  # multicast
        ("[ff02::1]", "ff02::1"),
        ("[2002:7f00:1::]", "2002:7f00:1::"),  # 6to4 wrapping 127.0.0.1
        ("[64:ff9b::a00:1]", "64:ff9b::a00:1"),  # NAT64 wrapping 10.0.0.1
        ("240.0.0.1", "240.0.0.1"),  # reserved
    ],
)
def test_disguised_private_addresses_are_refused(host: str, address: str) -> None:
    ip = parse_literal_ip(host)
    assert ip == ipaddress.ip_address(address)
    assert is_refused_ip(ip)
    message = literal_host_refusal(host, allow_private=False)
    assert message is not None and message.startswith(f"refused to connect to {ip} (loopback/private address)")


def test_refusal_message_names_the_setting_that_allows_it() -> None:
    assert literal_host_refusal("127.0.0.1", allow_private=False) == REFUSAL_127


@pytest.mark.parametrize("host", ["93.184.216.34", "8.8.8.8", "[2606:4700:4700::1111]", "example.com", "0x7f.example"])
def test_public_addresses_and_names_pass_the_literal_check(host: str) -> None:
    assert literal_host_refusal(host, allow_private=False) is None


def test_teredo_client_address_is_judged_as_ipv4() -> None:
    # Teredo (RFC 4380) stores the client IPv4 inverted in the low 32 bits: here 10.0.0.1.
    teredo = ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:f5ff:fffe")
    assert teredo.teredo[1] == ipaddress.IPv4Address("10.0.0.1")
    assert is_refused_ip(teredo)


def test_allow_private_addresses_disables_the_literal_check() -> None:
    assert literal_host_refusal("127.0.0.1", allow_private=True) is None


def test_resolver_refuses_a_name_that_resolves_to_loopback() -> None:
    async def resolve() -> None:
        resolver = GuardedResolver(allow_private=False)
        await resolver.resolve("localhost", 80)

    with pytest.raises(Exception, match=r"refused to connect to localhost \((127\.0\.0\.1|::1)\)"):
        asyncio.run(resolve())


def test_resolver_refuses_odd_numeric_forms_before_resolving() -> None:
    async def resolve() -> None:
        await GuardedResolver(allow_private=False).resolve("0x7f.1", 80)

    with pytest.raises(Exception, match="refused to connect to 127.0.0.1"):
        asyncio.run(resolve())


def test_loopback_fetch_is_refused_without_the_server_seeing_a_request(
    loopback_server: LoopbackServer, fetch_one: FetchOne
) -> None:
    loopback_server.serve("/feed.xml", RSS)
    got = fetch_one(loopback_server.url("/feed.xml"), allow_private_addresses=False)
    assert got.status is FetchStatus.ERROR
    assert got.error == REFUSAL_127
    assert loopback_server.requests == []


def test_name_resolving_to_loopback_is_refused_without_a_request(
    loopback_server: LoopbackServer, fetch_one: FetchOne
) -> None:
    loopback_server.serve("/feed.xml", RSS)
    got = fetch_one(f"http://localhost:{loopback_server.port}/feed.xml", allow_private_addresses=False)
    assert got.status is FetchStatus.ERROR
    assert got.error.startswith("refused to connect to localhost (")
    assert loopback_server.requests == []


@pytest.mark.parametrize(
    "location", ["http://10.0.0.1/x", "http://2130706433/x", "http://[::ffff:127.0.0.1]/x", "https://0x7f.1/"]
)
def test_redirect_hop_to_a_private_address_is_refused(location: str) -> None:
    async def check() -> URL | str:
        return redirect_target(URL("https://feeds.example.org/a"), location, GuardedResolver(allow_private=False))

    target = asyncio.run(check())
    assert isinstance(target, str) and target.startswith("refused to connect to ")


def test_redirect_hop_to_a_public_relative_location_is_followed() -> None:
    async def check() -> URL | str:
        return redirect_target(URL("https://feeds.example.org/a/b"), "../c?x=1", GuardedResolver(allow_private=False))

    assert asyncio.run(check()) == URL("https://feeds.example.org/c?x=1")


def test_redirect_to_a_refused_address_is_not_followed(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    # 127.0.0.1 is trusted by name so the first hop is allowed; the redirect names the
    # same machine as "localhost", which is not trusted and resolves to loopback.
    loopback_server.serve("/r", status=302, headers={"Location": f"http://localhost:{loopback_server.port}/feed.xml"})
    loopback_server.serve("/feed.xml", RSS)
    got = fetch_one(loopback_server.url("/r"), allow_private_addresses=False, trusted_hosts=frozenset({"127.0.0.1"}))
    assert got.status is FetchStatus.ERROR
    assert got.error.startswith("refused to connect to localhost (")
    assert [r.path for r in loopback_server.requests] == ["/r"]


def test_redirect_to_a_disguised_literal_is_not_followed(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/r", status=302, headers={"Location": f"http://2130706433:{loopback_server.port}/feed.xml"})
    loopback_server.serve("/feed.xml", RSS)
    got = fetch_one(loopback_server.url("/r"), allow_private_addresses=False, trusted_hosts=frozenset({"127.0.0.1"}))
    assert got.status is FetchStatus.ERROR
    assert got.error == REFUSAL_127
    assert [r.path for r in loopback_server.requests] == ["/r"]
