"""`init` → `run` → `serve` as a newcomer does it, judged by Chromium: the starter site is styled and every nav link works.

The starter's `site.url` is https://example.github.io/news, so every page links to /news/...;
`serve` must mount the site there (issue 12.3). The starter's RSSHub instance is swapped for a
loopback server that answers every route of the starter config, so the test never leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from feedstation.config import load_config
from tests.cli.preview import feedstation_serve
from tests.loopback import LoopbackServer
from tests.publish.site.test_browser import VIEWPORTS, _open, artifacts, browser  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def route_feed(path: str) -> bytes:
    items = "".join(f"<item><title>{path} 第 {n} 条</title><link>https://example.com{path}/{n}</link>"
                    f"<guid>{path}/{n}</guid><pubDate>Mon, 30 Nov 2026 0{n}:00:00 GMT</pubDate>"
                    f"<description>&lt;p&gt;{path} 的第 {n} 条内容。&lt;/p&gt;</description></item>" for n in range(1, 3))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{path}</title>'
            f"<link>https://example.com{path}</link>{items}</channel></rss>").encode()


@pytest.fixture(scope="module")
def starter_preview(tmp_path_factory):
    """The starter config, run once against a loopback RSSHub, then `feedstation serve`: yields the URL it printed."""
    folder = tmp_path_factory.mktemp("starter")
    config = folder / "feedstation.yaml"
    # Subprocesses, not CliRunner: Playwright's sync API may already run an event loop in this thread.
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "80"}
    feedstation = [sys.executable, "-m", "feedstation"]
    subprocess.run([*feedstation, "init", "--path", str(config)], env=env, check=True, capture_output=True)
    with LoopbackServer() as rsshub:
        for source in load_config(config).sources():
            assert source.url.startswith("rsshub:"), source
            rsshub.serve(source.url[len("rsshub:"):], body=route_feed(source.url[len("rsshub:"):]))
        text = config.read_text(encoding="utf-8")
        assert "    - https://rsshub.app\n" in text
        config.write_text(text.replace("    - https://rsshub.app\n", f"    - {rsshub.url('').rstrip('/')}\n"),
                          encoding="utf-8")
        run = subprocess.run([*feedstation, "run", "--config", str(config)], env=env, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0 and " 0 failed" in run.stdout, run.stdout + run.stderr
    with feedstation_serve(config, env) as url:
        yield url


def test_serve_prints_the_url_at_site_urls_path(starter_preview):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/news/", starter_preview)


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_the_starter_site_through_serve_is_styled_and_every_nav_link_answers_200(browser, artifacts,  # noqa: F811
                                                                                  starter_preview, name):
    context, page, problems = _open(browser, VIEWPORTS[name])
    root = starter_preview.rsplit("/news/", 1)[0]
    response = page.goto(root + "/")  # the bare host redirects to the site's path
    assert response.status == 200 and page.url == starter_preview
    stylesheets = [page.locator("link[rel=stylesheet]").nth(i).get_attribute("href")
                   for i in range(page.locator("link[rel=stylesheet]").count())]
    assert stylesheets and all(href.startswith("/news/") for href in stylesheets), stylesheets
    for href in stylesheets:
        assert page.request.get(root + href).status == 200, href
    # The stylesheet was applied, not just served: the page's rules are there and change the layout.
    assert page.evaluate("[...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)") > 20
    nav = page.locator(".tree-nav a")
    links = sorted({nav.nth(i).get_attribute("href") for i in range(nav.count())})
    assert len(links) >= 8, links  # home, the starter's categories, all categories, archive
    for href in links:
        assert href.startswith("/news/"), href
        assert page.request.get(root + href).status == 200, href
    page.screenshot(path=str(artifacts / f"starter-serve-{name}.png"), full_page=True)
    context.close()
    assert problems.messages == []
