"""Issue 8: one test per known hole in the libraries feedstation builds on, each through the real entry point."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from aiohttp import web
from click.testing import CliRunner

from feedstation import pipeline
from feedstation.cli import main
from feedstation.config import load_config
from feedstation.fetch import Fetcher
from feedstation.fetch.address_guard import literal_host_refusal
from feedstation.models import FeedState, FetchSettings, FetchStatus, Source
from feedstation.parse.xml_guard import REFUSAL
from feedstation.store import Store
from tests.hostile.support import (
    MIB, T0, content_findings, db_dump, db_rows, feedstation_cmd, good_feed, page_findings, peak_rss_of, posts,
    read_post, rss, run_subprocess, site_pages, write_config,
)
from tests.loopback import LoopbackServer
from tests.npm_toolsets import npm_toolset


@pytest.fixture
def server():
    with LoopbackServer() as s:
        yield s


def cli_run(config: Path, *args: str):
    return CliRunner().invoke(main, ["run", "--config", str(config), *args], env={"COLUMNS": "250"})


def text_outputs(folder: Path) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for sub in ("posts", "public")
                   for p in (folder / sub).rglob("*") if p.is_file() and "pagefind" not in p.parts)


# 1 ---------------------------------------------------------------------------------------------------

def test_1_quadratic_entity_blowup_through_feedparser_fallback_is_refused(tmp_path):
    big = "A" * (100 * 1024)
    body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "{big}">]>\n<rss version="2.0"><channel>'
            f"<title>{'&a;' * 2000}</title><item><title>{'&a;' * 2000}</title><guid>1</guid></item>"
            "</channel></rss>").encode()
    feed = tmp_path / "quadratic.xml"
    feed.write_bytes(body)
    good = tmp_path / "good.xml"
    good.write_bytes(good_feed(2))
    config = write_config(tmp_path, {"c": {"s": {"bomb": str(feed), "good": str(good)}}}, site=False, hexo=False)
    # A subprocess, so its peak RSS is its own: the expansion would need ~200M characters.
    done, peak = peak_rss_of(feedstation_cmd("fetch", "--config", str(config)))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        health = {h.channel: h for h in store.health()}
    assert health["bomb"].status == "error" and health["bomb"].error == REFUSAL
    assert health["bomb"].entry_count == 0 and health["good"].entry_count == 2
    assert peak < 150 * MIB, f"peak RSS {peak / MIB:.0f} MiB"


# 2 ---------------------------------------------------------------------------------------------------

def test_2_javascript_links_and_forms_are_dropped_from_everything_stored_and_rendered(tmp_path, store_target):
    items = [
        {"title": "js link", "guid": "js-1", "link": "javascript:alert(1)", "description": "<p>item link</p>",
         "raw": '<enclosure url="javascript:alert(2)" type="image/png" length="1"/>'},
        {"title": "js link spaced", "guid": "js-2", "link": " JaVaScRiPt:alert(3)", "description": "<p>spaced</p>",
         "raw": '<enclosure url="  javascript:alert(4)" type="audio/mpeg" length="1"/>'},
        {"title": "svg vector", "guid": "js-3", "link": "https://example.com/3",
         "description": '<svg><a xlink:href="javascript:alert(5)"><text>x</text></a></svg><p>svg</p>'},
        {"title": "login vector", "guid": "js-4", "link": "https://example.com/4",
         "description": '<form action="https://evil.example/"><input type="password" name="pw"></form><p>form</p>'},
    ]
    feed = tmp_path / "js.xml"
    feed.write_bytes(rss("javascript feed", items, link="javascript:alert(6)"))
    config = write_config(tmp_path, {"c": {"s": {"js": str(feed)}}}, storage=store_target)
    result = cli_run(config)
    assert result.exit_code == 0, result.output

    problems = []  # gathered, so one run reports every place a vector survived
    feeds_row = db_rows(store_target, "SELECT link FROM feeds")
    if "javascript:" in repr(feeds_row).lower():
        problems.append(f"feeds.link stored as {feeds_row}")
    entries_dump = repr(db_rows(store_target, "SELECT * FROM entries")).lower()
    for needle in ("javascript:", "<form", "password", "xlink", "<svg"):
        if needle in entries_dump:
            problems.append(f"{needle!r} stored in entries")
    written = posts(tmp_path / "posts")
    assert len(written) == 4
    problems += [f"{p.path.name}: {f}" for p in written for f in content_findings(p.body)]
    problems += [f"{p.name}: {f}" for p in site_pages(tmp_path / "public") for f in page_findings(p.read_text("utf-8"))]
    rendered = text_outputs(tmp_path).lower()
    for needle in ("javascript:", 'type="password"'):
        if needle in rendered:
            problems.append(f"{needle!r} in a rendered output")
    assert problems == [], "\n".join(problems)


# 3 ---------------------------------------------------------------------------------------------------

DISGUISES = ["[::ffff:127.0.0.1]", "100.64.0.1", "2130706433", "0x7f.1", "0.0.0.0"]


def fetch(settings: FetchSettings, url: str, trusted: frozenset[str] = frozenset()):
    async def go():
        async with Fetcher(settings, trusted_hosts=trusted) as fetcher:
            return await fetcher.fetch(Source("c", "s", "ch", url), FeedState())

    return asyncio.run(go())


@pytest.mark.parametrize("host", DISGUISES)
def test_3_ssrf_disguises_are_refused_directly_and_on_a_redirect_hop(server, host):
    # Precondition that keeps this test on 127.0.0.1: the literal check itself must refuse the
    # host, so no packet could ever leave for 100.64.0.1 even if the fetch below regressed.
    assert literal_host_refusal(host, allow_private=False) is not None
    server.serve("/feed", good_feed(1))
    server.serve("/hop", status=302, headers={"Location": f"http://{host}:{server.port}/feed"})
    settings = FetchSettings(allow_private_addresses=False, retries=0, timeout=5)

    direct = fetch(settings, f"http://{host}:{server.port}/feed")
    assert direct.status is FetchStatus.ERROR and direct.error.startswith("refused to connect to "), direct.error
    assert server.requests == []

    hop = fetch(settings, server.url("/hop"), trusted=frozenset({"127.0.0.1"}))
    assert hop.status is FetchStatus.ERROR and hop.error.startswith("refused to connect to "), hop.error
    assert [r.path for r in server.requests] == ["/hop"]


# 4 ---------------------------------------------------------------------------------------------------

def test_4_validators_never_saved_before_the_items_end_to_end_with_a_killed_fetch(tmp_path, server, store_target):
    server.serve("/etag", good_feed(5), headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jun 2026 10:00:00 GMT"})
    config = write_config(tmp_path, {"c": {"s": {"etag": server.url("/etag")}}}, site=False, hexo=False,
                          storage=store_target)
    died = run_subprocess("fetch", "--config", str(config), FEEDSTATION_FAULT_POINT="between_entries_and_validators")
    assert died.returncode == 70, died.stdout[-2000:] + died.stderr[-2000:]  # the fault point's os._exit(70)
    assert db_rows(store_target, "SELECT COUNT(*) FROM entries") == [(0,)]
    assert db_rows(store_target, "SELECT etag, last_modified FROM feeds") == [(None, None)]

    again = run_subprocess("fetch", "--config", str(config), "--force")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    second = server.requests_to("/etag")[1]
    assert "If-None-Match" not in second.headers and "If-Modified-Since" not in second.headers
    assert db_rows(store_target, "SELECT COUNT(*) FROM entries") == [(5,)]
    assert db_rows(store_target, "SELECT etag, status FROM feeds") == [('"v1"', "ok")]


# 5 ---------------------------------------------------------------------------------------------------

def test_5_drip_feeding_server_fails_at_the_total_deadline_and_the_run_completes(tmp_path, server):
    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        for byte in good_feed(50):
            await resp.write(bytes([byte]))
            await asyncio.sleep(0.3)
        return resp

    server.route("/drip", drip)
    server.serve("/good", good_feed(2))
    config = write_config(tmp_path, {"c": {"s": {"drip": server.url("/drip"), "good": server.url("/good")}}},
                          fetch={"timeout": 1.5, "retries": 0})
    result = cli_run(config)
    assert result.exit_code == 0, result.output
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        health = {h.channel: h for h in store.health()}
    assert health["drip"].status == "error"
    assert health["drip"].error == "timed out after 1.5s (total deadline for the request)"
    assert health["good"].entry_count == 2
    assert len(posts(tmp_path / "posts")) == 2


# 6 ---------------------------------------------------------------------------------------------------

def test_6_hostile_json_feed_values_become_feed_errors_or_cleaned_values_and_both_outputs_succeed(
        tmp_path, store_target):
    def item(i, **fields):
        return {"id": str(i), "url": f"https://example.com/{i}", "content_html": f"<p>body {i}</p>", **fields}

    docs = {
        "surrogate": '{"version": "https://jsonfeed.org/version/1.1", "title": "feed \\ud800 title", '
                     '"items": [{"id": "s\\ud800", "title": "lone \\ud800 surrogate", "url": "https://example.com/s",'
                     ' "content_html": "<p>x\\udfff y</p>", "authors": [{"name": "a\\ud800"}]}]}',
        "nul": json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "nul\u0000feed",
                           "items": [item(1, title="nul\u0000title", content_html="<p>a\u0000b</p>")]}),
        "nan id": '{"version": "1", "title": "nan", "items": [{"id": NaN, "title": "nan id", "url": "https://example.com/n"}]}',
        "infinity id": '{"version": "1", "title": "inf", "items": [{"id": -Infinity, "title": "inf id"}]}',
        "float id": '{"version": "1", "title": "float", "items": [{"id": 1e999, "title": "huge float id"}]}',
        "5000 digits": '{"version": "1", "title": "digits", "items": [{"id": ' + "9" * 5000 + ', "title": "big int"}]}',
        "deep nesting": '{"version": "1", "title": "deep", "items": [' + "[" * 100_000 + "]" * 100_000 + "]}",
    }
    tree = {}
    for name, text in docs.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        tree[name] = str(path)
    good = tmp_path / "good.xml"
    good.write_bytes(good_feed(2))
    tree["good"] = str(good)
    config = write_config(tmp_path, {"c": {"json": tree}}, storage=store_target)
    result = cli_run(config)
    assert result.exit_code == 0, result.output[-3000:]
    assert "Traceback" not in result.output

    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        health = {h.channel: h for h in store.health()}
        stored = list(store.iter_entries())
    for name in docs:
        h = health[name]
        assert h.status in ("ok", "error"), (name, h.status)
        assert h.status == "ok" or (h.error and "\n" not in h.error), (name, h.error)
    assert health["good"].entry_count == 2
    assert health["deep nesting"].status == "error" and "nested too deeply" in health["deep nesting"].error
    for entry in stored:
        for value in (entry.identity, entry.title, entry.content, entry.summary, entry.author or ""):
            assert "\x00" not in value and not re.search("[\ud800-\udfff]", value)
    assert {p.front["title"] for p in posts(tmp_path / "posts")} >= {"good item 0", "good item 1"}
    assert (tmp_path / "public" / "index.html").is_file()
    everything = text_outputs(tmp_path)
    assert "\x00" not in everything and "\ufffd\ufffd\ufffd" not in everything


# 7 ---------------------------------------------------------------------------------------------------

JS_YAML_READER = """
const fs = require('fs'); const yaml = require(process.argv[2]);
const out = {};
for (const file of process.argv.slice(3)) {
  const text = fs.readFileSync(file, 'utf8');
  const m = text.match(/^\\n---\\n([\\s\\S]*?)\\n---\\n/);
  out[file] = yaml.load(m[1]);
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="session")
def js_yaml() -> Path:
    module = npm_toolset("js-yaml") / "node_modules" / "js-yaml"  # tests/npm/js-yaml/package.json
    assert module.is_dir()
    return module


def test_7_yaml_dialect_site_names_and_line_separator_titles_read_back_the_same_in_pyyaml_and_js_yaml(tmp_path, js_yaml):
    sites = ["yes", "null", "~", "1e3", "0o17", "2024", "2024-01-01", "No", "off", "0x1F", "1_000", "12:30", ".nan"]
    tree = {}
    for n, site in enumerate(sites):
        path = tmp_path / f"{n}.xml"
        path.write_bytes(rss(site, [{"title": f"title {n}\u2028second line", "guid": f"g{n}",
                                     "link": f"https://example.com/{n}", "description": "<p>x</p>"}]))
        tree[site] = {"频道": str(path)}
    config = write_config(tmp_path, {"类别": tree}, site=False)
    result = cli_run(config)
    assert result.exit_code == 0, result.output

    files = sorted((tmp_path / "posts").rglob("*.md"))
    assert len(files) == len(sites)
    script = tmp_path / "read.js"
    script.write_text(JS_YAML_READER, encoding="utf-8")
    done = subprocess.run(["node", str(script), str(js_yaml), *map(str, files)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    by_js = json.loads(done.stdout)
    seen_sites = set()
    for path in files:
        py = read_post(path).front
        js = by_js[str(path)]
        site = py["categories"][1]
        seen_sites.add(site)
        n = sites.index(site)
        for reader in (py, js):
            assert reader["categories"] == ["类别", sites[n], "频道"], (path, reader["categories"])
            assert reader["author"] == sites[n]
            assert reader["title"] in (f"title {n}\u2028second line", f"title {n} second line"), reader["title"]
            assert reader["comments"] is False
        assert py["title"] == js["title"]
    assert seen_sites == set(sites)


# 8 ---------------------------------------------------------------------------------------------------

def test_8_hexo_placeholders_in_feed_text_are_absent_from_bodies_and_disable_nunjucks_is_written(tmp_path):
    markers = [
        "<p>a \ufffc b</p>",
        "<p>x</p><!--hexoPostRenderEscape:<script>alert(1)</script>:hexoPostRenderEscape--><p>y</p>",
        "<p>&lt;!--hexoPostRenderEscape:</p><p>:hexoPostRenderEscape--&gt;</p>",
        "<pre><code>&lt;hexoPostRenderCodeBlock&gt;\ufffc0\ufffc&lt;/hexoPostRenderCodeBlock&gt;</code></pre>",
        "<p>{{ page.title }} {% raw %} \ufffc1\ufffc</p>",
        "<p><!--hexoPost<!--x-->RenderEscape:</p>",
    ]
    items = [{"title": f"marker {i} \ufffc", "guid": f"m{i}", "link": f"https://example.com/{i}", "description": html}
             for i, html in enumerate(markers)]
    feed = tmp_path / "markers.xml"
    feed.write_bytes(rss("markers", items))
    config = write_config(tmp_path, {"c": {"s": {"markers": str(feed)}}}, extra="hexo: {disable_nunjucks: true}\n")
    result = cli_run(config)
    assert result.exit_code == 0, result.output
    written = posts(tmp_path / "posts")
    assert len(written) == len(markers)
    for post in written:
        assert post.front.get("disableNunjucks") is True, post.path
        assert "\ufffc" not in post.text
        for marker in ("<!--hexoPostRenderEscape:", ":hexoPostRenderEscape-->", "<hexoPostRenderCodeBlock>",
                       "</hexoPostRenderCodeBlock>"):
            assert marker not in post.body, (post.path, post.body)
        assert "{{" not in post.body and "{%" not in post.body


# 9 ---------------------------------------------------------------------------------------------------

def test_9_unicode_file_names_lose_invisible_characters_fit_200_bytes_and_nfc_nfd_twins_stay_distinct(tmp_path):
    cjk = "中文标题很长" * 70  # 420 characters, 1,260 bytes
    nfc, nfd = "caf\u00e9 news", "cafe\u0301 news"
    titles = ["evil\u202etxt.exe", "zero\u200bwidth", "\ufeffbom title", cjk, nfc, nfd]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "names",
           "items": [{"id": f"n{i}", "title": t, "url": f"https://example.com/{i}", "content_html": "<p>x</p>"}
                     for i, t in enumerate(titles)]}
    feed = tmp_path / "names.json"
    feed.write_text(json.dumps(doc), encoding="utf-8")
    config = write_config(tmp_path, {"c": {"s": {"names": str(feed)}}}, site=False)
    result = cli_run(config)
    assert result.exit_code == 0, result.output

    files = sorted((tmp_path / "posts").rglob("*.md"))
    assert len(files) == len(titles)
    stems = [f.name[: -len(".md")] for f in files]
    for stem in stems:
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]", stem), repr(stem)
        assert len(stem.encode("utf-8")) <= 200, (len(stem.encode("utf-8")), stem)
    assert "eviltxt.exe" in stems and "zerowidth" in stems and "bom title" in stems
    long = [s for s in stems if s.startswith("中文")]
    assert len(long) == 1 and cjk.startswith(long[0]) and len(long[0].encode("utf-8")) > 190
    twins = sorted(s for s in stems if unicodedata.normalize("NFC", s).startswith(nfc))
    assert len(twins) == 2 and len(set(twins)) == 2
    assert unicodedata.normalize("NFC", twins[0]) == nfc
    assert re.fullmatch(re.escape(nfc) + r"-[0-9a-f]{8,32}", unicodedata.normalize("NFC", twins[1])), twins
    titles_out = {read_post(f).front["title"] for f in files}
    assert nfc in titles_out and nfd in titles_out  # the titles themselves are kept as written
