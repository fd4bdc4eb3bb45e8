"""The built fixture site in a real browser: phone and desktop layouts, navigation, dark mode, Chinese search."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from feedstation.publish.site import build_site
from feedstation.publish.site.serve import make_server
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW)
    server = make_server(out, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("FEEDSTATION_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    # Never skip: a missing browser must fail CI loudly, not pass it silently.
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (the browser tests need it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# A 1×1 PNG: feed images live on other hosts, which a test must never reach.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cf"
                      "c0f01f0005000201e1f6d8a40000000049454e44ae426082")


class PageProblems:
    """Console errors, uncaught page errors and failed responses seen while a test drove a page."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.messages.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))
        page.on("response", lambda r: r.status >= 400 and self.messages.append(f"HTTP {r.status}: {r.url}"))


def _offline(route):
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    elif route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=PIXEL)
    else:
        route.abort()


def _open(browser, viewport, color_scheme="light"):
    context = browser.new_context(viewport=viewport, locale="zh-CN", color_scheme=color_scheme)
    context.route("**/*", _offline)
    page = context.new_page()
    return context, page, PageProblems(page)


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_home_category_and_item_pages(browser, site_url, artifacts, name):
    context, page, problems = _open(browser, VIEWPORTS[name])
    page.goto(site_url + "/")
    assert page.locator(".brand").inner_text() == "Feedstation 测试站"
    assert page.get_by_role("link", name="SQLite is not a toy database").is_visible()
    # Nav counts, filled in from static/counts.js.
    counts = page.locator(".tree-nav a:visible", has_text="编程").first.evaluate(
        "a => (a.querySelector('.count') || a.nextElementSibling).textContent")
    assert counts == "4"
    # No horizontal scrolling on a phone: the layout fits the viewport.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / f"home-{name}.png"), full_page=True)

    # The sidebar on a desktop, the scrollable rows on a phone: whichever is shown.
    page.locator(".tree-nav a:visible", has_text="社交媒体").first.click()
    page.wait_for_url(f"**/c/{quote('社交媒体')}/")
    assert page.locator("main h1").inner_text().startswith("社交媒体")
    page.locator(".tree-nav a:visible", has_text="知乎").first.click()
    page.wait_for_url(f"**/{quote('知乎')}/")
    page.locator(".tree-nav a:visible", has_text="知乎热榜").first.click()
    page.wait_for_url(f"**/{quote('知乎热榜')}/")
    if name == "phone":
        # One clean row per depth: every pill of a row on one line, the current channel in the third row.
        tops = page.evaluate("""[...document.querySelectorAll('.nav-row')].map(
            row => [...row.children].map(li => Math.round(li.getBoundingClientRect().top)))""")
        assert len(tops) == 3 and all(len(set(row)) == 1 for row in tops), tops
        assert tops[0][0] < tops[1][0] < tops[2][0]
        assert page.locator(".nav-row").nth(2).locator("a[aria-current=page]").inner_text().startswith("知乎热榜")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(artifacts / "channel-phone.png"), full_page=True)

    page.get_by_role("link", name="量子计算的新进展").click()
    page.wait_for_url("**/item/**")
    assert page.locator("article.item h1").inner_text() == "量子计算的新进展"
    original = page.locator("a.original")
    assert original.get_attribute("rel") == "noopener noreferrer nofollow"
    image = page.locator("article.item .content img")
    assert image.get_attribute("loading") == "lazy" and image.get_attribute("referrerpolicy") == "no-referrer"
    page.screenshot(path=str(artifacts / f"item-{name}.png"), full_page=True)
    context.close()
    assert problems.messages == []


def test_dark_mode_toggle_is_remembered(browser, site_url, artifacts):
    context, page, problems = _open(browser, VIEWPORTS["phone"])
    page.goto(site_url + "/")
    html = page.locator("html")
    assert html.get_attribute("data-theme") == "light"
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator("#theme-toggle").click()
    assert html.get_attribute("data-theme") == "dark"
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_bg != light_bg
    assert page.evaluate("localStorage.getItem('feedstation-theme')") == "dark"
    page.reload()
    assert html.get_attribute("data-theme") == "dark", "the choice must survive a reload"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == dark_bg
    page.screenshot(path=str(artifacts / "home-phone-dark.png"), full_page=True)
    context.close()
    assert problems.messages == []


def test_dark_mode_follows_the_system_without_a_choice(browser, site_url):
    context, page, _problems = _open(browser, VIEWPORTS["desktop"], color_scheme="dark")
    page.goto(site_url + "/404.html")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    context.close()


def test_chinese_search_finds_the_item(browser, site_url, artifacts):
    context, page, problems = _open(browser, VIEWPORTS["desktop"])
    page.goto(site_url + "/")
    box = page.locator(".search-form input[name=q]")
    box.fill("量子")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=15_000)
    assert result.inner_text() == "量子计算的新进展"
    assert page.locator(".pagefind-ui__result-link").count() == 1
    page.screenshot(path=str(artifacts / "search-desktop.png"), full_page=True)
    result.click()
    page.wait_for_url("**/item/**")
    context.close()
    assert problems.messages == []


def test_search_finds_items_by_their_source_and_filters_by_it(browser, site_url):
    context, page, problems = _open(browser, VIEWPORTS["desktop"])
    page.goto(site_url + "/search/?q=" + quote("知乎热榜"))
    links = page.locator(".pagefind-ui__result-link")
    links.first.wait_for(timeout=15_000)
    page.wait_for_function("document.querySelectorAll('.pagefind-ui__result-link').length >= 3")
    titles = set(links.all_inner_texts())
    assert "量子计算的新进展" in titles and "为什么冬天的早晨特别难起床？" in titles
    # Each result shows its source trail and date (Pagefind metadata).
    tags = page.locator(".pagefind-ui__result").first.locator(".pagefind-ui__result-tag").all_inner_texts()
    assert any("社交媒体 › 知乎" in t for t in tags) and any(t.startswith("日期") for t in tags), tags
    # The category / site / channel filters are offered; picking a channel narrows the results.
    panel = page.locator(".pagefind-ui__filter-panel")
    assert panel.locator("text=频道").first.is_visible() or panel.count() == 1
    page.goto(site_url + "/search/?q=" + quote("知乎"))
    links.first.wait_for(timeout=15_000)
    before = links.count()
    page.locator(".pagefind-ui__filter-name", has_text="频道").click()
    page.locator("label", has_text="知乎日报").click()
    page.wait_for_function(f"document.querySelectorAll('.pagefind-ui__result-link').length < {before}")
    assert set(links.all_inner_texts()) <= {"瞎扯 · 如何正确地吐槽", "深夜惊奇 · 猫为什么喜欢纸箱", "大误 · 假如恐龙没有灭绝"}
    context.close()
    assert problems.messages == []


def test_missing_page_serves_the_404_page(browser, site_url):
    context, page, problems = _open(browser, VIEWPORTS["phone"])
    response = page.goto(site_url + "/no/such/page/")
    assert response.status == 404
    assert page.locator("main h1").inner_text() == "页面不存在"
    assert page.locator("link[rel=stylesheet]").count() == 1
    context.close()
    # The 404 status itself is logged as a console error by Chromium; nothing else may be.
    assert [m for m in problems.messages if "404" not in m] == []


def test_times_read_as_relative_in_the_site_time_zone(browser, site_url):
    context, page, problems = _open(browser, VIEWPORTS["phone"])
    page.clock.set_fixed_time("2022-02-23T09:00:00+08:00")  # the morning after the newest item (Feb 22, 21:00)
    page.goto(site_url + "/latest/")
    first = page.locator("article.card time").first
    assert first.inner_text() == "昨天 21:00" and first.get_attribute("title") == "2022-02-22 21:00"
    assert page.locator(".day-head time").first.inner_text() == "昨天"
    assert page.locator(".day-head time").nth(1).inner_text() == "2022年2月19日 星期六", "older days keep their date"
    page.clock.set_fixed_time("2022-02-22T23:30:00+08:00")
    page.reload()
    assert page.locator("article.card time").first.inner_text() == "2 小时前"
    assert page.locator(".day-head time").first.inner_text() == "今天"
    context.close()
    assert problems.messages == []


def test_keyboard_moves_between_items_opens_them_and_focuses_search(browser, site_url):
    context, page, problems = _open(browser, VIEWPORTS["desktop"])
    page.goto(site_url + "/latest/")
    focused = "document.activeElement.textContent"
    page.keyboard.press("j")
    assert page.evaluate(focused) == "SQLite is not a toy database"
    page.keyboard.press("j")
    assert page.evaluate(focused) == "Ask HN: What are you reading this month?"
    page.keyboard.press("k")
    assert page.evaluate(focused) == "SQLite is not a toy database"
    # The focus ring is visible on the focused card.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q", "/ focuses the search box"
    page.keyboard.type("jk")  # typing in the box is not navigation
    assert page.locator(".search-form input").input_value() == "jk"
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url("**/item/**")
    assert page.locator("article.item h1").inner_text() == "SQLite is not a toy database"
    page.go_back()
    page.goto(site_url + "/")  # board titles take part too
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/item/**")
    context.close()
    assert problems.messages == []
