"""The status page and status.json: every feed, its health and tree position, failing feeds first."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html as lxml_html

from feedstation.models import FeedHealth
from feedstation.publish.site import build_site
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources

RUN = datetime(2022, 2, 23, 1, 0, tzinfo=timezone.utc)  # the last fetch: 7 days back is Feb 16, 09:00 Shanghai


def health_rows() -> list[FeedHealth]:
    def row(channel, site, category, **changes):
        base = dict(category=category, site=site, channel=channel, url="rsshub:/x", status="ok", http_status=200,
                    error=None, consecutive_failures=0, failing_since=None, last_fetched_at=RUN,
                    last_success_at=RUN, next_attempt_at=RUN + timedelta(hours=1), served_by="https://rsshub.app")
        base.update(changes)
        return FeedHealth(**base)

    return [
        row("Front Page", "Hacker News", "编程"),
        row("微博热搜", "微博", "社交媒体", status="error", http_status=503,
            error="RSSHub: Got error from upstream: 微博 returned 403", consecutive_failures=3,
            failing_since=RUN - timedelta(days=2), last_success_at=RUN - timedelta(days=2),
            served_by="https://rsshub.example.org"),
        row("知乎日报", "知乎", "社交媒体", warning="ill-formed XML, read with the lenient parser"),
        # 知乎热榜 has no row: configured but never fetched.
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW, health=health_rows())
    return out


def test_status_json_lists_every_feed_failing_first(site):
    data = json.loads((site / "status.json").read_text(encoding="utf-8"))
    assert data["feeds"] == 4 and data["failing"] == 1 and data["as_of"] == "2022-02-23T01:00:00Z"
    assert [r["channel"] for r in data["rows"]] == ["微博热搜", "知乎日报", "知乎热榜", "Front Page"]
    weibo = data["rows"][0]
    assert weibo["state"] == "error" and weibo["http_status"] == 503
    assert weibo["reason"] == "RSSHub: Got error from upstream: 微博 returned 403"
    assert weibo["served_by"] == "https://rsshub.example.org" and weibo["consecutive_failures"] == 3
    assert (weibo["category"], weibo["site"]) == ("社交媒体", "微博")
    assert weibo["last_success_at"] == "2022-02-21T01:00:00Z" and weibo["next_attempt_at"] == "2022-02-23T02:00:00Z"
    assert data["rows"][2]["state"] == "never" and data["rows"][2]["last_success_at"] is None
    hn = data["rows"][3]
    # HN items are on Feb 13, 16, 19, 22 (UTC 10:00 … 13:00): three fall within 7 days of the last fetch.
    assert (hn["items_last_7_days"], hn["items"]) == (3, 4)


def test_status_page_shows_reasons_and_links_each_feed_to_its_channel(site):
    doc = lxml_html.fromstring((site / "status" / "index.html").read_bytes())
    rows = doc.xpath('//li[contains(@class,"status-row")]')
    assert [r.get("class").split()[-1] for r in rows] == ["state-error", "state-warning", "state-never", "state-ok"]
    assert rows[0].xpath('string(.//p[@class="status-reason"])') == "HTTP 503 · RSSHub: Got error from upstream: 微博 returned 403"
    assert rows[0].xpath('string(.//span[@class="status-trail"])') == "社交媒体 › 微博 › 微博热搜"
    assert rows[0].xpath('.//span[@class="status-trail"]/a/@href')[0].startswith("/c/")
    times = rows[0].xpath(".//time/@datetime")
    assert "2022-02-23T10:00:00+08:00" in times, "times in the site's zone, for the relative-time script"
    assert "ill-formed XML" in rows[1].xpath('string(.//p[@class="status-reason"])')
    footer = lxml_html.fromstring((site / "index.html").read_bytes()).xpath('//footer//a[@href="/status/"]')
    assert footer, "the status page is linked from the footer"


def test_a_new_fetch_rewrites_the_status_page_but_no_item_page(tmp_path):
    out = tmp_path / "site"
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW, health=health_rows())
    later = [h if h.status != "error" else
             FeedHealth(**{**h.__dict__, "consecutive_failures": 4, "last_fetched_at": RUN + timedelta(hours=1)})
             for h in health_rows()]
    report = build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW, health=later)
    assert {"status/index.html", "status.json"} <= set(report.written_paths)
    assert not [p for p in report.written_paths if p.startswith("item/")]
