"""Fixture site for the site-build tests: a dozen entries over 2 categories, 3 sites and 4 channels."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from feedstation.models import SiteSettings, Source, StoredEntry

NOW = datetime(2022, 3, 1, tzinfo=timezone.utc)
SETTINGS = SiteSettings(title="Feedstation 测试站", url="https://example.com", language="zh-CN",
                        timezone="Asia/Shanghai", description="聚合阅读 · aggregated reading", page_size=5, feed_items=10)
CHANNELS = [
    ("社交媒体", "知乎", "知乎热榜", "rsshub:/zhihu/hotlist"),
    ("社交媒体", "知乎", "知乎日报", "rsshub:/zhihu/daily"),
    ("社交媒体", "微博", "微博热搜", "rsshub:/weibo/search/hot"),
    ("编程", "Hacker News", "Front Page", "https://hnrss.org/frontpage"),
]
# (channel index, title, html body, image); the search test looks for 量子, which only item 0 has.
ITEMS = [
    (0, "量子计算的新进展", "<p>研究人员展示了新的量子纠错方法，错误率显著下降。</p><p><img src=\"https://pic.example.cn/q.jpg\"></p>",
     "https://pic.example.cn/q.jpg"),
    (0, "如何看待年轻人开始流行“反向消费”？", "<p>越来越多的年轻人选择理性消费，拒绝冲动购物。</p>", None),
    (0, "为什么冬天的早晨特别难起床？", "<p>温度、光照和睡眠节律都有影响。</p>", None),
    (1, "瞎扯 · 如何正确地吐槽", "<p>今日份的日报瞎扯，欢迎围观。</p>", None),
    (1, "深夜惊奇 · 猫为什么喜欢纸箱", "<p>纸箱给猫带来安全感与温暖。</p>", None),
    (1, "大误 · 假如恐龙没有灭绝", "<p>一个脑洞大开的故事。</p>", None),
    (2, "春节档电影票房创新高", "<p>多部影片票房突破十亿元。</p>", None),
    (2, "多地发布寒潮预警", "<p>气象部门提醒注意防寒保暖。</p>", None),
    (3, "Show HN: A tiny static site generator in Rust", "<p>I built a <em>fast</em> static site generator.</p>", None),
    (3, "The history of the Unix shell", "<p>From the Thompson shell to <code>zsh</code>.</p>", None),
    (3, "Ask HN: What are you reading this month?", "<p>Share your favourite books &amp; papers.</p>", None),
    (3, "SQLite is not a toy database", "<p>SQLite handles most websites&#39; workloads with ease.</p>", None),
]


def make_entry(index: int, channel: int, title: str, html: str, image: str | None, *,
               published: datetime | None = None) -> StoredEntry:
    category, site, name, _url = CHANNELS[channel]
    when = published or datetime(2022, 1, 20, 2, 0, tzinfo=timezone.utc) + timedelta(days=3 * index, hours=index)
    return StoredEntry(
        id=index + 1, feed_id=channel + 1, category=category, site=site, channel=name, identity=f"urn:test:{index}",
        title=title, link=f"https://origin.example.org/post/{index}", author="小明" if index % 2 else None,
        published=when, updated=None, first_seen=when, last_seen=when, summary=html, content=html, image=image,
        content_hash=f"hash{index}")


def fixture_entries() -> list[StoredEntry]:
    return [make_entry(i, *item) for i, item in enumerate(ITEMS)]


def fixture_sources() -> list[Source]:
    return [Source(category=c, site=s, channel=ch, url=u) for c, s, ch, u in CHANNELS]


@pytest.fixture
def entries() -> list[StoredEntry]:
    return fixture_entries()


@pytest.fixture
def sources() -> list[Source]:
    return fixture_sources()
