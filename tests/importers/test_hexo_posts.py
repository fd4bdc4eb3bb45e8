"""`feedstation import hexo`: reference-format posts become stored history, and the next export owns them."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from feedstation.cli import main
from feedstation.config import load_config
from feedstation.importers.hexo_posts import read_post
from feedstation.publish.hexo import MANIFEST_NAME
from feedstation.store import Store
from tests.loopback import LoopbackServer

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED = FIXTURES / "hexo" / "seed" / "zhihu-hotlist-post.md"
SEED_TITLE = "哈萨克斯坦爆发大规模冲突，总统凌晨紧急向集安组织求助，已有军警死亡，全国断网，目前当地情况如何？"
SEED_DATE = "Thu, 06 Jan 2022 10:32:27 GMT"


def reference_post(title: str, categories: tuple[str, str, str], date: str, body: str, image: str) -> str:
    """A post exactly as the reference wrote them (the seed post's bytes, other values)."""
    quoted = "'" + title.replace("'", "''") + "'"
    cats = "".join(f" - {c}\n" for c in categories)
    return (f"\n---\ntitle: {quoted}\ncategories: \n{cats}headimg: '{image}'\nauthor: {categories[1]}\n"
            f"comments: false\ndate: {date}\nthumbnail: '{image}'\n---\n\n<div>   \n{body}  \n</div>\n" + " " * 12)


def make_site(tmp_path: Path, instance: str) -> tuple[Path, Path]:
    posts = tmp_path / "source" / "_posts"
    zhihu = posts / "社交媒体" / "知乎" / "知乎热榜"
    zhihu.mkdir(parents=True)
    shutil.copy(SEED, zhihu / f"{SEED_TITLE}.md")
    (zhihu / "It's {braces}.md").write_text(reference_post(
        "It's {braces}", ("社交媒体", "知乎", "知乎热榜"), "Fri, 07 Jan 2022 08:00:00 GMT",
        "<p>code: &#123;&#123; x &#125;&#125;</p><script>alert(1)</script>",
        "https://picsum.photos/400/300?random=42"), encoding="utf-8")
    (zhihu / "broken.md").write_text("\n---\ntitle: 'no end\ncategories: [a\n---\n\n<div>x</div>", encoding="utf-8")
    (zhihu / "two-levels.md").write_text(reference_post("Two", ("社交媒体", "知乎"), SEED_DATE, "<p>x</p>", "")
                                         .replace(" - 知乎\n - \n", " - 知乎\n"), encoding="utf-8")
    other = posts / "社交媒体" / "知乎" / "知乎日报"
    other.mkdir()
    (other / "unlisted.md").write_text(reference_post("Daily", ("社交媒体", "知乎", "知乎日报"), SEED_DATE, "<p>d</p>",
                                                      "https://example.org/i.jpg"), encoding="utf-8")
    (posts / "about.md").write_text("# About this site\n\nwritten by hand\n", encoding="utf-8")
    config = tmp_path / "feedstation.yaml"
    config.write_text(f"rsshub: {{instances: ['{instance}']}}\noutput: {{site: null, hexo: source/_posts}}\n"
                      "sources:\n  社交媒体:\n    知乎:\n      知乎热榜: rsshub:/zhihu/hotlist\n", encoding="utf-8")
    return config, posts


def untouched_files(posts: Path) -> dict[str, bytes]:
    names = ["社交媒体/知乎/知乎热榜/broken.md", "社交媒体/知乎/知乎热榜/two-levels.md", "社交媒体/知乎/知乎日报/unlisted.md",
             "about.md"]
    return {name: (posts / name).read_bytes() for name in names}


def zhihu_feed(*items: tuple[str, str, str]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{d}</pubDate>"
                   f"<description><![CDATA[<p>fresh {t}</p>]]></description></item>" for t, link, d in items)
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>知乎热榜</title>{body}"
            "</channel></rss>").encode("utf-8")


def test_read_post_reads_the_seed_and_undoes_the_escaping():
    post = read_post(SEED.read_text(encoding="utf-8"), "seed.md")
    assert post.tree == ("社交媒体", "知乎", "知乎热榜")
    assert post.title == SEED_TITLE
    assert post.published.isoformat() == "2022-01-06T10:32:27+00:00"
    assert post.image == "https://pic2.zhimg.com/v2-90bfccfbbb790ea354358c237e37d864_1440w.jpg"
    assert post.content.startswith("张艾菲的回答<br><br><p>注：视频是BBC的报道") and "referrerpolicy" in post.content
    braces = read_post(reference_post("t", ("a", "b", "c"), SEED_DATE, "<p>&#123;x&#125;</p>",
                                      "https://picsum.photos/400/300?random=7"), "b.md")
    assert braces.content == "<p>{x}</p>" and braces.image is None  # a placeholder is no image
    assert read_post("no front matter", "x.md") == "no front matter (--- … ---) at the top"
    assert "date 'yesterday'" in read_post(reference_post("t", ("a", "b", "c"), "yesterday", "", ""), "d.md")


def test_import_then_export_owns_the_posts_and_the_feed_serving_them_again_makes_no_duplicate(tmp_path):
    with LoopbackServer() as server:
        config, posts = make_site(tmp_path, server.url(""))
        before = untouched_files(posts)
        runner = CliRunner()
        result = runner.invoke(main, ["import", "hexo", str(posts), "--config", str(config)], catch_exceptions=False)
        output = " ".join(result.output.split())
        assert result.exit_code == 0, result.output
        assert (f"6 post files in {posts}: 2 imported into {tmp_path / 'feedstation.db'} (0 of them already stored), 4 not "
                "imported, 0 written or imported by feedstation before (skipped)") in output, output
        assert "4 files not imported (left untouched)" in output
        assert "broken.md: front matter is not valid YAML" in output
        assert "two-levels.md: categories must list the category, site and channel (found 2)" in output
        assert "unlisted.md: its categories 社交媒体 › 知乎 › 知乎日报 are not a feed in the config" in output
        assert "about.md: no front matter" in output
        cfg = load_config(config)
        with Store.open(cfg.storage) as store:
            stored = {e.title: e for e in store.iter_entries()}
        assert set(stored) == {SEED_TITLE, "It's {braces}"}
        assert stored["It's {braces}"].content == "<p>code: {{ x }}</p>"  # unescaped, and sanitised
        assert stored[SEED_TITLE].image.startswith("https://pic2.zhimg.com/")

        # Importing again stores nothing twice.
        again = runner.invoke(main, ["import", "hexo", str(posts), "--config", str(config)], catch_exceptions=False)
        # The parts still add up to the 6 files: the 2 imported ones are feedstation's now, skipped.
        again_text = " ".join(again.output.split())
        assert "6 post files in" in again_text and ": 0 imported into" in again_text
        assert "4 not imported, 2 written or imported by feedstation before (skipped)" in again_text

        result = runner.invoke(main, ["export", "hexo", "--config", str(config)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        md = sorted(p.relative_to(posts).as_posix() for p in posts.rglob("*.md"))
        assert len([m for m in md if m.startswith("社交媒体/知乎/知乎热榜/") and "broken" not in m
                    and "two-levels" not in m]) == 2
        assert untouched_files(posts) == before
        rendered = next(p for p in posts.rglob("*.md") if "braces" in p.name).read_text(encoding="utf-8")
        assert "code: &#123;&#123; x &#125;&#125;" in rendered and "<script>" not in rendered

        # The feed now serves the seed item (with a link) and a new one: one post each, none twice.
        server.serve("/zhihu/hotlist", body=zhihu_feed(
            (SEED_TITLE, "https://www.zhihu.com/question/1", SEED_DATE),
            ("新问题", "https://www.zhihu.com/question/2", "Sat, 08 Jan 2022 00:00:00 GMT")))
        result = runner.invoke(main, ["run", "--config", str(config)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        with Store.open(cfg.storage) as store:
            entries = list(store.iter_entries())
        assert sorted(e.title for e in entries) == sorted([SEED_TITLE, "It's {braces}", "新问题"])
        seed_entry = next(e for e in entries if e.title == SEED_TITLE)
        assert seed_entry.link == "https://www.zhihu.com/question/1"  # the imported row became the feed's item
        channel = sorted(p.name for p in (posts / "社交媒体" / "知乎" / "知乎热榜").glob("*.md"))
        assert len(channel) == 5  # seed, braces, 新问题, and the two files feedstation could not import
        seed_files = [p for p in posts.rglob("*.md") if SEED_TITLE[:10] in p.name]
        assert len(seed_files) == 1 and "fresh " in seed_files[0].read_text(encoding="utf-8")
        assert untouched_files(posts) == before
        assert (posts / MANIFEST_NAME).exists()


def test_posts_imported_after_the_feed_already_served_them_are_not_stored_or_written_twice(tmp_path):
    with LoopbackServer() as server:
        config, posts = make_site(tmp_path, server.url(""))
        server.serve("/zhihu/hotlist", body=zhihu_feed((SEED_TITLE, "https://www.zhihu.com/question/1", SEED_DATE)))
        runner = CliRunner()
        assert runner.invoke(main, ["fetch", "--config", str(config)], catch_exceptions=False).exit_code == 0
        result = runner.invoke(main, ["import", "hexo", str(posts), "--config", str(config)], catch_exceptions=False)
        output = " ".join(result.output.split())
        assert ": 2 imported into" in output and "(1 of them already stored)" in output
        assert runner.invoke(main, ["export", "hexo", "--config", str(config)], catch_exceptions=False).exit_code == 0
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        assert sorted(e.title for e in store.iter_entries()) == sorted([SEED_TITLE, "It's {braces}"])
    seed_files = [p for p in posts.rglob("*.md") if SEED_TITLE[:10] in p.name]
    assert len(seed_files) == 1 and "fresh " in seed_files[0].read_text(encoding="utf-8")
