"""Enclosures: kept when not images, URLs through the link allow-list, types cleaned or guessed; their HTML."""

from __future__ import annotations

import lxml.html

from feedstation.models import Enclosure
from feedstation.normalize.enclosures import normalize_enclosures
from feedstation.publish.enclosure_html import enclosure_kind, enclosures_html


def test_non_image_enclosures_are_kept_with_safe_urls_and_clean_types():
    raw = (
        Enclosure("ep1.mp3", "Audio/MPEG; charset=x", 12345),
        Enclosure("javascript:alert(1)", "audio/mpeg", 1),
        Enclosure("https://cdn.example/cover.jpg", "image/jpeg", 10),
        Enclosure("https://cdn.example/show.torrent", None, -5),
        Enclosure("https://cdn.example/clip.mp4", "not a type", None),
        Enclosure("https://feeds.example/ep1.mp3", "audio/mpeg", 1),  # the same file again
    )
    assert normalize_enclosures(raw, "https://feeds.example/rss") == (
        Enclosure("https://feeds.example/ep1.mp3", "audio/mpeg", 12345),
        Enclosure("https://cdn.example/show.torrent", "application/x-bittorrent", None),
        Enclosure("https://cdn.example/clip.mp4", "video/mp4", None),
    )


def test_audio_and_video_get_native_players_and_the_rest_a_download_link():
    encs = (Enclosure("https://a.example/x.mp3?a=1&b=2", "audio/mpeg", 3_500_000),
            Enclosure("https://a.example/x.webm", "video/webm"),
            Enclosure("https://a.example/x.torrent", "application/x-bittorrent", 2048),
            Enclosure("https://a.example/x.bin"))
    assert [enclosure_kind(e) for e in encs] == ["audio", "video", "torrent", "file"]
    root = lxml.html.fragment_fromstring(str(enclosures_html(encs, "en")), create_parent="div")
    assert root.xpath("//audio/@src") == ["https://a.example/x.mp3?a=1&b=2"]
    assert root.xpath("//video/@src") == ["https://a.example/x.webm"]
    assert [a.text for a in root.xpath("//a[@download]")] == [
        "Download audio (audio/mpeg, 3.3 MB)", "Download video (video/webm)",
        "Download torrent (application/x-bittorrent, 2.0 KB)", "Download file"]
    assert enclosures_html((), "en") == ""


def test_a_file_the_body_already_plays_gets_only_its_download_link():
    encs = (Enclosure("https://a.example/x.mp4?a=1&b=2", "video/mp4"), Enclosure("https://a.example/y.mp3", "audio/mpeg"),
            Enclosure("https://a.example/z.webm", "video/webm"))
    body = ('<p>notes</p><video src="https://a.example/x.mp4?a=1&amp;b=2"></video>'
            '<audio controls><source src="https://a.example/y.mp3" type="audio/mpeg"></audio>')
    root = lxml.html.fragment_fromstring(str(enclosures_html(encs, "en", body)), create_parent="div")
    assert root.xpath("//video/@src") == ["https://a.example/z.webm"]  # only the one the body does not play
    assert root.xpath("//audio") == []
    assert root.xpath("//a[@download]/@href") == [e.url for e in encs]
    assert str(enclosures_html(encs, "en", "<p>no media</p>")) == str(enclosures_html(encs, "en"))
