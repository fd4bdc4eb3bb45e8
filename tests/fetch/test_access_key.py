"""RSSHub access codes (pure): md5 of the encoded path RSSHub sees + key; redaction."""

from __future__ import annotations

import hashlib

from feedstation.fetch.access_key import REDACTED, redact, signed_url, unsigned


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_the_code_is_over_the_percent_encoded_path_without_the_instance_prefix():
    assert signed_url("https://r.example/", "/test/1", "k") == f"https://r.example/test/1?code={_md5('/test/1k')}"
    url = signed_url("https://r.example/rsshub", "/anime1/search/神", "k")
    assert url == f"https://r.example/rsshub/anime1/search/%E7%A5%9E?code={_md5('/anime1/search/%E7%A5%9Ek')}"
    assert signed_url("http://127.0.0.1:1200", "/x?limit=5", "k") == f"http://127.0.0.1:1200/x?limit=5&code={_md5('/xk')}"


def test_codes_and_keys_are_removed_from_what_is_shown():
    assert unsigned("http://h/x?limit=5&code=abc") == "http://h/x?limit=5"
    assert redact("GET http://h/x?code=abc failed for key k3y", ("k3y", "abc")) == f"GET http://h/x?code={REDACTED} failed for key {REDACTED}"
    assert redact(None, ("k",)) is None
