"""The demo's first screen in Chromium at phone and desktop width: real pictures load, the layout fits."""

from __future__ import annotations

import mimetypes
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from feedstation.publish.site.serve import make_server
from tests.publish.site.test_browser import VIEWPORTS, PageProblems, artifacts, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
DEMO_URL = "http://127.0.0.1:8000/"  # the demo's site.url: its pictures' address


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    # A subprocess, not CliRunner: Playwright's sync API keeps an event loop running in this thread.
    done = subprocess.run([sys.executable, "-m", "feedstation", "demo", "--dir", str(folder)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO / "src")}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    public = folder / "public"
    server = make_server(public, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield public, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_the_demo_stream_page_shows_its_pictures_and_fits_the_screen(browser, artifacts, demo_site, name):  # noqa: F811
    public, url = demo_site
    context = browser.new_context(viewport=VIEWPORTS[name], locale="zh-CN")

    def route(request_route):
        target = request_route.request.url
        if target.startswith(DEMO_URL):  # what `feedstation serve` on port 8000 answers; the test's server is elsewhere
            path = public / target[len(DEMO_URL):].split("?")[0]
            request_route.fulfill(status=200, body=path.read_bytes(), content_type=mimetypes.guess_type(str(path))[0])
        elif target.startswith(url):
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(url + "latest/")  # the stream of newest items (the home page is the board of titles)
    thumbs = page.locator(".card .thumb img")
    assert thumbs.count() >= 8
    for i in range(3):  # the first screen's pictures decode to real images
        thumbs.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbs.nth(i).element_handle())
        assert thumbs.nth(i).evaluate("img => img.naturalWidth") == 640
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / f"demo-latest-{name}.png"))
    context.close()
    assert problems.messages == []
