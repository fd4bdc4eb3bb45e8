"""Encodings come from BOM, then declaration; a lying declaration falls back sensibly."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from feedstation.parse import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def test_gbk_bytes_are_really_gbk():
    raw = (FEEDS / "gbk.rss").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    feed = parse_feed(raw)
    assert feed.title == "新浪新闻"
    # 镕 and 堃 are in GBK but not GB2312: decoding as GB2312 would have failed.
    assert feed.entries[1].title == "镕字与堃字测试"


def test_big5():
    feed = parse_feed((FEEDS / "big5.rss").read_bytes())
    assert feed.entries[0].title == "臺灣颱風警報發布"


def test_utf16_with_bom():
    raw = (FEEDS / "utf16.xml").read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    feed = parse_feed(raw)
    assert feed.entries[0].title == "日本語のタイトル 😀"


def test_utf16_be_without_bom():
    text = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>大端</title></channel></rss>'
    assert parse_feed(text.encode("utf-16-be")).title == "大端"


def test_bom_wins_over_declared_encoding():
    feed = parse_feed((FEEDS / "bom-mismatch.xml").read_bytes())
    assert feed.title == "BOM wins: café"
    assert feed.entries[0].title == "Crème brûlée — ünïcödé 中文"


# (A Latin-1 declaration cannot be caught: every byte string is valid Latin-1.)
# feedparser asks chardet for a guess whenever chardet is installed (another package may pull it in):
# the rule must hold with no chardet, and with one that guesses a single-byte codepage for GBK bytes.
@pytest.mark.parametrize("chardet_guess", [None, "IBM866"], ids=["no-chardet", "chardet-guesses-ibm866"])
@pytest.mark.parametrize("declared", ["utf-8", "no-such-codec"])
def test_gbk_bytes_with_a_wrong_declaration_fall_back_to_gb18030(declared, chardet_guess, monkeypatch):
    import feedparser.encodings

    monkeypatch.setattr(feedparser.encodings, "lazy_chardet_encoding",
                        None if chardet_guess is None else (lambda data: chardet_guess))
    text = f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>频道</title><item><title>镕字测试新闻</title></item></channel></rss>'
    feed = parse_feed(text.encode("gbk"))
    assert feed.entries[0].title == "镕字测试新闻"
    assert feed.warning and "encoding" in feed.warning


def test_utf8_bytes_declared_as_gb2312_fall_back_to_utf8():
    text = '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>t</title><item><title>Ünïcode — 中文 ✓</title></item></channel></rss>'
    feed = parse_feed(text.encode("utf-8"))
    assert feed.entries[0].title == "Ünïcode — 中文 ✓"


def test_http_charset_is_used_only_when_the_document_declares_none():
    text = '<rss version="2.0"><channel><title>无声明</title></channel></rss>'
    assert parse_feed(text.encode("gb18030"), content_type="application/xml; charset=gb18030").title == "无声明"
    declared = '<?xml version="1.0" encoding="utf-8"?>' + text
    assert parse_feed(declared.encode("utf-8"), content_type="text/xml; charset=big5").title == "无声明"
