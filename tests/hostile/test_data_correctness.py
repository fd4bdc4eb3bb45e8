"""Issue 11: one bad item never stops a site. Each data bug class through `run` on a loopback server."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select, text

from feedstation.cli import main
from feedstation.normalize.identity import former_fallback_identity
from feedstation.parse.xml_guard import REFUSAL
from feedstation.store import Store
from feedstation.store.schema import entries, feeds
from tests.database_reads import connection, db_rows, is_postgresql
from tests.hostile.support import good_feed, item_content, item_page_for, posts, rss, write_config

MIB = 1024 * 1024


def cli(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "250"})


def atom(entries_xml: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>dated</title><id>urn:dated</id><updated>2026-06-01T00:00:00Z</updated>{entries_xml}</feed>'
            ).encode()


def atom_entry(ident: str, title: str, updated: str) -> str:
    return (f"<entry><id>{ident}</id><title>{title}</title><updated>{updated}</updated>"
            f"<content type='html'>&lt;p&gt;{title} body&lt;/p&gt;</content></entry>")


def stored(db: Path, channel: str) -> list:
    with Store.open(db) as store, store.engine.connect() as conn:
        return conn.execute(select(entries).join(feeds, feeds.c.id == entries.c.feed_id)
                            .where(feeds.c.channel == channel).order_by(entries.c.id)).all()


# -- 1. dates the store cannot read back ---------------------------------------------------------------

def test_a_year_0103_or_far_future_date_never_stops_publishing(server, tmp_path, store_target):
    server.serve("/dated.xml", atom(
        atom_entry("urn:old", "ancient", "0103-12-13T18:30:02Z")
        + atom_entry("urn:future", "future", "2099-01-01T00:00:00Z")
        + atom_entry("urn:fine", "fine", "2026-06-01T10:00:00Z")))
    config = str(write_config(tmp_path, {"日期": {"站": {"频道": server.url("/dated.xml")}}}, storage=store_target))
    for args in (["run", "--config", config], ["run", "--config", config, "--force"],
                 ["build", "--config", config], ["export", "hexo", "--config", config]):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    assert sorted(p.front["title"] for p in posts(tmp_path / "posts")) == ["ancient", "fine", "future"]
    rows = {r.identity: r for r in stored(store_target, "频道")}
    old, future, fine = rows["urn:old"], rows["urn:future"], rows["urn:fine"]
    # The feed's value is kept; ordering uses the first-seen time; the entry says why.
    assert old.feed_date == datetime(103, 12, 13, 18, 30, 2, tzinfo=timezone.utc)
    assert old.published == old.first_seen and not old.date_from_feed
    assert "0103-12-13T18:30:02Z is before 1990" in old.warning
    assert future.feed_date.year == 2099 and future.published == future.first_seen
    assert "more than 1 day in the future" in future.warning
    assert fine.published == datetime(2026, 6, 1, 10, tzinfo=timezone.utc) and fine.warning is None
    if not is_postgresql(store_target):  # SQLite keeps the text, four-digit year (PostgreSQL: timestamptz)
        assert db_rows(store_target, "SELECT feed_date FROM entries WHERE identity = 'urn:old'") == \
            [("0103-12-13T18:30:02.000000Z",)]
    status = cli("status", "--config", config)
    assert status.exit_code == 0
    assert "日期 › 站 › 频道: 2 item(s) dated by first-seen time" in status.output, status.output


# -- 2. a reader that survives any row -----------------------------------------------------------------

def _loosen_not_null(conn) -> None:
    """Rebuild `entries` without NOT NULL, as a hand-edited database or another tool might leave it
    (SQLite's documented rebuild: new table, copy, drop, rename)."""
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'").scalar()
    conn.exec_driver_sql(sql.replace("CREATE TABLE entries", "CREATE TABLE entries_loose", 1).replace(" NOT NULL", ""))
    conn.exec_driver_sql("INSERT INTO entries_loose SELECT * FROM entries")
    conn.exec_driver_sql("DROP TABLE entries")
    conn.exec_driver_sql("ALTER TABLE entries_loose RENAME TO entries")


def _break_rows_sqlite(conn, ids: list[int]) -> list[str]:
    """SQLite takes any value in any column: text that is no date, invalid UTF-8, a BLOB, NULL."""
    conn.execute(text("UPDATE entries SET published = 'not a date' WHERE id = :id"), {"id": ids[0]})
    conn.execute(text("UPDATE entries SET title = CAST(:raw AS TEXT) WHERE id = :id"),
                 {"raw": b"bad \xff\xfe title", "id": ids[1]})
    conn.execute(text("UPDATE entries SET content = :blob WHERE id = :id"), {"blob": b"\x00\x01", "id": ids[2]})
    _loosen_not_null(conn)
    conn.execute(text("UPDATE entries SET summary = NULL, content = NULL WHERE id = :id"), {"id": ids[3]})
    return ["published is not a date: 'not a date'", "title is not valid UTF-8 ('bad \ufffd\ufffd title')",
            "content is binary data (a BLOB), not text", "summary is NULL"]


def _break_rows_postgresql(conn, ids: list[int]) -> list[str]:
    """PostgreSQL checks types and encodings on write; what gets past it is dates Python cannot hold
    (psycopg would fail the whole query on them) and NULLs once a tool drops NOT NULL."""
    conn.execute(text("UPDATE entries SET published = 'infinity' WHERE id = :id"), {"id": ids[0]})
    conn.execute(text("UPDATE entries SET updated = '20000-01-01T00:00:00Z' WHERE id = :id"), {"id": ids[1]})
    conn.execute(text("UPDATE entries SET first_seen = '0044-03-15T00:00:00Z BC' WHERE id = :id"), {"id": ids[2]})
    conn.execute(text("ALTER TABLE entries ALTER COLUMN summary DROP NOT NULL"))
    conn.execute(text("UPDATE entries SET summary = NULL WHERE id = :id"), {"id": ids[3]})
    return ["published is not a date: 'infinity'", "updated is not a date: '20000-01-01 00:00:00+00'",
            "first_seen is not a date: '0044-03-15 00:00:00+00 BC'", "summary is NULL"]


def test_rows_that_cannot_be_read_are_skipped_and_reported_and_the_rest_is_published(server, tmp_path, store_target):
    server.serve("/bad.xml", good_feed(5, prefix="bad"))
    server.serve("/other.xml", good_feed(3, prefix="other"))
    config = str(write_config(tmp_path, {"数据": {"坏": {"坏行": server.url("/bad.xml"),
                                                       "好行": server.url("/other.xml")}}}, storage=store_target))
    assert cli("run", "--config", config).exit_code == 0
    assert len(posts(tmp_path / "posts")) == 8

    ids = [r.id for r in stored(store_target, "坏行")]
    with connection(store_target) as conn:  # bad values written through the store's own engine
        breaks = _break_rows_postgresql if conn.dialect.name == "postgresql" else _break_rows_sqlite
        reasons = breaks(conn, ids)
        row = conn.execute(select(entries).where(entries.c.id == ids[4])).one()._asdict()
        del row["id"]  # a new row id from the database
        conn.execute(entries.insert().values({**row, "identity": "huge-title", "title": "长" * (10 * MIB)}))
    reasons.append("title is 10,485,760 characters long")

    for args in (["run", "--config", config], ["build", "--config", config], ["export", "hexo", "--config", config]):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output[-3000:])
        assert "5 stored item(s) could not be read or rendered and were left out" in result.output, result.output[-3000:]
        for reason in reasons:
            assert reason in result.output, (reason, result.output[-6000:])
        assert "数据 › 坏 › 坏行: entry 'bad-0'" in result.output and "'huge-title'" in result.output

    published = sorted(p.front["title"] for p in posts(tmp_path / "posts"))
    assert published == ["bad item 4", "other item 0", "other item 1", "other item 2"]
    for title in published:
        item_page_for(tmp_path / "public", title)
    status = cli("status", "--config", config)
    assert status.exit_code == 0
    assert "last publish: 5 stored item(s) could not be read or rendered" in status.output
    for reason in reasons:
        assert reason in status.output, status.output


def test_stored_urls_and_enclosures_a_publisher_would_trust_are_checked_on_read(server, tmp_path, store_target):
    # Normalise stores only http(s) URLs and well-formed enclosure JSON; a value written by hand or by another
    # tool is reported like any unreadable one instead of reaching an href or src as it is.
    server.serve("/urls.xml", good_feed(5, prefix="url"))
    config = str(write_config(tmp_path, {"数据": {"网址": {"频道": server.url("/urls.xml")}}}, storage=store_target))
    assert cli("run", "--config", config).exit_code == 0
    ids = [r.id for r in stored(store_target, "频道")]
    with connection(store_target) as conn:
        for row_id, values in zip(ids, ({"link": "javascript:alert(1)"}, {"image": " jav\tascript:alert(2)"},
                                        {"enclosures": '[["javascript:alert(3)", "audio/mpeg", 1]]'},
                                        {"enclosures": '{"not": "a list"'})):
            conn.execute(entries.update().where(entries.c.id == row_id).values(**values))
    reasons = ["link is not an http(s) URL ('javascript:alert(1)')", "image is not an http(s) URL",
               "an enclosure is not an http(s) URL ('javascript:alert(3)')", "enclosures is not JSON"]
    for args in (["build", "--config", config], ["export", "hexo", "--config", config]):
        result = cli(*args)
        assert result.exit_code == 0, result.output[-3000:]
        assert "4 stored item(s) could not be read" in result.output
        assert all(reason in result.output for reason in reasons), result.output[-3000:]
    assert [p.front["title"] for p in posts(tmp_path / "posts")] == ["url item 4"]
    for path in [*(tmp_path / "public").rglob("*"), *(tmp_path / "posts").rglob("*")]:
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".md"):
            assert "alert(" not in path.read_text(encoding="utf-8"), path


# -- 3. items merged that are not the same ---------------------------------------------------------------

def test_items_with_only_an_author_stay_apart_and_identical_items_merge(server, tmp_path, store_target):
    authors = "".join(f"<item><author>writer{i}@example.com (W{i})</author></item>" for i in range(3))
    twin = "<item><description>same words</description></item>"
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>a</title>{authors}{twin}{twin}</channel></rss>'
    server.serve("/authors.xml", body.encode())
    config = str(write_config(tmp_path, {"身份": {"站": {"作者": server.url("/authors.xml")}}}, storage=store_target))
    first = cli("run", "--config", config)
    assert first.exit_code == 0, first.output
    rows = stored(store_target, "作者")
    assert sorted(r.author or "" for r in rows) == ["", *(f"writer{i}@example.com (W{i})" for i in range(3))]
    assert cli("run", "--config", config, "--force").exit_code == 0
    assert [r.identity for r in stored(store_target, "作者")] == [r.identity for r in rows]
    assert len(posts(tmp_path / "posts")) == 4


def test_an_item_stored_under_the_former_fallback_identity_is_not_stored_twice(server, tmp_path, store_target):
    # What feedstation before issue 11 left in the database for that feed: the three author-only
    # items merged into one row under sha256(title, date). After the upgrade: three rows, the old
    # one re-keyed (same row id), no duplicate.
    authors = "".join(f"<item><author>writer{i}@example.com</author></item>" for i in range(3))
    server.serve("/old.xml", f'<rss version="2.0"><channel><title>a</title>{authors}</channel></rss>'.encode())
    config = str(write_config(tmp_path, {"身份": {"站": {"旧": server.url("/old.xml")}}}, storage=store_target))
    assert cli("run", "--config", config).exit_code == 0
    rows = stored(store_target, "旧")
    with Store.open(store_target) as store, store.engine.begin() as conn:
        conn.execute(entries.delete().where(entries.c.id.in_([r.id for r in rows[1:]])))
        conn.execute(entries.update().where(entries.c.id == rows[0].id)
                     .values(identity=former_fallback_identity(rows[0].title, None)))
    assert cli("run", "--config", config, "--force").exit_code == 0
    again = stored(store_target, "旧")
    assert [r.identity for r in again] == [r.identity for r in rows] and again[0].id == rows[0].id


# -- 4. formats refused that feedparser reads ----------------------------------------------------------

RSS11 = b"""<?xml version="1.0" encoding="utf-8"?>
<!-- pos-rss11.xml -->
<Channel xmlns="http://purl.org/net/rss1.1#" xmlns:p="http://purl.org/net/rss1.1/payload#"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="http://example.org/rss11">
  <title>RSS 1.1 channel</title><link>http://example.org/</link><description>d</description>
  <items rdf:parseType="Collection">
    <item rdf:about="http://example.org/rss11/1"><title>eleven one</title><link>http://example.org/rss11/1</link>
      <description>first</description></item>
    <item rdf:about="http://example.org/rss11/2"><title>eleven two</title><link>http://example.org/rss11/2</link>
      <description>second</description></item>
  </items>
</Channel>"""
ATOM_ENTRY = b"""<?xml version="1.0" encoding="utf-8"?>
<entry xmlns="http://www.w3.org/2005/Atom"><id>urn:solo</id><title>lonely entry</title>
<link href="http://example.org/solo"/><updated>2026-06-01T00:00:00Z</updated>
<content type="html">&lt;p&gt;alone&lt;/p&gt;</content></entry>"""
UNKNOWN = b'<?xml version="1.0"?>\n<!-- pos-simpledc.xml -->\n<inventory><title>not a feed</title></inventory>'
SYSTEM_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                 b'<rss version="2.0"><channel><title>&x;</title></channel></rss>')


def test_rss11_and_atom_entry_documents_are_read_and_refusals_name_the_root(server, tmp_path, store_target):
    for name, body in (("rss11", RSS11), ("entry", ATOM_ENTRY), ("unknown", UNKNOWN), ("system", SYSTEM_ENTITY)):
        server.serve(f"/{name}.xml", body)
    tree = {"格式": {"站": {name: server.url(f"/{name}.xml") for name in ("rss11", "entry", "unknown", "system")}}}
    config = str(write_config(tmp_path, tree, storage=store_target))
    result = cli("run", "--config", config)
    assert result.exit_code == 0, result.output
    assert sorted(r.title for r in stored(store_target, "rss11")) == ["eleven one", "eleven two"]
    assert [r.title for r in stored(store_target, "entry")] == ["lonely entry"]
    with Store.open(store_target) as store:
        health = {h.channel: h for h in store.health()}
    assert health["rss11"].status == health["entry"].status == "ok"
    unknown = health["unknown"].error
    assert "root element is <inventory>" in unknown and "<!--" not in unknown, unknown
    assert health["system"].error == REFUSAL and "on purpose" in REFUSAL


def _rss(title: str) -> str:
    return (f'<?xml version="1.0" encoding="{{enc}}"?><rss version="2.0"><channel><title>c</title>'
            f"<item><title>{title}</title><link>http://example.org/{title.replace(' ', '-')}</link></item></channel></rss>")


# What feedparser reads though the sniffer saw no markup at the start: text printed ahead of the XML (a PHP
# notice), a BOM after blank lines, and encodings in which `<` is not the byte 0x3C.
SNIFFED_LATE = {
    "php": b"Warning: Cannot modify header information in /var/www/wp-includes/feed.php on line 8\n"
           + _rss("after a notice").format(enc="utf-8").encode(),
    "bom": b"\n\n\xef\xbb\xbf" + _rss("late bom").format(enc="utf-8").encode(),
    "ebcdic": _rss("ebcdic item").format(enc="cp037").encode("cp037"),
    "utf7": _rss("seven bits").format(enc="utf-7").encode("utf-7"),
    "ebcdic-unknown": '<?xml version="1.0" encoding="cp037"?>\n<!-- x.xml -->\n<inventory><a/></inventory>'.encode("cp037"),
}


def test_markup_after_text_or_in_ebcdic_goes_to_feedparser_and_a_refusal_still_names_the_root(server, tmp_path,
                                                                                           store_target):
    for name, body in SNIFFED_LATE.items():
        server.serve(f"/{name}.xml", body)
    tree = {"格式": {"晚": {name: server.url(f"/{name}.xml") for name in SNIFFED_LATE}}}
    config = str(write_config(tmp_path, tree, storage=store_target))
    result = cli("run", "--config", config)
    assert result.exit_code == 0, result.output
    titles = {name: [r.title for r in stored(store_target, name)] for name in SNIFFED_LATE}
    assert titles == {"php": ["after a notice"], "bom": ["late bom"], "ebcdic": ["ebcdic item"], "utf7": ["seven bits"],
                      "ebcdic-unknown": []}
    with Store.open(store_target) as store:
        health = {h.channel: h for h in store.health()}
    assert "root element is <inventory>" in health["ebcdic-unknown"].error, health["ebcdic-unknown"].error


# -- 5 and 6. attributes once, safe styles kept ----------------------------------------------------------

def test_item_pages_carry_each_image_attribute_once_and_keep_safe_styles(server, tmp_path):
    html = ('<p style="text-align: center; color: #c00; position: fixed; background: url(https://evil.example/t.png)">'
            'styled</p><img src="https://img.example.com/a.png" style="width: 50%; -moz-binding: url(x)" '
            'loading="eager"><span style="behavior: url(x.htc); font-weight: bold">b</span><mark style="background-color:#ff0">m</mark>'
            '<b style="color: expression(alert(1))">e</b>')
    server.serve("/styled.xml", rss("styled", [{"title": "styled item", "guid": "s-1", "link": "https://example.com/s",
                                                "description": html}]))
    config = str(write_config(tmp_path, {"样式": {"站": {"频道": server.url("/styled.xml")}}}))
    assert cli("run", "--config", config).exit_code == 0
    page = item_page_for(tmp_path / "public", "styled item")
    raw = page.read_text(encoding="utf-8")
    img_tags = re.findall(r"<img\b[^>]*>", raw)
    assert img_tags
    for tag in img_tags:
        names = re.findall(r"\s([\w:-]+)=", tag)
        assert len(names) == len(set(names)), tag
    [post] = posts(tmp_path / "posts")
    for content in (item_content(page), post.body):
        assert 'style="text-align: center; color: #c00"' in content
        assert 'style="width: 50%"' in content
        assert 'style="font-weight: bold"' in content
        assert 'style="background-color: #ff0; color: #111"' in content
        for token in ("url(", "expression(", "position", "behavior", "-moz-binding"):
            assert token not in content, content
    assert escape("styled") in post.body


_MEDIA_TAG = re.compile(r"<(?:img|video|audio|source)\b[^<>]*>", re.IGNORECASE)
_ATTRIBUTE_NAME = re.compile(r"""\s([^\s"'<>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def _media_tags(path: Path) -> list[str]:
    """The img/video/audio/source start tags of one output, also those inside a feed's escaped HTML."""
    text = path.read_text(encoding="utf-8")
    texts = [text]
    if path.suffix == ".xml":
        texts += [el.text for el in etree.fromstring(path.read_bytes()).iter() if isinstance(el.text, str)]
    elif path.suffix == ".json" and text.lstrip().startswith("{"):
        texts += [value for item in json.loads(text).get("items", []) for value in item.values() if isinstance(value, str)]
    return [tag for t in texts for tag in _MEDIA_TAG.findall(t)]


def test_every_output_carries_each_media_attribute_once(server, tmp_path):
    html = ('<img src="https://img.example.com/a.png" loading="eager" LOADING="lazy" referrerpolicy="origin" '
            'decoding="sync" alt="a"><IMG SRC="https://img.example.com/b.png" ReferrerPolicy="unsafe-url"/>'
            '<video src="https://v.example.com/v.mp4" poster="https://img.example.com/p.png" controls autoplay '
            'preload="auto"></video><audio src="https://v.example.com/a.mp3" controls preload="metadata"></audio>'
            '<picture><source src="https://img.example.com/c.webp" type="image/webp"><img src="https://img.example.com/c.png"></picture>')
    server.serve("/media.xml", rss("media", [{"title": "media item", "guid": "m-1", "link": "https://example.com/m",
                                              "description": html}]))
    config = str(write_config(tmp_path, {"媒体": {"站": {"频道": server.url("/media.xml")}}}))
    assert cli("run", "--config", config).exit_code == 0
    outputs = [p for folder in (tmp_path / "public", tmp_path / "posts") for p in folder.rglob("*")
               if p.suffix in (".html", ".xml", ".json", ".md") and not p.name.startswith(".")]
    checked = 0
    for path in outputs:
        for tag in _media_tags(path):
            names = [name.lower() for name in _ATTRIBUTE_NAME.findall(tag)]
            assert len(names) == len(set(names)), (path, tag)
            checked += 1
    # The item page, the post and the full-content site feeds (Atom, RSS, JSON) each carry all five tags.
    assert checked >= 5 * 5, checked
