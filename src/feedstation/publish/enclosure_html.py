"""Enclosures as HTML: a native <audio>/<video> player, or a download link (torrents, other files).

One renderer for both outputs: the site's item pages (through the `enclosures.html` partial) and the Hexo
post body. URLs were allow-listed by normalize/enclosures.py; everything is escaped here again.
"""

from __future__ import annotations

from collections.abc import Sequence

import lxml.html
from lxml import etree
from markupsafe import Markup, escape

from feedstation.models import Enclosure

_LABELS = {
    "zh": {"audio": "下载音频", "video": "下载视频", "torrent": "下载种子", "file": "下载文件"},
    "en": {"audio": "Download audio", "video": "Download video", "torrent": "Download torrent", "file": "Download file"},
}


def enclosure_kind(enclosure: Enclosure) -> str:
    """`audio`, `video`, `torrent` or `file`, from the MIME type."""
    kind = enclosure.type or ""
    if kind.startswith("audio/"):
        return "audio"
    if kind.startswith("video/"):
        return "video"
    if kind == "application/x-bittorrent":
        return "torrent"
    return "file"


def human_size(length: int | None) -> str:
    if not length:
        return ""
    size = float(length)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def enclosures_html(enclosures: Sequence[Enclosure], language: str = "zh-CN", body: str | None = None) -> Markup:
    """The players and links for `enclosures`, in order; empty markup when there are none.

    An enclosure the item's `body` already plays (RSSHub routes often put the same file in a `<video>` of
    the description and in the enclosure) gets only its download link, not a second player.
    """
    labels = _LABELS["zh" if language.lower().startswith("zh") else "en"]
    played = _played_media(body) if enclosures and body else frozenset()
    parts = []
    for enclosure in enclosures:
        kind = enclosure_kind(enclosure)
        url = escape(enclosure.url)
        details = ", ".join(x for x in (enclosure.type or "", human_size(enclosure.length)) if x)
        link = Markup('<a href="{}" rel="noopener noreferrer nofollow" download>{}</a>').format(
            url, labels[kind] + (f" ({details})" if details else ""))
        if kind in ("audio", "video") and enclosure.url not in played:
            player = Markup('<{0} controls preload="none" src="{1}"{2}></{0}>').format(
                kind, url, Markup(' playsinline') if kind == "video" else "")
            parts.append(Markup('<figure class="enclosure enclosure-{}">{}<figcaption>{}</figcaption></figure>').format(
                kind, player, link))
        else:
            parts.append(Markup('<p class="enclosure enclosure-{}">{}</p>').format(kind, link))
    return Markup("\n").join(parts)


def _played_media(body: str) -> frozenset[str]:
    """The URLs an `<audio>` or `<video>` of `body` plays (their `src` or a `<source src>`)."""
    try:
        root = lxml.html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        return frozenset()
    return frozenset(root.xpath("//audio/@src | //video/@src | //audio/source/@src | //video/source/@src"))
