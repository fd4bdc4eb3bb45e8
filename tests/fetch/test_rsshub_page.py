"""RSSHub's error page → its message (pure); the real page is checked against a real RSSHub in tests/rsshub."""

from __future__ import annotations

from feedstation.fetch.rsshub_page import MAX_MESSAGE, MAX_PAGE, rsshub_error_message

PAGE = (b'<!DOCTYPE html><html><body><h1>Looks like something went wrong</h1><p class="message">Error Message:<br/>'
        b'<code class="mt-2 block">%s</code></p><p class="message">Route: <code>/test/:id</code></p></body></html>')


def test_the_message_is_read_with_entities_decoded_and_space_folded():
    body = PAGE % b'FetchError: [GET] &quot;https://a.example/x?a=1&amp;b=2&quot;:\n   &lt;no response&gt; fetch failed'
    assert rsshub_error_message(body) == 'FetchError: [GET] "https://a.example/x?a=1&b=2": <no response> fetch failed'


def test_other_pages_have_no_message():
    assert rsshub_error_message(b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>") is None
    assert rsshub_error_message(b"") is None
    assert rsshub_error_message(b'<p class="other">Error Message:<code>x</code></p>') is None


def test_long_messages_are_capped_and_big_pages_not_parsed():
    assert len(rsshub_error_message(PAGE % (b"E" * 5000))) == MAX_MESSAGE
    assert rsshub_error_message(PAGE % (b"E" * MAX_PAGE)) is None
