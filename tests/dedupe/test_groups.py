"""Grouping rules: exact links at any distance, near duplicates only across feeds and within the window."""

from datetime import datetime, timedelta, timezone

from feedstation.dedupe import duplicate_groups, one_per_story
from feedstation.models import StoredEntry

T0 = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
LEAD = "<p>美国商务部工业与安全局周一公布新一轮半导体出口管制措施，将140家中国实体列入实体清单，并收紧高带宽内存的出口。</p>"


def entry(n: int, feed: int, title: str, *, link: str | None = None, hours: float = 0, body: str = "") -> StoredEntry:
    when = T0 + timedelta(hours=hours)
    return StoredEntry(id=n, feed_id=feed, category="科技", site=f"站点{feed}", channel="频道", identity=f"id:{n}",
                       title=title, link=link if link is not None else f"https://s{feed}.example.cn/{n}",
                       author=None, published=when, updated=None, first_seen=when, last_seen=when, summary=body,
                       content=body, image=None, content_hash=str(n))


def grouped(entries) -> list[tuple[int, ...]]:
    return [tuple(entries[i].id for i in group) for group in duplicate_groups(entries).groups]


def test_the_same_link_under_tracking_and_mobile_spellings_is_one_story_at_any_distance():
    entries = [entry(1, 1, "A", link="https://36kr.com/p/1?utm_source=x"),
               entry(2, 2, "B", link="https://m.36kr.com/p/1/", hours=24 * 30)]
    assert grouped(entries) == [(1, 2)]


def test_near_identical_titles_from_two_feeds_within_the_window_are_one_story_earliest_first():
    entries = [entry(1, 1, "美国发布芯片出口管制新规，140家中国实体被列入实体清单", hours=3),
               entry(2, 2, "美国发布芯片出口管制新规 140家中国实体被列入实体清单 - IT之家")]
    assert grouped(entries) == [(2, 1)]


def test_outside_the_window_equal_titles_are_different_stories():
    entries = [entry(1, 1, "Announcing the new release of the toolkit"),
               entry(2, 2, "Announcing the new release of the toolkit", hours=24 * 4)]
    assert grouped(entries) == []


def test_one_feed_never_has_near_duplicates_of_itself():
    entries = [entry(1, 1, "知乎热榜：今天最热的十个问题"), entry(2, 1, "知乎热榜：今天最热的十个问题", hours=24)]
    assert grouped(entries) == []


def test_a_rewritten_headline_over_the_same_lead_is_one_story():
    # A teaser of the same opening under another headline (a wire story republished).
    entries = [entry(1, 1, "美国商务部发布芯片出口管制新规", body=LEAD),
               entry(2, 2, "出口管制再升级：美国商务部将140家中国实体列入清单", body=LEAD[:60] + "…</p>", hours=2)]
    assert grouped(entries) == [(1, 2)]


def test_a_rewritten_headline_over_another_lead_is_another_story():
    entries = [entry(1, 1, "美国商务部发布芯片出口管制新规", body=LEAD),
               entry(2, 2, "出口管制再升级：美国商务部将140家中国实体列入清单",
                     body="<p>商务部新闻发言人表示，中方坚决反对美方泛化国家安全概念、滥用出口管制措施。</p>", hours=2)]
    assert grouped(entries) == []


def test_a_boilerplate_opening_many_items_share_pairs_nobody():
    opening = "<p>点击上方蓝字关注我们，每天推送最新最热的科技资讯和深度解读，欢迎转发分享给朋友们。</p>"
    entries = [entry(n, n, f"第{n}篇完全不同的文章标题", body=opening, hours=n) for n in range(1, 12)]
    assert grouped(entries) == []


def test_digests_that_differ_only_in_their_date_or_issue_are_different_stories():
    entries = [entry(1, 1, "知乎热榜 2026-11-30"), entry(2, 2, "知乎热榜 2026-12-01", hours=24),
               entry(3, 3, "Python Weekly #123"), entry(4, 4, "Python Weekly #124", hours=2)]
    assert grouped(entries) == []


def test_groups_do_not_depend_on_the_input_order():
    entries = [entry(1, 1, "Storm Bert: Thousands without power as heavy rain and wind hit UK"),
               entry(2, 2, "Storm Bert: thousands without power as heavy rain and wind hit UK", hours=1),
               entry(3, 3, "Something else entirely happened today", hours=2)]
    forward = grouped(entries)
    backward = grouped(entries[::-1])
    assert forward == backward == [(1, 2)]


def test_one_per_story_keeps_the_earliest_copy_in_the_given_order():
    entries = [entry(3, 3, "Other news of the day", hours=5),
               entry(2, 2, "GitHub suffers hours-long outage, blames database failover", hours=1),
               entry(1, 1, "GitHub suffers hours-long outage, blames database failover")]
    assert [e.id for e in one_per_story(entries)] == [3, 1]


def test_items_without_titles_are_not_near_duplicates_of_each_other():
    entries = [entry(n, n, "", hours=n) for n in range(1, 6)]
    assert grouped(entries) == []
