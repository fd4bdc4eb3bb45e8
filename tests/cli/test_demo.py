"""`feedstation demo`: one command, no network, a complete site and Hexo posts from the shipped sample feeds."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import feedparser
import yaml
from click.testing import CliRunner
from lxml import html

from feedstation.cli import main
from feedstation.demo import DEMO_TREE, demo_feeds_dir


def test_demo_ships_rss_atom_and_json_feed_in_chinese_and_english():
    names = sorted(p.name for p in demo_feeds_dir().iterdir())
    assert any(n.endswith(".atom") for n in names) and any(n.endswith(".json") for n in names)
    assert len(DEMO_TREE) >= 3  # several categories


def test_demo_builds_a_complete_site_and_hexo_posts_offline(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    public = folder / "public"
    home = html.fromstring((public / "index.html").read_bytes())
    titles = " ".join(home.xpath("//main//h2//text() | //main//h3//text() | //main//li/a//text()"))  # board or stream
    assert "如何看待 2026 年国产大模型的开源浪潮？" in titles and "Notes on writing things down" in titles
    assert home.get("lang") == "zh-CN"
    assert all(img.get("loading") == "lazy" and img.get("referrerpolicy") == "no-referrer" for img in home.iter("img"))
    for feed in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((public / feed).read_bytes())
        assert parsed.bozo == 0 and len(parsed.entries) == 23
    assert (public / "feed.json").exists() and (public / "sources.opml").exists() and (public / "sitemap.xml").exists()
    assert list((public / "pagefind").glob("*/pagefind.js")) and (public / "pagefind" / "shards.js").exists()
    posts = sorted((folder / "source/_posts").rglob("*.md"))
    assert len(posts) == 23
    front = yaml.safe_load(posts[0].read_text(encoding="utf-8").split("---", 2)[1])
    assert front["categories"][0] in DEMO_TREE and front["comments"] is False
    # A second demo run changes nothing on disk.
    again = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"COLUMNS": "200"})
    assert again.exit_code == 0
    assert "23 written" not in again.output and "(0 written, " in again.output


SUMMARY = re.compile(r"(site|Hexo posts) in (?P<folder>.+): (?P<total>\d+) (files|posts) \((?P<written>\d+) written, "
                     r"(?P<unchanged>\d+) unchanged\); (?P<removed>\d+) old (files|posts) removed")


def summary_numbers(output: str) -> dict[str, tuple[int, int, int, int]]:
    found = {m.group(1): tuple(int(m.group(k)) for k in ("total", "written", "unchanged", "removed"))
             for m in SUMMARY.finditer(output)}
    assert set(found) == {"site", "Hexo posts"}, output
    return found


def test_every_summary_line_adds_up_on_a_first_build_a_no_change_rebuild_and_a_partial_rebuild(tmp_path):
    folder = tmp_path / "demo"
    runs = []
    for step in range(3):
        if step == 2:  # a partial rebuild: one page the site owns was deleted by hand
            (folder / "public" / "index.html").unlink()
        result = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        runs.append(summary_numbers(result.output))
        fetched = re.search(r"(\d+) feeds fetched: (\d+) ok, (\d+) unchanged \(304\), (\d+) failed", result.output)
        assert int(fetched.group(1)) == sum(map(int, fetched.groups()[1:])), fetched.group(0)
    for numbers in runs:
        for total, written, unchanged, _removed in numbers.values():
            assert written + unchanged == total, numbers
    first, no_change, partial = runs
    # A re-run fetches again, so only the status page, status.json and the build manifest (which
    # records their inputs) show the new fetch time; nothing else is rewritten.
    assert first["site"][1] == first["site"][0] and no_change["site"][1] <= 3 and no_change["site"][2] > 0
    assert partial["site"][1] >= 1 and partial["site"][2] > 0  # the lost page (and what moved) written back
    assert no_change["Hexo posts"] == (23, 0, 23, 0)


def test_demo_without_dir_writes_a_temporary_folder_it_names_and_leaves_no_lock_files(tmp_path, monkeypatch):
    cwd = tmp_path / "a-git-checkout"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # what TMPDIR sets, once cached
    result = CliRunner().invoke(main, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert list(cwd.iterdir()) == []  # nothing in the current directory
    folder = Path(re.search(r"demo folder: (\S+)", result.output).group(1))
    assert folder.parent == tmp_path / "tmp" and folder.name.startswith("feedstation-demo-")
    # The database and config beside the outputs; no lock file (DB's or an output folder's) left anywhere.
    # config-cache/, template-cache/, site-stamps/: the config's parse cache, compiled site templates and what
    # the last site build was made from, beside the database (issue 19)
    assert {p.name for p in folder.iterdir()} == {"feedstation.yaml", "feedstation.db", "config-cache", "template-cache",
                                                  "site-stamps", "public", "source"}
    assert not [p for p in tmp_path.rglob("*lock*") if p.is_file()]
    assert f"feedstation serve --config {folder / 'feedstation.yaml'}" in result.output
    # No file to double-click: opened as a file, the pages' root-relative links (/static/site.css) find nothing.
    assert "index.html" not in result.output and "open it through a web server" in result.output


DEMO_IMAGES = Path(__file__).resolve().parents[2] / "src/feedstation/demo/theme/static/demo"


def test_demo_items_read_like_articles_and_carry_small_real_images_shipped_in_the_package(tmp_path):
    images = sorted(DEMO_IMAGES.glob("*.webp"))
    assert len(images) >= 6 and sum(p.stat().st_size for p in images) < 300 * 1024
    for image in images:
        head = image.read_bytes()[:16]
        assert head[:4] == b"RIFF" and head[8:12] == b"WEBP", image  # real WebP files, not placeholders
        assert image.stat().st_size > 4 * 1024, image  # a picture with detail, not a flat gradient
    feeds = " ".join(p.read_text(encoding="utf-8") for p in demo_feeds_dir().iterdir())
    assert "data:image" not in feeds and "要点一" not in feeds and "以下为正文摘录" not in feeds

    folder = tmp_path / "demo"
    assert CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"COLUMNS": "200"}).exit_code == 0
    public = folder / "public"
    # The board home lists titles; the stream of newest items (/latest/) shows the cards with pictures.
    home = html.fromstring((public / "latest" / "index.html").read_bytes())
    sources = [img.get("src") for img in home.iter("img") if "/static/demo/" in (img.get("src") or "")]
    assert len(sources) >= 8, sources
    for src in sources:  # every thumbnail is a shipped picture, published with the site, addressed from its root
        assert src.startswith("/static/demo/") and src.endswith(".webp"), src
        assert (public / src[1:]).read_bytes() == (DEMO_IMAGES / src.rsplit("/", 1)[1]).read_bytes()
    # Real paragraphs: every excerpt is a sentence or more of text, Chinese and English.
    excerpts = [" ".join(p.text_content().split()) for p in home.find_class("excerpt")]
    assert len(excerpts) == 23 and all(len(e) >= 60 for e in excerpts), excerpts
