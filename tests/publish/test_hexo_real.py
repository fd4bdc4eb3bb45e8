"""The exported posts through a real Hexo 7 build (npm): titles, dates and three-level categories survive."""

from __future__ import annotations

import json
import re
import urllib.parse
import subprocess
from datetime import timezone
from pathlib import Path

import lxml.html
import pytest

from feedstation.publish.hexo import export_hexo
from tests.npm_toolsets import npm_toolset
from tests.publish.test_hexo_support import load_fixture_entries, make_entry

pytestmark = pytest.mark.slow

# Without a theme Hexo renders nothing; this one prints what the tests look for.
THEME = {
    "layout.ejs": "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><%- body %></body></html>\n",
    "post.ejs": (
        '<article><h1 class="post-title"><%= page.title %></h1>'
        '<time class="post-date"><%= page.date.toISOString() %></time>'
        '<ul class="cats"><% page.categories.each(function(c){ %><li><%= c.name %></li><% }) %></ul>'
        '<div class="content"><%- page.content %></div></article>\n'
    ),
    "index.ejs": (
        '<% page.posts.each(function(post){ %><h2 class="title"><%= post.title %></h2>'
        '<a class="link" href="<%- url_for(post.path) %>">link</a>'
        '<time><%= post.date.toISOString() %></time><% }) %>\n'
    ),
    "category.ejs": (
        '<h1 class="category"><%= page.category %></h1>'
        '<% page.posts.each(function(post){ %><h2 class="title"><%= post.title %></h2><% }) %>\n'
    ),
    "archive.ejs": '<% page.posts.each(function(post){ %><h2 class="title"><%= post.title %></h2><% }) %>\n',
}

CONFIG = """\
title: feedstation test
url: http://example.com
permalink: :year/:month/:day/:title/
source_dir: source
public_dir: public
category_dir: categories
theme: mini
timezone: UTC
index_generator:
  path: ''
  per_page: 0
archive_generator:
  per_page: 0
category_generator:
  per_page: 0
"""


@pytest.fixture(scope="session")
def hexo_install() -> Path:
    return npm_toolset("hexo7")  # tests/npm/hexo7/package.json


@pytest.fixture()
def hexo_site(hexo_install, tmp_path) -> Path:
    site = tmp_path / "site"
    (site / "source" / "_posts").mkdir(parents=True)
    (site / "node_modules").symlink_to(hexo_install / "node_modules", target_is_directory=True)
    # hexo-cli only treats a folder as a site when package.json has a "hexo" object.
    package = json.loads((hexo_install / "package.json").read_text(encoding="utf-8"))
    package["hexo"] = {"version": "7"}
    (site / "package.json").write_text(json.dumps(package), encoding="utf-8")
    (site / "_config.yml").write_text(CONFIG, encoding="utf-8")
    layout = site / "themes" / "mini" / "layout"
    layout.mkdir(parents=True)
    for name, text in THEME.items():
        (layout / name).write_text(text, encoding="utf-8")
    return site


def hexo_generate(site: Path) -> str:
    result = subprocess.run(["npx", "--no-install", "hexo", "generate"], cwd=site, capture_output=True, text=True, timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Nunjucks Error" not in output and "Template render error" not in output, output
    return output


def post_pages(site: Path) -> dict[str, list[tuple[str, list[str], str]]]:
    """Generated post pages by the title their <h1> shows: (date, categories, body text) as a browser reads them."""
    pages: dict[str, list[tuple[str, list[str], str]]] = {}
    for path in (site / "public").rglob("index.html"):
        doc = lxml.html.fromstring(path.read_bytes())
        titles = doc.xpath("//h1[@class='post-title']")
        if titles:
            [date] = doc.xpath("//time[@class='post-date']")
            cats = [li.text_content() for li in doc.xpath("//ul[@class='cats']/li")]
            body = doc.xpath("//div[@class='content']")[0].text_content().strip()
            pages.setdefault(titles[0].text_content(), []).append((date.text_content(), cats, body))
    return pages


HEXO_MARKERS = re.compile(r"<!--hexoPostRenderEscape:|:hexoPostRenderEscape-->|</?hexoPostRenderCodeBlock>|\ufffc")

TRICKY = [
    make_entry(identity="t1", title="{{ x }} and {% raw %} and {# c #}", content="<p>{{ y }} {% if %} {a}</p>"),
    make_entry(identity="t2", title="It's \"quoted\": yes # no", content="<p>}{</p>"),
    make_entry(identity="t3", title="{% endraw %}{% raw %}", content="<p>{%</p>"),
    make_entry(identity="t4", title="C# 12 & 100% done?", content="<p>#</p>"),
]


@pytest.mark.parametrize("disable_nunjucks", [False, True])
def test_hexo_generates_every_post_with_its_title_date_and_categories(hexo_site, disable_nunjucks):
    entries = load_fixture_entries() + TRICKY
    export_hexo(entries, hexo_site / "source" / "_posts", disable_nunjucks=disable_nunjucks)
    hexo_generate(hexo_site)

    pages = post_pages(hexo_site)
    # What the post shows: one line, quotes and markup characters as look-alikes (issue 14).
    from feedstation.publish.hexo_post import front_matter_text as shown_text

    for entry in entries:
        title = shown_text(entry.title)
        assert title in pages, f"no generated page shows the title {title!r}; got {sorted(pages)}"
        date = entry.published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        cats = [shown_text(entry.category), shown_text(entry.site), shown_text(entry.channel)]
        # The export strips Hexo's own markers (their inner text stays): compare with that.
        html = HEXO_MARKERS.sub("", entry.content or entry.summary)
        body = lxml.html.fromstring(f"<div>{html}</div>").text_content().strip()
        assert (date, cats, body) in pages[title], (entry, pages[title])

    category = hexo_site / "public" / "categories" / "社交媒体" / "知乎" / "知乎热榜" / "index.html"
    assert category.is_file()
    listed = {h2.text_content() for h2 in lxml.html.fromstring(category.read_bytes()).xpath("//h2[@class='title']")}
    assert {shown_text(e.title) for e in entries if e.tree == ("社交媒体", "知乎", "知乎热榜")} <= listed

    index = lxml.html.fromstring((hexo_site / "public" / "index.html").read_bytes())
    assert {shown_text(e.title) for e in entries} <= {h2.text_content() for h2 in index.xpath("//h2[@class='title']")}
    assert "2022-01-06T10:32:27.000Z" in index.text_content()
    # Every post link on the index leads to a generated page (a `#` or `?` in a file name would not).
    links = index.xpath("//a[@class='link']/@href")
    assert len(links) == len(entries)
    for href in links:
        url = urllib.parse.urlsplit(href)
        assert not url.query and not url.fragment, href
        assert (hexo_site / "public" / urllib.parse.unquote(url.path).lstrip("/") / "index.html").is_file(), href


def test_enclosure_players_and_links_survive_hexo(hexo_site):
    """The players and links feedstation appends to a post body (issue 13.8) are what Hexo's page shows."""
    from feedstation.models import Enclosure

    entry = make_entry(identity="podcast", title="Episode 1", content="<p>Show notes</p>", enclosures=(
        Enclosure("https://cdn.example/ep1.mp3?a=1&b=2", "audio/mpeg", 3_500_000),
        Enclosure("https://cdn.example/clip.webm", "video/webm"),
        Enclosure("https://cdn.example/ep1.torrent", "application/x-bittorrent", 2048)))
    export_hexo([entry], hexo_site / "source" / "_posts")
    hexo_generate(hexo_site)
    (page,) = [p for p in (hexo_site / "public").rglob("index.html")
               if lxml.html.fromstring(p.read_bytes()).xpath("//h1[@class='post-title']")]
    (content,) = lxml.html.fromstring(page.read_bytes()).xpath("//div[@class='content']")
    assert content.xpath(".//audio[@controls]/@src") == ["https://cdn.example/ep1.mp3?a=1&b=2"]
    assert content.xpath(".//video[@controls]/@src") == ["https://cdn.example/clip.webm"]
    assert [(a.get("href"), a.text) for a in content.xpath(".//a[@download]")] == [
        ("https://cdn.example/ep1.mp3?a=1&b=2", "下载音频 (audio/mpeg, 3.3 MB)"),
        ("https://cdn.example/clip.webm", "下载视频 (video/webm)"),
        ("https://cdn.example/ep1.torrent", "下载种子 (application/x-bittorrent, 2.0 KB)")]
    assert "Show notes" in content.text_content()
