"""Site build: golden output, incremental rebuilds, manifest pruning, escaping and path safety."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from feedstation.publish.site import MANIFEST, build_site
from feedstation.publish.site.context import build_context
from feedstation.publish.site.manifest import read_manifest
from feedstation.publish.site.paths import item_file, item_key
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources, make_entry

EXPECTED = Path(__file__).parents[2] / "fixtures" / "site" / "expected"
SKIPPED = ("pagefind/", MANIFEST)  # Pagefind's bundle bytes belong to its version, not to us


def _tree_texts(root: Path) -> dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(SKIPPED):
            lines = path.read_text(encoding="utf-8").splitlines()
            files[rel] = "\n".join(line.rstrip() for line in lines).rstrip() + "\n"
    return files


def _mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_golden_site_matches_expected(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    actual = _tree_texts(tmp_path)
    if os.environ.get("FEEDSTATION_UPDATE_GOLDEN") == "1":
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, text in actual.items():
            (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / rel).write_text(text, encoding="utf-8")
    expected = _tree_texts(EXPECTED)
    assert sorted(actual) == sorted(expected), "file sets differ; regenerate with FEEDSTATION_UPDATE_GOLDEN=1"
    for rel in expected:
        assert actual[rel] == expected[rel], f"{rel} differs from tests/fixtures/site/expected/{rel}"


def _shard_of(index: int) -> str:
    """The search shard of fixture item `index`: the month (Asia/Shanghai) it is published in; the newest
    month's items, not yet a full shard, are in its first tail shard (search.plan_shards)."""
    return "2022-01" if index < 4 else "2022-02-1"  # item 3: Jan 29; item 4: Feb 1


def test_search_bundle_is_one_pagefind_index_per_month(tmp_path, entries, sources):
    report = build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    bundle = tmp_path / "pagefind"
    for name in ("pagefind-ui.js", "pagefind-ui.css", "shards.js"):
        assert (bundle / name).is_file()
    assert (bundle / "shards.js").read_text() == \
        'window.feedstationSearchShards = ["/pagefind/2022-02-1/", "/pagefind/2022-01/"];\n'
    assert sorted(p.name for p in bundle.iterdir() if p.is_dir()) == ["2022-01", "2022-02-1"]
    for shard in ("2022-01", "2022-02-1"):
        assert (bundle / shard / "pagefind.js").is_file()
        assert not list((bundle / shard).glob("pagefind-*ui*")), "shards carry no UI; the search page loads one copy"
        entry = json.loads((bundle / shard / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == ["zh-cn"], "html lang=zh-CN must give a Chinese index"
        expected = sum(1 for i in range(len(entries)) if _shard_of(i) == shard)
        assert entry["languages"]["zh-cn"]["page_count"] == expected, "only this month's item pages are indexed"
    head, body = (json.loads(line) for line in (tmp_path / MANIFEST).read_text().splitlines())
    assert sorted(body["search_shards"]) == ["2022-01", "2022-02-1"]
    owned = [*body["outputs"], *body["other_files"]]  # files with a key, and the rest
    assert report.pages == len(owned) + 1 == report.written == len(set(owned)) + 1 == head["file_count"] + 1
    assert {p for p in owned if "/" not in p} <= set(head["listed_files"])
    assert "index.html" in owned and "pagefind/2022-01/pagefind-entry.json" in owned


def test_a_lost_search_file_reindexes_only_its_shard(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    (tmp_path / "pagefind" / "2022-01" / "pagefind-entry.json").unlink()
    report = build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    # Only January is re-indexed. Pagefind 1.5.2 orders filters differently from run to
    # run, so the re-run shard may also rewrite its filter/meta files (never another shard's).
    assert "pagefind/2022-01/pagefind-entry.json" in report.written_paths
    assert {p for p in report.written_paths if not p.startswith("pagefind/2022-01/")} <= {MANIFEST}
    (tmp_path / "pagefind" / "pagefind-ui.js").unlink()
    report = build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    # A lost UI file comes back with the newest shard's run (February's).
    assert "pagefind/pagefind-ui.js" in report.written_paths
    assert all(p.startswith(("pagefind/pagefind-ui.js", "pagefind/2022-02-1/")) or p == MANIFEST
               for p in report.written_paths), report.written_paths


def test_no_change_rebuild_writes_nothing(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    before = _mtimes(tmp_path)
    # A different `now` must not matter when there are entries: no build timestamps in output.
    report = build_site(list(reversed(entries)), sources, tmp_path, SETTINGS, now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert report.written == 0 and report.removed == 0
    assert _mtimes(tmp_path) == before
    # A deleted output is noticed and only it is written back (with the manifest, whose folder stamp moved).
    (tmp_path / "c" / "编程" / "index.html").unlink()
    report = build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    assert set(report.written_paths) == {"c/编程/index.html", MANIFEST}


def test_one_new_entry_rewrites_exactly_its_pages(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    # Channel 1 (知乎日报) holds items 3, 4, 5 on Jan 29, Feb 1, Feb 4; the new one sits between 4 and 5.
    new = make_entry(12, 1, "知乎日报 · 新的一篇", "<p>新内容</p>", None,
                     published=datetime(2022, 2, 2, 12, 0, tzinfo=timezone.utc))
    report = build_site([*entries, new], sources, tmp_path, SETTINGS, now=NOW)

    def item(index):
        e = new if index == 12 else entries[index]
        return item_file(item_key(e.tree, e.identity))

    feeds = ("atom.xml", "rss.xml", "feed.json")
    sections = ["", "c/社交媒体/", "c/社交媒体/知乎/", "c/社交媒体/知乎/知乎日报/"]
    expected = {item(12), item(4), item(5)}  # the item and its channel neighbours (prev/next links)
    # Pages are numbered from the oldest, 5 items each. The home stream (latest/, beside the board) now
    # has 13 items: its index (the newest 5) is unchanged, page 1 (the oldest 5) too, page 2 (the 6th–10th
    # oldest) takes in the new item. 社交媒体 (9 items), 知乎 (7) and 知乎日报 (4) show it on their index
    # page; their page 1 (their oldest 5) does not change. The board shows 知乎日报's newest titles.
    expected |= {"index.html", "latest/page/2/index.html"}
    expected |= {"c/社交媒体/index.html", "c/社交媒体/知乎/index.html", "c/社交媒体/知乎/知乎日报/index.html"}
    expected |= {folder + name for folder in sections for name in feeds}
    expected |= {"archive/index.html", "archive/2022/02/index.html", "c/index.html", "sitemap.xml", MANIFEST}
    expected |= {"status.json", "status/index.html"}  # its item counts
    written = {p for p in report.written_paths if not p.startswith("pagefind/")}
    expected |= {"static/counts.js"}  # the nav's counts: no other page changes for them
    assert written == expected
    # All three changed item pages are February's: only that month's search shard is re-indexed.
    search = {p for p in report.written_paths if p.startswith("pagefind/")}
    assert search and all(p.startswith("pagefind/2022-02-1/") for p in search), search
    assert "pagefind/2022-02-1/pagefind-entry.json" in search, "a new item page must be indexed"


def test_an_item_in_a_new_month_adds_a_shard(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    shards_before = read_manifest(tmp_path).shards
    before = _mtimes(tmp_path / "pagefind")
    # The newest in channel 1: its older neighbour (item 5, Feb 4) gets a "newer" link.
    new = make_entry(12, 1, "三月的新文章", "<p>新内容</p>", None, published=datetime(2022, 3, 2, tzinfo=timezone.utc))
    report = build_site([*entries, new], sources, tmp_path, SETTINGS, now=NOW)
    search = {p for p in report.written_paths if p.startswith("pagefind/")}
    assert {p.split("/")[1] for p in search} <= {"2022-02", "2022-03-1", "shards.js"}
    assert "pagefind/2022-03-1/pagefind-entry.json" in search
    shards = read_manifest(tmp_path).shards
    # March is the newest month now: February's items become one shard under the month's name (indexed once
    # more), March's are its first tail shard; January's shard was not touched at all.
    assert shards.keys() == {"2022-01", "2022-02", "2022-03-1"}
    assert shards["2022-01"] == shards_before["2022-01"]
    assert not (tmp_path / "pagefind" / "2022-02-1").exists()
    assert {p: t for p, t in _mtimes(tmp_path / "pagefind").items() if p.startswith("2022-01")} == {
        p: t for p, t in before.items() if p.startswith("2022-01")}
    assert "/pagefind/2022-03-1/" in (tmp_path / "pagefind" / "shards.js").read_text()
    # Dropping every January item drops January's shard.
    build_site([e for i, e in enumerate(entries) if _shard_of(i) != "2022-01"] + [new], sources, tmp_path, SETTINGS,
               now=NOW)
    assert not (tmp_path / "pagefind" / "2022-01").exists()
    assert "2022-01" not in (tmp_path / "pagefind" / "shards.js").read_text()


def test_removed_entry_prunes_its_pages_but_not_foreign_files(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    (tmp_path / "CNAME").write_text("news.example.com\n")  # the user's file: not ours to delete
    gone = entries[9]
    report = build_site([e for e in entries if e is not gone], sources, tmp_path, SETTINGS, now=NOW)
    assert not (tmp_path / item_file(item_key(gone.tree, gone.identity))).exists()
    assert report.removed >= 1
    assert (tmp_path / "CNAME").read_text() == "news.example.com\n"
    # Removing the last item of a channel removes the channel's whole folder.
    channel_items = [e for e in entries if e.channel == "微博热搜"]
    build_site([e for e in entries if e not in channel_items], sources, tmp_path, SETTINGS, now=NOW)
    assert not (tmp_path / "c" / "社交媒体" / "微博").exists()


def test_hostile_title_is_escaped(tmp_path, entries, sources):
    evil = dataclasses.replace(entries[0], title="<script>alert(1)</script>", summary="<b>ok</b>",
                               author='"><img src=x onerror=alert(2)>')
    build_site([evil, *entries[1:]], sources, tmp_path, SETTINGS, now=NOW)
    pages = [tmp_path / "c/社交媒体/知乎/知乎热榜/index.html", tmp_path / item_file(item_key(evil.tree, evil.identity))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        doc = lxml_html.fromstring(text)
        assert not [s for s in doc.iter("script") if "alert" in (s.text or "")]
        assert not doc.xpath("//img[@onerror]")


def test_hostile_tree_names_stay_inside_out_dir(tmp_path, sources):
    out = tmp_path / "site"
    names = ["../../escape", "/etc", "a\\b", "..", "C:\\x", "con\u202e\u200bfusing", "page", "x" * 400, " "]
    evil = [dataclasses.replace(make_entry(i, 0, f"t{i}", "<p>x</p>", None), category=name, site=name, channel=name)
            for i, name in enumerate(names)]
    build_site(evil, sources, out, SETTINGS, now=NOW)
    assert not (tmp_path / "escape").exists()
    for path in tmp_path.rglob("*"):
        assert out in path.parents or path == out
        for part in path.relative_to(out).parts:
            assert part not in ("..", ".") and "\u202e" not in part and "\u200b" not in part
            assert len(part.encode("utf-8")) <= 120 and not set(part) & set('\\:*?"<>|')
    # Every hostile name got its own section: no two trees were merged into one folder.
    ctx = build_context(evil, SETTINGS)
    assert len({s.folder for n, s in ctx.sections.items() if len(n) == 1}) == len(names)


def test_output_feeds_parse_back(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    for folder in ("", "c/社交媒体/知乎/知乎热榜/"):
        for name in ("atom.xml", "rss.xml"):
            parsed = feedparser.parse((tmp_path / folder / name).read_bytes())
            assert parsed.bozo == 0, (folder, name, parsed.get("bozo_exception"))
            assert parsed.entries and parsed.entries[0].title
        data = json.loads((tmp_path / folder / "feed.json").read_text(encoding="utf-8"))
        assert data["items"]
    home = lxml_html.fromstring((tmp_path / "c/社交媒体/知乎/知乎热榜/index.html").read_bytes())
    alternates = home.xpath('//link[@rel="alternate"]/@href')
    assert "/atom.xml" in alternates
    assert "/c/%E7%A4%BE%E4%BA%A4%E5%AA%92%E4%BD%93/%E7%9F%A5%E4%B9%8E/%E7%9F%A5%E4%B9%8E%E7%83%AD%E6%A6%9C/rss.xml" in alternates


def test_section_feeds_carry_excerpts_and_site_feeds_full_content(tmp_path, entries, sources):
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    hn = "c/编程/Hacker News/Front Page/"
    page = "https://example.com/" + item_file(item_key(entries[10].tree, entries[10].identity))
    site_atom = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert "<code>zsh</code>" in {e.title: e for e in site_atom.entries}["The history of the Unix shell"].content[0].value
    atom = {e.title: e for e in feedparser.parse((tmp_path / hn / "atom.xml").read_bytes()).entries}
    shell = atom["The history of the Unix shell"]
    assert "content" not in shell and "zsh" in shell.summary and "<code>" not in shell.summary, "plain-text excerpt"
    assert page in atom["Ask HN: What are you reading this month?"].summary, "the excerpt links to our page"
    rss = (tmp_path / hn / "rss.xml").read_text(encoding="utf-8")
    assert "content:encoded" not in rss and "&amp;lt;code" not in rss
    json_item = {i["title"]: i for i in json.loads((tmp_path / hn / "feed.json").read_text(encoding="utf-8"))["items"]}[
        "Ask HN: What are you reading this month?"]
    assert json_item["summary"] == "Share your favourite books & papers."
    assert json_item["content_html"] == f'<p>Share your favourite books &amp; papers.</p><p><a href="{page}">阅读全文</a></p>'
    assert not (tmp_path / "feed.json").read_text(encoding="utf-8").startswith("{\n"), "JSON feeds are compact"


def test_links_resolve_to_built_files(tmp_path, entries, sources):
    from urllib.parse import unquote, urlsplit

    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    for page in tmp_path.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        doc = lxml_html.fromstring(page.read_bytes())
        for href in doc.xpath("//a/@href | //link/@href | //script/@src"):
            parts = urlsplit(href)
            if parts.scheme or not parts.path.startswith("/"):
                continue
            target = tmp_path / unquote(parts.path).lstrip("/")
            assert target.is_file() or (target / "index.html").is_file(), f"{page}: broken link {href}"


def test_user_theme_overrides_templates_by_name(tmp_path, entries, sources):
    theme = tmp_path / "theme"
    (theme / "static").mkdir(parents=True)
    (theme / "card.html").write_text('<p class="my-card">{{ item.entry.title }}</p>\n', encoding="utf-8")
    (theme / "static" / "extra.css").write_text("body{}\n")
    settings = dataclasses.replace(SETTINGS, theme_dir=str(theme))
    build_site(entries, sources, tmp_path / "out", settings, now=NOW)
    latest = (tmp_path / "out" / "latest" / "index.html").read_text(encoding="utf-8")
    assert '<p class="my-card">SQLite is not a toy database</p>' in latest
    assert (tmp_path / "out" / "static" / "extra.css").is_file()
    assert (tmp_path / "out" / "static" / "site.css").is_file(), "built-in assets stay unless overridden"


def test_empty_site_builds(tmp_path, sources):
    report = build_site([], sources, tmp_path, SETTINGS, now=NOW)
    assert (tmp_path / "index.html").is_file() and (tmp_path / "404.html").is_file()
    assert not (tmp_path / "pagefind").exists(), "Pagefind refuses an empty site; nothing to search anyway"
    assert feedparser.parse((tmp_path / "atom.xml").read_bytes()).bozo == 0
    assert report.written == report.pages


def test_an_edited_entry_rerenders_its_page_and_neighbours_and_a_template_change_rerenders_all(tmp_path, entries,
                                                                                                sources):
    theme = tmp_path / "theme"
    theme.mkdir()
    settings = dataclasses.replace(SETTINGS, theme_dir=str(theme))
    out = tmp_path / "site"
    build_site(entries, sources, out, settings, now=NOW)
    items = {i.entry.identity: i for i in build_context(entries, settings).items}
    edited = list(entries)
    edited[4] = dataclasses.replace(entries[4], title="改过的标题", content_hash="changed")
    report = build_site(edited, sources, out, settings, now=NOW)
    newer, older = build_context(entries, settings).neighbours[items["urn:test:4"].key]
    expected_items = {items["urn:test:4"].path} | {n.path for n in (newer, older) if n is not None}
    assert {p for p in report.written_paths if p.startswith("item/")} == expected_items
    # A template the item pages use changed: every item page is rendered again.
    (theme / "item.html").write_text('{% extends "base.html" %}{% block main %}<h1>{{ item.entry.title }}</h1>'
                                     "{% endblock %}", encoding="utf-8")
    report = build_site(edited, sources, out, settings, now=NOW)
    assert {p for p in report.written_paths if p.startswith("item/")} == {i.path for i in items.values()}


def test_pictures_and_links_into_the_site_itself_are_root_relative_on_pages_and_absolute_in_feeds(tmp_path, sources):
    # The demo's pictures live in the site (site.url/static/demo/...): as absolute URLs they would load only
    # where site.url's port answers, not from `feedstation serve --port 8001` or a copy on another host.
    settings = dataclasses.replace(SETTINGS, url="http://127.0.0.1:8000/news")
    own, other = "http://127.0.0.1:8000/news/static/demo/desk.webp", "https://cdn.example.org/a.webp"
    body = (f'<p><img src="{own}" alt="desk"> <img src="{other}" alt="cdn"> <a href="http://127.0.0.1:8000/news/c/">'
            f'own page</a> <a href="http://127.0.0.1:8000x/">not the site</a></p>')
    entries = [make_entry(0, 0, "own picture", body, own), make_entry(1, 0, "other picture", "<p>x</p>", other)]
    build_site(entries, sources, tmp_path, settings, now=NOW)
    page = lambda i: (tmp_path / item_file(item_key(entries[i].tree, entries[i].identity))).read_text("utf-8")  # noqa: E731
    first = page(0)
    assert '<img src="/news/static/demo/desk.webp" alt="desk"' in first and f'<img src="{other}" alt="cdn"' in first
    assert '<a href="/news/c/">own page</a>' in first and 'href="http://127.0.0.1:8000x/"' in first
    # og:image stays absolute (other sites read it); search results get the root-relative picture.
    assert f'<meta property="og:image" content="{own}">' in first
    assert '<meta name="thumbnail" content="/news/static/demo/desk.webp" data-pagefind-meta="image[content]">' in first
    assert f'<meta property="og:image" content="{other}" data-pagefind-meta="image[content]">' in page(1)
    cards = (tmp_path / "latest" / "index.html").read_text("utf-8")
    assert 'src="/news/static/demo/desk.webp"' in cards and f'src="{other}"' in cards
    feed = (tmp_path / "atom.xml").read_text("utf-8")
    assert own in feed and "/news/static/demo/desk.webp" not in feed.replace(own, "")
