"""Issue 11, beyond unreadable rows: an entry that can be read but not rendered is left out of that output, and a
broken feed row is read leniently; neither ends the site (`run` on a loopback server, then `build`, `export hexo`
and `status`)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
from click.testing import CliRunner
from sqlalchemy import select, text, update

from feedstation.cli import main
from feedstation.store import Store
from feedstation.store.engine import create_store_engine
from feedstation.store.schema import entries, feeds
from tests.database_reads import connection, is_postgresql
from tests.hostile.support import good_feed, item_page_for, posts, write_config

END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)  # already year 10000 in Asia/Shanghai
START_OF_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)  # still year 0 in America/New_York


def cli(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "250"})


def site_titles(site_dir: Path) -> list[str]:
    titles = []
    for page in (site_dir / "item").rglob("*.html"):
        [h1] = lxml.html.document_fromstring(page.read_text(encoding="utf-8")).findall(".//main//h1")
        titles.append(h1.text_content().strip())
    return sorted(titles)


def entry_ids(target, channel: str) -> dict[str, int]:
    with Store.open(target) as store, store.engine.connect() as conn:
        rows = conn.execute(select(entries.c.identity, entries.c.id).join(feeds, feeds.c.id == entries.c.feed_id)
                            .where(feeds.c.channel == channel)).all()
    return dict(rows)


def test_an_entry_a_publisher_cannot_render_is_left_out_of_that_output_and_reported(server, tmp_path, store_target):
    server.serve("/edge.xml", good_feed(3, prefix="edge"))
    server.serve("/other.xml", good_feed(2, prefix="other"))
    # The site shows dates in Asia/Shanghai (the default), the Hexo posts in New York wall time.
    config = str(write_config(tmp_path, {"边界": {"站": {"日期": server.url("/edge.xml"), "别的": server.url("/other.xml")}}},
                              storage=store_target, extra="hexo: {date_format: local, timezone: America/New_York}\n"))
    assert cli("run", "--config", config).exit_code == 0
    ids = entry_ids(store_target, "日期")
    with connection(store_target) as conn:  # through the store's own column type, on either dialect
        conn.execute(update(entries).where(entries.c.id == ids["edge-0"]).values(published=END_OF_TIME))
        conn.execute(update(entries).where(entries.c.id == ids["edge-1"]).values(published=START_OF_TIME))

    site_reason = "edge-0' (row {}) skipped: cannot be shown on the site: its date 9999-12-31T23:59:59Z falls " \
                  "outside years 1–9999 in the time zone Asia/Shanghai".format(ids["edge-0"])
    hexo_reason = "edge-1' (row {}) skipped: cannot be written as a Hexo post: its date 0001-01-01T00:00:00Z falls " \
                  "outside years 1–9999 in the time zone America/New_York".format(ids["edge-1"])
    result = cli("run", "--config", config, "--force")
    assert result.exit_code == 0, result.output[-3000:]
    assert "2 stored item(s) could not be read or rendered and were left out" in result.output, result.output[-3000:]
    assert site_reason in result.output and hexo_reason in result.output, result.output[-3000:]
    everything = ["edge item 0", "edge item 1", "edge item 2", "other item 0", "other item 1"]
    # Each output leaves out only what it cannot render; a year-1 date no longer stops the site's
    # duplicate grouping, and a year-9999 one is still a Hexo post.
    assert site_titles(tmp_path / "public") == [t for t in everything if t != "edge item 0"]
    assert sorted(p.front["title"] for p in posts(tmp_path / "posts")) == [t for t in everything if t != "edge item 1"]
    # Shown with a four-digit year (strftime's %Y would write `1-01-01`); the hour is tzdata's local mean time.
    page = item_page_for(tmp_path / "public", "edge item 1").read_text(encoding="utf-8")
    assert re.search(r">0001-01-01 \d\d:\d\d</time>", page), page
    status = cli("status", "--config", config)
    assert status.exit_code == 0 and site_reason in status.output and hexo_reason in status.output, status.output

    for _ in range(2):  # the second build changes nothing, renders nothing, and still reports the entry
        build = cli("build", "--config", config)
        assert build.exit_code == 0, build.output[-3000:]
        assert "build: 1 stored item(s) could not be read or rendered" in build.output and site_reason in build.output
    assert "(0 written" in build.output, build.output
    export = cli("export", "hexo", "--config", config)
    assert export.exit_code == 0 and hexo_reason in export.output and site_reason not in export.output, export.output


def _loosen_sqlite_feeds(target) -> None:
    """Rebuild `feeds` without NOT NULL on its category (SQLite's documented rebuild), as a hand-edited
    database might leave it. Foreign keys go off first, outside any transaction (SQLite ignores the
    pragma inside one), so that dropping the old table does not cascade to the entries."""
    engine = create_store_engine(target)
    raw = engine.raw_connection()  # the store's engine, in autocommit: the pragma must precede BEGIN
    try:
        raw.execute("PRAGMA foreign_keys = OFF")
        sql = raw.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'feeds'").fetchone()[0]
        raw.execute("BEGIN")
        raw.execute(sql.replace("CREATE TABLE feeds", "CREATE TABLE feeds_loose", 1)
                    .replace("category TEXT NOT NULL", "category TEXT"))
        raw.execute("INSERT INTO feeds_loose SELECT * FROM feeds")
        raw.execute("DROP TABLE feeds")
        raw.execute("ALTER TABLE feeds_loose RENAME TO feeds")
        raw.execute("COMMIT")
    finally:
        raw.close()
        engine.dispose()


def _break_feed_rows(target, broken: dict[str, int]) -> None:
    """A NULL tree name and dates that do not parse (each dialect's own spelling of a bad value), and on
    SQLite a tree name that is not UTF-8."""
    if is_postgresql(target):
        with connection(target) as conn:
            conn.execute(text("ALTER TABLE feeds ALTER COLUMN category DROP NOT NULL"))
        bad_date = "infinity"  # a timestamptz psycopg cannot load (it would fail the whole query)
    else:
        _loosen_sqlite_feeds(target)
        bad_date = "not a date"
    with connection(target) as conn:
        if not is_postgresql(target):
            conn.execute(text("UPDATE feeds SET channel = CAST(:raw AS TEXT) WHERE id = :id"),
                         {"raw": b"\xff\xfe broken", "id": broken["utf8"]})
        conn.execute(text("UPDATE feeds SET category = NULL WHERE id = :id"), {"id": broken["null"]})
        conn.execute(text(f"UPDATE feeds SET last_fetched_at = '{bad_date}', next_attempt_at = '{bad_date}', "
                          f"failing_since = '{bad_date}' WHERE id = :id"), {"id": broken["dates"]})


def test_broken_feed_rows_stop_neither_run_nor_build_nor_status(server, tmp_path, store_target):
    names = ("空名", "坏日期", "编码", "好")
    # A ttl keeps every feed "not due" after the first run: only an unreadable next attempt makes one due.
    for name in names:
        server.serve(f"/{name}.xml", good_feed(2, prefix=name).replace(b"<channel>", b"<channel><ttl>600</ttl>", 1))
    config = str(write_config(tmp_path, {"行": {"站": {name: server.url(f"/{name}.xml") for name in names}}},
                              storage=store_target))
    assert cli("run", "--config", config).exit_code == 0
    with connection(store_target) as conn:
        ids = {r.channel: r.id for r in conn.execute(select(feeds.c.id, feeds.c.channel))}
    _break_feed_rows(store_target, {"null": ids["空名"], "dates": ids["坏日期"], "utf8": ids["编码"]})

    build = cli("build", "--config", config)
    assert build.exit_code == 0, build.output[-3000:]
    # The NULL-named feed's entries are reported (its row matches no source); the rest is published.
    assert "feed {}: entry '空名-0'".format(ids["空名"]) in build.output and "category is NULL" in build.output
    shown = site_titles(tmp_path / "public")
    assert "好 item 0" in shown and "坏日期 item 1" in shown and "空名 item 0" not in shown
    status = cli("status", "--config", config)
    assert status.exit_code == 0, status.output[-3000:]
    assert "行 › 站 › 坏日期" in status.output and "行 › 站 › 空名" not in status.output

    before = len(server.requests_to("/坏日期.xml"))
    run = cli("run", "--config", config)
    assert run.exit_code == 0, run.output[-3000:]
    # An unreadable next attempt counts as unknown, i.e. due now (as migration 7 reads one on PostgreSQL);
    # the readable feeds keep their ttl and are not fetched again.
    assert len(server.requests_to("/坏日期.xml")) == before + 1
    assert len(server.requests_to("/好.xml")) == 1
    # The run gives the configured feeds rows again (the broken ones match no source) and publishes them all.
    titles = sorted(p.front["title"] for p in posts(tmp_path / "posts"))
    assert titles == sorted(f"{name} item {i}" for name in names for i in range(2)), (titles, run.output[-3000:])
    assert site_titles(tmp_path / "public") == titles
    status = cli("status", "--config", config)
    assert status.exit_code == 0, status.output[-3000:]
    assert all(f"行 › 站 › {name}" in status.output for name in names)
    if not is_postgresql(store_target):  # the non-UTF-8 row is kept (never deleted), inactive
        with connection(store_target) as conn:
            assert conn.execute(text("SELECT active FROM feeds WHERE id = :id"), {"id": ids["编码"]}).scalar() == 0
