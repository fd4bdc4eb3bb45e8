"""Screenshots of every page type at 390×844 and 1366×768, light and dark, into $FEEDSTATION_ARTIFACTS.

Each shot also checks what a person would notice at once: no sideways scrolling, no console error, and the
page in the colour scheme asked for. Someone looks at the pictures (the issue asks for it); the assertions
catch the regressions that need no eyes.
"""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest

from feedstation.publish.site import build_site
from feedstation.publish.site.context import build_context
from feedstation.publish.site.serve import make_server
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources
from tests.publish.site.test_browser import VIEWPORTS, _open, artifacts, browser  # noqa: F401 - fixtures
from tests.publish.site.test_lighthouse import _png
from tests.publish.site.test_status_page import health_rows

pytestmark = pytest.mark.slow

LEAD_IMAGE = _png(400, 300)
CLOCK = "2022-02-23T09:30:00+08:00"  # the morning after the newest fixture item: times read "昨天 21:00"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW, health=health_rows())
    server = make_server(out, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _pages() -> dict[str, str]:
    item = next(i for i in build_context(fixture_entries(), SETTINGS).items if i.entry.image)
    return {"board": "/", "latest": "/latest/", "category": "/c/" + quote("社交媒体") + "/",
            "channel": "/c/" + quote("社交媒体/知乎/知乎热榜") + "/", "item": item.url,
            "search": "/search/?q=" + quote("知乎"), "status": "/status/", "archive": "/archive/",
            "tree": "/c/", "404": "/404.html"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_screenshot_every_page_type(browser, site_url, artifacts, viewport, scheme):  # noqa: F811
    context, page, problems = _open(browser, VIEWPORTS[viewport], color_scheme=scheme)
    # The fixture's one feed image, as a real picture (never fetched from its host).
    context.route("https://pic.example.cn/**", lambda route: route.fulfill(status=200, content_type="image/png",
                                                                          body=LEAD_IMAGE))
    page.clock.set_fixed_time(CLOCK)
    for name, path in _pages().items():
        page.goto(site_url + path)
        if name == "search":
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
        assert page.locator("html").get_attribute("data-theme") == scheme
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
        page.screenshot(path=str(artifacts / f"{name}-{viewport}-{scheme}.png"), full_page=True)
    context.close()
    assert problems.messages == []
