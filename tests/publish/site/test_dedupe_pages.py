"""One story once (issue 17) through the real site build: lists and site feeds show a story once with
"also from" links, channels keep every copy, item pages list the other copies; `site.dedupe: false` shows all."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import feedparser
from lxml import html as lxml_html

from feedstation.publish.site import build_site
from feedstation.publish.site.context import build_context
from feedstation.publish.site.paths import item_file, item_key
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources, make_entry
from tests.publish.site.test_build import EXPECTED, _tree_texts

STORY = "Show HN: A tiny static site generator in Rust"


def entries_with_copies():
    """The fixture site plus two copies of item 8 (Hacker News): one on 微博 under a tracking link,
    one on 知乎日报 under its own link with the outlet in the title."""
    entries = fixture_entries()
    original = entries[8]
    on_weibo = dataclasses.replace(make_entry(12, 2, STORY, "<p>I built a <em>fast</em> static site generator.</p>", None,
                                              published=original.published + timedelta(hours=1)),
                                   link=original.link + "?utm_source=weibo&spm=a1")
    on_zhihu = dataclasses.replace(make_entry(13, 1, STORY + " - 知乎日报", "<p>一个用 Rust 写的小型静态网站生成器。</p>", None,
                                              published=original.published + timedelta(hours=2)),
                                   link="https://zhihu.example.cn/p/13")
    return entries + [on_weibo, on_zhihu], original, on_weibo, on_zhihu


def page_of(entry) -> str:
    return item_file(item_key(entry.tree, entry.identity))


def cards(root: Path, folder: str) -> list:
    """Every card of a listing (all its pages) whose title is the story's, once per item: the index
    (the newest items) and the numbered pages (from the oldest) can both show an item."""
    found, seen = [], set()
    for path in sorted((root / folder).glob("**/index.html")) if folder else []:
        if path.parent != root / folder and "page" not in path.relative_to(root / folder).parts:
            continue  # a sub-section's own listing
        doc = lxml_html.fromstring(path.read_text(encoding="utf-8"))
        for card in doc.cssselect("article.card"):
            link = card.cssselect(".card-title a")[0]
            if STORY in link.text_content() and link.get("href") not in seen:
                seen.add(link.get("href"))
                found.append(card)
    return found


def href_end(element) -> set[str]:
    return {a.get("href").split("/item/", 1)[1] for a in element.cssselect("a")}


def test_lists_show_the_story_once_with_also_from_and_channels_keep_every_copy(tmp_path):
    entries, original, on_weibo, on_zhihu = entries_with_copies()
    build_site(entries, fixture_sources(), tmp_path, SETTINGS, now=NOW)

    stream = cards(tmp_path, "latest")
    assert len(stream) == 1, "the home stream lists the story once"
    title_link = stream[0].cssselect(".card-title a")[0].get("href")
    assert title_link.endswith(page_of(original)), "by its earliest copy"
    also = stream[0].cssselect("p.also")[0]
    assert also.text_content().startswith("另见")
    assert [a.text_content() for a in also.cssselect("a")] == ["微博", "知乎"]
    assert href_end(also) == {page_of(on_weibo)[len("item/"):], page_of(on_zhihu)[len("item/"):]}

    social = cards(tmp_path, "c/社交媒体")
    assert len(social) == 1 and social[0].cssselect(".card-title a")[0].get("href").endswith(page_of(on_weibo))
    assert [a.text_content() for a in social[0].cssselect("p.also a")] == ["Hacker News", "知乎"]
    for copy in (original, on_weibo, on_zhihu):
        listed = cards(tmp_path, _folder(tmp_path, copy))
        assert len(listed) == 1, copy.tree
        assert listed[0].cssselect(".card-title a")[0].get("href").endswith(page_of(copy))

    page = lxml_html.fromstring((tmp_path / page_of(original)).read_text(encoding="utf-8"))
    section = page.cssselect("section.copies")[0]
    assert section.get("data-pagefind-ignore") is not None, "the copies' titles are not indexed twice"
    assert href_end(section) == {page_of(on_weibo)[len("item/"):], page_of(on_zhihu)[len("item/"):]}
    assert STORY + " - 知乎日报" in section.text_content()


def test_site_feeds_carry_the_story_once_with_links_to_its_copies(tmp_path):
    entries, original, on_weibo, on_zhihu = entries_with_copies()
    build_site(entries, fixture_sources(), tmp_path, SETTINGS, now=NOW)
    bodies = {}
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((tmp_path / name).read_bytes())
        story = [e for e in feed.entries if e.title.startswith(STORY)]
        assert len(story) == 1, name
        bodies[name] = story[0].content[0].value
    story = [i for i in json.loads((tmp_path / "feed.json").read_text(encoding="utf-8"))["items"]
             if i["title"].startswith(STORY)]
    assert len(story) == 1
    bodies["feed.json"] = story[0]["content_html"]
    for name, body in bodies.items():
        assert "另见" in body and SETTINGS.url + "/" + page_of(on_weibo) in body, name
    channel = _folder(tmp_path, on_zhihu)
    feed = feedparser.parse((tmp_path / channel / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries if e.title.startswith(STORY)] == [STORY + " - 知乎日报"]


def test_dedupe_off_lists_every_copy_and_adds_nothing(tmp_path):
    entries, *_ = entries_with_copies()
    build_site(entries, fixture_sources(), tmp_path, dataclasses.replace(SETTINGS, dedupe=False), now=NOW)
    assert len(cards(tmp_path, "latest")) == 3
    assert len(cards(tmp_path, "c/社交媒体")) == 2
    for path in tmp_path.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert 'class="meta also"' not in text and 'class="copies"' not in text, path
    feed = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert sum(e.title.startswith(STORY) for e in feed.entries) == 3


def test_dedupe_off_and_on_give_the_golden_site_when_no_story_repeats(tmp_path):
    expected = _tree_texts(EXPECTED)
    for setting in (True, False):
        out = tmp_path / str(setting)
        build_site(fixture_entries(), fixture_sources(), out, dataclasses.replace(SETTINGS, dedupe=setting), now=NOW)
        assert _tree_texts(out) == expected


def _folder(_root: Path, entry) -> str:
    """The entry's channel folder, as the build names it."""
    return build_context([entry], SETTINGS).sections[entry.tree].folder.rstrip("/")


def test_a_new_copy_rerenders_its_story_s_item_pages_and_its_channel_neighbour_only(tmp_path):
    entries, original, on_weibo, on_zhihu = entries_with_copies()
    build_site(entries[:-1], fixture_sources(), tmp_path, SETTINGS, now=NOW)
    report = build_site(entries, fixture_sources(), tmp_path, SETTINGS, now=NOW)
    neighbour = fixture_entries()[5]  # the newest 知乎日报 item before the copy: its "newer" link changes
    assert {p for p in report.written_paths if p.startswith("item/")} == {
        page_of(original), page_of(on_weibo), page_of(on_zhihu), page_of(neighbour)}
