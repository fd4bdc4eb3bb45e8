"""The build stamp (build_stamp.py): a no-change `feedstation build` answers before importing the store or the
renderer, and every kind of change the full build would see makes it build again (issue 19 goal 5)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedstation.cli import main
from feedstation.config import load_config
from feedstation.publish.site import build_stamp
from feedstation.publish.site.manifest import MANIFEST
from feedstation.publish.site.pages import STATUS_PAGE

SRC = str(Path(__file__).resolve().parents[3] / "src")
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>本地</title>
<link>https://example.com/</link>{items}</channel></rss>"""
ITEM = "<item><title>{title}</title><guid>{guid}</guid><link>https://example.com/{guid}</link>" \
       "<pubDate>Thu, 06 Jan 2022 10:32:27 GMT</pubDate><description>正文 {title}</description></item>"
OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>l</title></head><body>{outlines}</body></opml>"""


def write_feed(path: Path, titles: list[str]) -> None:
    path.write_text(RSS.format(items="".join(ITEM.format(title=t, guid=f"g{t}") for t in titles)), encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    """A fetched and built site of one local feed and one local OPML list, with a theme folder."""
    write_feed(tmp_path / "local.xml", ["第一条", "第二条"])
    (tmp_path / "list.opml").write_text(OPML.format(outlines=""), encoding="utf-8")
    (tmp_path / "theme").mkdir()
    config = tmp_path / "feedstation.yaml"
    config.write_text(f"storage: {tmp_path / 'data' / 'fs.db'}\noutput: {{site: {tmp_path / 'public'}}}\n"
                      f"site: {{theme: {tmp_path / 'theme'}}}\n"
                      f"sources:\n  本地:\n    文件:\n      频道: {tmp_path / 'local.xml'}\n"
                      f"  订阅: {tmp_path / 'list.opml'}\n", encoding="utf-8")
    assert invoke("fetch", config).exit_code == 0
    assert "written" in invoke("build", config).output
    assert unchanged(config), "a build right after a build changes nothing"
    return config


def invoke(command: str, config: Path):
    result = CliRunner().invoke(main, [command, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result


def unchanged(config: Path) -> bool:
    cfg = load_config(config)
    return build_stamp.unchanged_site(cfg, cfg.output.site) is not None


def public(config: Path) -> Path:
    return config.parent / "public"


def database(config: Path) -> sqlite3.Connection:
    return sqlite3.connect(config.parent / "data" / "fs.db")


def test_a_no_change_build_imports_neither_the_store_nor_the_renderer_and_reports_what_the_full_build_does(site):
    full = invoke("build", site).output  # the stamp is put aside below, so this one is the full path's answer
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import json, sys
        from feedstation.cli import main
        try:
            main(["build", "--config", {str(site)!r}])
        except SystemExit:
            pass
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
        print(json.dumps("feedstation.publish.site.build" in sys.modules))
    """)], env=dict(os.environ, PYTHONPATH=SRC, COLUMNS="200"), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    *printed, modules, renderer = out.stdout.strip().splitlines()
    assert not set(json.loads(modules)) & {"sqlalchemy", "pydantic", "jinja2", "aiohttp", "numpy"}
    assert json.loads(renderer) is False
    assert " ".join(printed).split() == full.split()
    assert "(0 written" in full


def test_a_new_entry_is_built(site):
    write_feed(site.parent / "local.xml", ["第一条", "第二条", "第三条"])
    invoke("fetch", site)
    assert not unchanged(site)
    invoke("build", site)
    assert "第三条" in (public(site) / "index.html").read_text(encoding="utf-8")
    assert unchanged(site)


def test_an_entry_edited_by_hand_is_built(site):
    with database(site) as db:  # the content hash left as it was
        db.execute("UPDATE entries SET title = '手改的标题' WHERE title = '第一条'")
    assert not unchanged(site)
    invoke("build", site)
    assert "手改的标题" in (public(site) / "index.html").read_text(encoding="utf-8")
    assert unchanged(site)


def test_a_feed_health_change_rewrites_the_status_page(site):
    with database(site) as db:
        db.execute("UPDATE feeds SET error = '手改的错误', status = 'error', consecutive_failures = 3")
    assert not unchanged(site)
    assert "(3 written" in invoke("build", site).output  # the status page, status.json and the manifest
    assert "手改的错误" in (public(site) / STATUS_PAGE).read_text(encoding="utf-8")
    assert unchanged(site)


def test_a_lost_output_file_is_written_again(site):
    (public(site) / "index.html").unlink()
    assert not unchanged(site)
    invoke("build", site)
    assert (public(site) / "index.html").exists()


def test_a_theme_edit_is_built(site):
    (site.parent / "theme" / "card.html").write_text('<p class="my-card">{{ item.entry.title }}</p>\n', encoding="utf-8")
    assert not unchanged(site)
    invoke("build", site)
    assert '<p class="my-card">第一条</p>' in (public(site) / "latest" / "index.html").read_text(encoding="utf-8")


def test_a_local_opml_list_edit_is_built(site):
    outline = '<outline text="新频道" xmlUrl="https://example.com/new.xml"/>'
    (site.parent / "list.opml").write_text(OPML.format(outlines=f'<outline text="站">{outline}</outline>'),
                                           encoding="utf-8")
    assert not unchanged(site)
    invoke("build", site)
    assert "新频道" in (public(site) / "sources.opml").read_text(encoding="utf-8")


def test_a_new_site_icon_is_built(site):
    (site.parent / "data" / "icons").mkdir(exist_ok=True)
    (site.parent / "data" / "icons" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert not unchanged(site)


def test_a_config_edit_is_built(site):
    site.write_text(site.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert not unchanged(site)


def test_a_changed_list_of_skipped_rows_is_written_back_by_a_full_build(site):
    with database(site) as db:
        feed_id = db.execute("SELECT id FROM feeds LIMIT 1").fetchone()[0]
        db.execute("INSERT INTO skipped_entries (feed_id, entry_id, identity, reason, noticed_at) "
                   "VALUES (?, 1, 'x', 'written by another publish', '2026-12-07T00:00:00Z')", (feed_id,))
    assert not unchanged(site)
    invoke("build", site)
    with database(site) as db:
        assert db.execute("SELECT count(*) FROM skipped_entries").fetchone()[0] == 0
    assert unchanged(site)


def test_another_build_into_the_folder_is_not_taken_for_this_one(site, tmp_path):
    manifest = public(site) / MANIFEST
    head, body = manifest.read_bytes().split(b"\n", 1)
    data = json.loads(head)
    data["inputs"] = "someone else's"
    manifest.write_bytes(json.dumps(data).encode() + b"\n" + body)
    assert not unchanged(site)


def test_writes_the_last_card_check_did_not_see_leave_no_stamp(site):
    with database(site) as db:
        db.execute("UPDATE store_changes SET count = count + 1")  # as a fetch between the card refresh and the stamp
    cfg = load_config(site)
    assert build_stamp.take(cfg, cfg.output.site, theme_dir=None) is None
    assert not unchanged(site)


def test_a_database_url_never_takes_the_quick_path(tmp_path):
    write_feed(tmp_path / "local.xml", ["第一条"])
    config = tmp_path / "feedstation.yaml"
    config.write_text(f"storage: sqlite:///{tmp_path / 'fs.db'}\noutput: {{site: {tmp_path / 'public'}}}\n"
                      f"sources:\n  本地:\n    文件:\n      频道: {tmp_path / 'local.xml'}\n", encoding="utf-8")
    invoke("fetch", config)
    invoke("build", config)
    assert not unchanged(config)
    assert "(0 written" in invoke("build", config).output


def test_a_config_edited_while_a_run_goes_on_is_built_again(site):
    """The stamp names the bytes the run loaded, not the file as it is when the stamp is taken."""
    from feedstation import pipeline
    from feedstation.store import Store

    loaded = load_config(site)
    site.write_text(site.read_text(encoding="utf-8").replace("site: {theme:", "site: {title: 改名的站, theme:"),
                    encoding="utf-8")
    with Store.open(loaded.storage) as store:
        write_feed(site.parent / "local.xml", ["第一条", "第二条", "第四条"])
        pipeline.fetch_all(loaded, store)
        pipeline.publish_site(loaded, store, public(site))
    assert not unchanged(site)
    invoke("build", site)
    assert "改名的站" in (public(site) / "index.html").read_text(encoding="utf-8")


def test_a_run_that_read_its_opml_lists_at_its_start_leaves_no_stamp(site):
    from feedstation import pipeline
    from feedstation.store import Store

    loaded = load_config(site)
    with Store.open(loaded.storage) as store:
        pipeline.fetch_all(loaded, store)  # works out the sources: the OPML list is read here
        assert loaded.sources_read()
        assert build_stamp.take(loaded, public(site), theme_dir=None) is None


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "site": 3}', b'{"format": 1, "watched": 5}'])
def test_a_damaged_stamp_is_a_full_build(site, damage):
    stamps = list((site.parent / "data" / build_stamp.FOLDER).iterdir())
    assert len(stamps) == 1
    stamps[0].write_bytes(damage)
    assert not unchanged(site)
    assert "(0 written" in invoke("build", site).output  # the full no-change path, which leaves a good stamp
    assert unchanged(site)


@pytest.mark.parametrize("basis", [None, "garbage", {"nav": "x", "base": "", "dates": {"channels": [[1, 2]]}}])
def test_a_damaged_status_basis_makes_the_status_page_from_the_cards(site, basis):
    manifest = public(site) / MANIFEST
    head, body = manifest.read_bytes().split(b"\n", 1)
    data = json.loads(body)
    data["status_basis"] = basis
    manifest.write_bytes(head + b"\n" + json.dumps(data).encode() + b"\n")
    with database(site) as db:
        db.execute("UPDATE feeds SET error = '手改的错误', status = 'error', consecutive_failures = 3")
    assert "(3 written" in invoke("build", site).output
    assert "手改的错误" in (public(site) / STATUS_PAGE).read_text(encoding="utf-8")
    assert json.loads(manifest.read_bytes().split(b"\n", 1)[1])["status_basis"]["dates"]["channels"]
