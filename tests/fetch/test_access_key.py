"""RSSHub access codes (pure): md5 of the encoded path RSSHub sees + key; redaction."""

from __future__ import annotations

import hashlib

from yarl import URL

from feedstation.fetch.access_key import REDACTED, InstanceSigner, redact, signed_url, unsigned


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


def test_a_redirect_back_to_the_instance_is_signed_for_its_new_path_and_nothing_of_ours_goes_elsewhere():
    signer = InstanceSigner("https://r.example/rsshub/", "k")
    assert signer.url("/test/redirect") == f"https://r.example/rsshub/test/redirect?code={_md5('/test/redirectk')}"
    moved = signer(URL(f"https://r.example/rsshub/test/1?limit=2&code={_md5('/test/redirectk')}"))
    assert moved == URL(f"https://r.example/rsshub/test/1?limit=2&code={_md5('/test/1k')}")
    assert signer.secrets == ("k", _md5("/test/redirectk"), _md5("/test/1k"))
    # outside the instance (another host, port or path prefix): our code and key are dropped, others kept
    for elsewhere in ("https://upstream.example/a", "https://r.example:8443/rsshub/a", "https://r.example/other/a"):
        assert signer(URL(f"{elsewhere}?code={_md5('/test/1k')}&key=k&id=7")) == URL(f"{elsewhere}?id=7")
        assert signer(URL(f"{elsewhere}?code=theirs")) == URL(f"{elsewhere}?code=theirs")
