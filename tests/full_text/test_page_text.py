"""Article pages decoded by what the server or the page declares, else by what the bytes can be."""

from __future__ import annotations

import codecs

import pytest

from feedstation.full_text.page_text import decode_page

ZH = "老旧小区加装电梯，难在哪里"


def page(charset_meta: str = "") -> str:
    return f"<html><head>{charset_meta}<title>{ZH}</title></head><body><p>{ZH}</p></body></html>"


@pytest.mark.parametrize("meta", ['<meta charset="gbk">', "<meta charset=GB2312>",
                                  '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'])
def test_a_gbk_page_declared_in_its_meta_is_decoded(meta):
    assert ZH in decode_page(page(meta).encode("gbk"), "text/html")


def test_the_header_charset_wins_over_the_meta():
    body = page('<meta charset="utf-8">').encode("gb18030")  # the page lies; the server is right
    assert ZH in decode_page(body, "text/html; charset=GB18030")


def test_an_undeclared_page_is_utf8_if_it_can_be_else_gb18030():
    assert ZH in decode_page(page().encode("utf-8"), None)
    assert ZH in decode_page(page().encode("gb18030"), "text/html")


def test_a_byte_order_mark_decides_and_is_dropped():
    text = decode_page(codecs.BOM_UTF8 + page().encode("utf-8"), "text/html; charset=iso-8859-1")
    assert text.startswith("<html>") and ZH in text


def test_an_unknown_charset_label_falls_back_to_the_bytes_and_bad_bytes_never_raise():
    assert ZH in decode_page(page('<meta charset="x-no-such-charset">').encode("utf-8"), None)
    assert "\ufffd" in decode_page(b"<p>\xff\xfe\xfa</p>", "text/html; charset=utf-8")
