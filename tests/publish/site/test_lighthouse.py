"""Lighthouse 12.2.3 (npm toolset tests/npm/lighthouse) with Debian's Chromium judges every page type, phone form factor.

One run per page type (CI time): both home layouts, a category, a channel, an item, search and status must
score at least 98 in performance, accessibility, best practices and SEO. The scores are printed and written
to the artifacts folder. Feed images are served from loopback (a test never reaches another host), with the
width/height attributes well-formed feeds carry.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import threading
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest

from feedstation.publish.site import build_site
from feedstation.publish.site.context import build_context
from feedstation.publish.site.serve import make_server
from tests.npm_toolsets import npm_toolset
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources
from tests.publish.site.test_status_page import health_rows

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                "--disable-component-update --disable-sync")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 0.98


def _png(width: int, height: int) -> bytes:
    """A real RGB PNG of the given size (a soft gradient), made here so the test ships no binary."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    rows = b"".join(b"\0" + bytes(v for x in range(width) for v in (x * 255 // width, 120, 200 - y * 100 // height))
                    for y in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\0\0\0"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _serve(folder: Path):
    server = make_server(folder, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _entries_with_local_image(base_url: str):
    image = f"{base_url}/media/lead.png"
    entries = fixture_entries()
    first = entries[0]
    html = f'<p>研究人员展示了新的量子纠错方法，错误率显著下降。</p><p><img src="{image}" width="400" height="300" alt="实验装置"></p>'
    entries[0] = dataclasses.replace(first, content=html, summary=html, image=image)
    return entries


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The board site and the stream site, each served on loopback, with a local lead image."""
    servers, urls = [], {}
    for layout in ("board", "stream"):
        out = tmp_path_factory.mktemp(layout)
        server, url = _serve(out)
        servers.append(server)
        (out / "media").mkdir()
        (out / "media" / "lead.png").write_bytes(_png(400, 300))
        entries = _entries_with_local_image(url)
        build_site(entries, fixture_sources(), out, dataclasses.replace(SETTINGS, layout=layout), now=NOW,
                   health=health_rows())
        urls[layout] = (url, entries)
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def lighthouse() -> list[str]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (Lighthouse drives it)"
    node = shutil.which("node")
    assert node, "node is missing: apt-get install nodejs (Lighthouse runs on it)"
    cli = npm_toolset("lighthouse") / "node_modules" / "lighthouse" / "cli" / "index.js"
    assert cli.is_file(), f"the lighthouse toolset has no {cli}"
    return [node, str(cli)]


def _audit(lighthouse: list[str], url: str, report: Path) -> tuple[dict[str, float], dict]:
    command = [*lighthouse, url, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile", f"--chrome-flags={CHROME_FLAGS}"]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"Lighthouse failed on {url}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    data = json.loads(report.read_text(encoding="utf-8"))
    return {name: data["categories"][name]["score"] for name in CATEGORIES}, data


def _median_audit(lighthouse: list[str], url: str, report: Path) -> tuple[dict[str, float], dict]:
    """One audit, or the median of three when the first is below the bar. Performance is timed (total
    blocking time, paint times) and moves with whatever else the shared machine runs; Lighthouse's own
    guidance for a noisy environment is the median of several runs. The other categories are not timed,
    so a real fault fails all three runs alike."""
    first, data = _audit(lighthouse, url, report)
    if all(s is not None and s >= MINIMUM for s in first.values()):
        return first, data
    runs = [(first, data), _audit(lighthouse, url, report), _audit(lighthouse, url, report)]
    median = {c: statistics.median(-1.0 if r[c] is None else r[c] for r, _ in runs) for c in CATEGORIES}
    worst_data = min(runs, key=lambda run: sum(-1.0 if v is None else v for v in run[0].values()))[1]
    return median, worst_data


def _failing_audits(data: dict) -> list[str]:
    """The weighted audits below 0.9, with the elements they name: what to fix."""
    out = []
    for category in data["categories"].values():
        for ref in category["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 0.9:
                items = (audit.get("details") or {}).get("items") or []
                nodes = [(i.get("node") or {}).get("snippet") or i.get("url") for i in items][:3]
                out.append(f"{category['id']}/{audit['id']} {audit['score']} {audit.get('displayValue') or ''} {nodes}")
    return out


def test_every_page_type_scores_at_least_98(sites, lighthouse, tmp_path, capsys):
    board_url, entries = sites["board"]
    stream_url, _ = sites["stream"]
    item = next(i for i in build_context(entries, SETTINGS).items if i.entry.identity == entries[0].identity)
    pages = {
        "home (board)": board_url + "/",
        "home (stream)": stream_url + "/",
        "category": board_url + "/c/" + quote("社交媒体") + "/",
        "channel": board_url + "/c/" + quote("社交媒体/知乎/知乎热榜") + "/",
        "item": board_url + item.url,
        "search": board_url + "/search/",
        "status": board_url + "/status/",
    }
    artifacts = Path(os.environ.get("FEEDSTATION_ARTIFACTS") or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    scores, problems = {}, []
    for name, url in pages.items():
        scores[name], data = _median_audit(lighthouse, url, tmp_path / "report.json")
        low = {c: s for c, s in scores[name].items() if s is None or s < MINIMUM}
        if low:
            problems.append(f"{name} ({url}): {low}\n    " + "\n    ".join(_failing_audits(data)))
    table = "\n".join(f"  {name:<14} " + "  ".join(f"{c} {round(s * 100)}" for c, s in row.items())
                      for name, row in scores.items())
    (artifacts / "lighthouse-scores.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    with capsys.disabled():
        print(f"\nLighthouse 12.2.3, mobile, Debian Chromium:\n{table}")
    assert not problems, "below 98:\n" + "\n".join(problems)
