"""Offline is not a broken product (issue 12.4): one summary line for a shared network failure, no back-off when
the whole network is down (a feed failing alone still backs off), "not due" says when and that --force overrides,
and an empty site says why it is empty.

"No network" is made on loopback: an RSSHub instance and feed URLs on a port nobody listens on refuse every
connection, the same "never reached a server" failure as a DNS outage, without any traffic leaving 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
from click.testing import CliRunner

from feedstation import pipeline
from feedstation.cli import main
from feedstation.cli.tables import network_failure_line
from feedstation.config import load_config
from feedstation.models import FeedReport, NetworkFailure, Source
from feedstation.outage import common_network_failure, network_down
from feedstation.store import Store
from tests.loopback import LoopbackServer

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>one</title><link>https://example.com/1</link><guid>1</guid></item></channel></rss>")


def closed_port() -> int:
    with socket.socket() as s:  # bound and closed again: nothing listens there, connects are refused
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, sources: dict, instance: str, storage: Path | str = "fs.db") -> Path:
    config = folder / "feedstation.yaml"
    config.write_text(json.dumps({
        "site": {"url": "https://example.github.io/news"}, "rsshub": {"instances": [instance]},
        "fetch": {"allow_private_addresses": True, "retries": 0, "timeout": 10},
        "storage": str(storage), "output": {"site": "public"}, "sources": sources}, ensure_ascii=False), encoding="utf-8")
    return config


def offline_setup(tmp_path: Path, storage: Path | str = "fs.db") -> Path:
    down = f"http://127.0.0.1:{closed_port()}"
    (tmp_path / "local.xml").write_bytes(FEED)  # a local file still reads: it is not "the network"
    return write_config(tmp_path, {
        "社交媒体": {"知乎": {"知乎热榜": "rsshub:/zhihu/hotlist"}, "微博": {"热搜榜": "rsshub:/weibo/search/hot"}},
        "新媒体": {"36kr": {"资讯": "rsshub:/36kr/news/latest"}, "博客": {"RSS": f"{down}/feed.xml"}},
    }, down, storage)


def test_when_the_network_is_down_one_line_says_so_and_no_feed_backs_off(tmp_path, store_target):
    config = offline_setup(tmp_path, store_target)
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        first = pipeline.fetch_all(cfg, store, now=lambda: T0)
        assert first.failed == 4 and all(r.network_failure for r in first.reports)
        health = store.health()
        assert all(h.status == "error" and h.next_attempt_at is None and h.consecutive_failures == 0 for h in health)
        assert all(h.failing_since == T0 for h in health)
        # A minute later every feed is due again: the outage did not push any back-off.
        again = pipeline.fetch_all(cfg, store, now=lambda: T0 + timedelta(minutes=1))
        assert len(again.reports) == 4 and again.skipped == 0
    common = first.common_failure
    assert common is not None and common.network_down and common.kind == "connect"
    assert (common.feeds, common.total, common.hosts) == (4, 4, ("127.0.0.1",))

    result = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("no network?")]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("no network? no request could connect to 127.0.0.1 (4 of 4 feeds).")
    assert "not put into back-off" in lines[0]


def test_a_feed_that_fails_alone_still_backs_off_and_not_due_says_when_and_that_force_overrides(tmp_path, store_target):
    with LoopbackServer() as server:
        server.serve("/good.xml", body=FEED)
        down = f"http://127.0.0.1:{closed_port()}"
        config = write_config(tmp_path, {"c": {"s": {"good": server.url("/good.xml"), "gone": f"{down}/feed.xml",
                                                     "also good": server.url("/good.xml") + "?2"}}}, down, store_target)
        cfg = load_config(config)
        with Store.open(cfg.storage) as store:
            run = pipeline.fetch_all(cfg, store, now=lambda: T0)
            assert run.failed == 1 and run.common_failure is None  # one of three is not "most feeds"
            gone = next(h for h in store.health() if h.channel == "gone")
            assert gone.consecutive_failures == 1 and gone.next_attempt_at == T0 + timedelta(minutes=15)
        first = CliRunner().invoke(main, ["fetch", "--config", str(config)], env={"COLUMNS": "200"})
        second = CliRunner().invoke(main, ["fetch", "--config", str(config)], env={"COLUMNS": "200"})
    assert first.exit_code == 0 and second.exit_code == 0
    # The first CLI run is long past T0: "gone" was due and failed alone again (back-off doubles to 30 min).
    # The time carries its date when it falls on another day than now (a run just before midnight).
    # On a line of its own, below the totals: "1 feed not due yet ..., the next at 14:58 (in 29m); --force ..."
    match = re.search(r"^1 feed not due yet \(back-off or ttl\), the next at ((?:\d{4}-\d\d-\d\d )?\d\d:\d\d) \(in (\d+)m\); "
                      r"--force fetches them now$", second.output, re.MULTILINE)
    assert match, second.output
    assert 28 <= int(match.group(2)) <= 30
    assert "no network?" not in first.output + second.output
    sources = CliRunner().invoke(main, ["sources", "--config", str(config)], env={"COLUMNS": "200"})
    assert "[ok, 1 item]" in sources.output and "[error, 0 items]" in sources.output, sources.output
    assert re.search(r"^2 feeds fetched: 2 ok, 0 unchanged \(304\), 0 failed; 0 new items, 0 updated$", second.output,
                     re.MULTILINE), second.output  # "1 feed", "2 feeds": the nouns agree with their numbers


def test_most_feeds_failing_alike_while_some_work_is_named_but_backs_off_as_usual():
    def report(n: int, failure: NetworkFailure | None) -> FeedReport:
        return FeedReport(source=Source("c", "s", f"ch{n}", f"rsshub:/r/{n}"), status="error" if failure else "ok",
                          error="x" if failure else None, network_failure=failure)

    dns = NetworkFailure("dns", "rsshub.app")
    reports = [report(n, dns) for n in range(5)] + [report(9, None), report(10, None)]
    common = common_network_failure(reports, remote=7)
    assert common is not None and not common.network_down and common.feeds == 5 and common.total == 7
    assert not network_down(reports, remote=7)
    line = network_failure_line(common).plain
    assert line == ("5 of 7 feeds failed to resolve rsshub.app: is it down or blocked from here? "
                    "They back off as usual; --force retries them now.")
    everything = common_network_failure([report(n, dns) for n in range(12)], remote=12)
    assert network_failure_line(everything).plain.startswith(
        "no network? every request failed to resolve rsshub.app (12 of 12 feeds).")
    # Two of five is not "most feeds": no summary line.
    assert common_network_failure(reports[:2] + [report(n, None) for n in range(3)], remote=5) is None


def test_an_empty_site_says_why_it_is_empty(tmp_path, store_target):
    config = offline_setup(tmp_path, store_target)
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    home = lxml.html.fromstring((tmp_path / "public" / "index.html").read_bytes())
    state = home.find_class("empty-state")
    assert len(state) == 1
    text = " ".join(state[0].text_content().split())
    assert "还没有文章。" in text
    assert "4 个订阅源都还没有抓到文章：4 个抓取失败，0 个还没有抓取过。" in text
    reasons = [" ".join(li.text_content().split()) for li in state[0].iter("li")]
    # The three rsshub: routes share one reason (their route names are left out); the plain URL has its own.
    assert len(reasons) == 2 and reasons[0].endswith("— 3 个源") and reasons[1].endswith("— 1 个源"), reasons
    assert "could not connect to 127.0.0.1" in reasons[0] and "/zhihu/hotlist" not in reasons[0]
    assert "feedstation status" in text and "--force" in text
