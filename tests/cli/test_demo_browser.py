"""The demo as a newcomer sees it: `feedstation demo`, then `feedstation serve` on whatever port is free, in Chromium
at phone and desktop width: real pictures load (thumbnails, article pictures, search results) and the layout fits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.preview import feedstation_serve
from tests.publish.site.test_browser import VIEWPORTS, PageProblems, artifacts, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_preview(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    # Subprocesses, not CliRunner: Playwright's sync API keeps an event loop running in this thread.
    done = subprocess.run([sys.executable, "-m", "feedstation", "demo", "--dir", str(folder)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    # The port is whatever is free, never the demo site.url's 8000: the pictures must not depend on it.
    with feedstation_serve(folder / "feedstation.yaml", env) as url:
        assert not url.startswith("http://127.0.0.1:8000/")
        yield url


def open_page(browser, viewport, url: str):  # noqa: F811
    """A page that may load only from the preview server; anything else is refused and reported."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    refused: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(url):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    return context, page, PageProblems(page), refused


def wait_decoded(page, images, count: int) -> list[int]:
    """The natural widths of the first `count` pictures, once each has loaded (0: a broken picture)."""
    widths = []
    for i in range(count):
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=images.nth(i).element_handle())
        widths.append(images.nth(i).evaluate("img => img.naturalWidth"))
    return widths


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_the_demo_through_serve_on_any_port_shows_its_pictures_and_fits_the_screen(browser, artifacts,  # noqa: F811
                                                                                    demo_preview, name):
    context, page, problems, refused = open_page(browser, VIEWPORTS[name], demo_preview)
    page.goto(demo_preview + "latest/")  # the stream of newest items (the home page is the board of titles)
    thumbs = page.locator(".card .thumb img")
    assert thumbs.count() >= 8
    assert wait_decoded(page, thumbs, 3) == [640, 640, 640]  # the first screen's pictures are real images
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / f"demo-latest-{name}.png"))

    # An article's own picture (in its body) loads too.
    page.locator(".card.has-thumb a.thumb").first.click()
    page.wait_for_selector("article.item img", state="attached")  # the item page has loaded, not just begun to
    pictures = page.locator("article.item img")
    assert pictures.count() >= 1 and wait_decoded(page, pictures, 1) == [640]
    page.screenshot(path=str(artifacts / f"demo-item-{name}.png"))
    context.close()
    assert problems.messages == [] and refused == []


def test_the_demo_search_results_show_their_pictures(browser, demo_preview):  # noqa: F811
    context, page, problems, refused = open_page(browser, VIEWPORTS["desktop"], demo_preview)
    page.goto(demo_preview + "search/?q=SQLite")
    results = page.locator("#search img")  # Pagefind's result thumbnails, from each item's indexed picture
    page.wait_for_function("document.querySelectorAll('#search img').length > 0")
    assert wait_decoded(page, results, 1) == [640]
    context.close()
    assert problems.messages == [] and refused == []
