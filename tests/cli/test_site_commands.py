"""`feedstation build` and `feedstation serve` with a real config, database and local HTTP client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from feedstation.cli import main

REPO = Path(__file__).resolve().parents[2]
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>本地</title>
<link>https://example.com/</link>{items}</channel></rss>"""
ITEM = "<item><title>{title}</title><guid>{guid}</guid><link>https://example.com/{guid}</link>" \
       "<pubDate>Thu, 06 Jan 2022 10:32:27 GMT</pubDate><description>正文 {title}</description></item>"


def write_setup(tmp_path: Path, titles: list[str], storage: str | None = None) -> Path:
    feed = tmp_path / "local.xml"
    feed.write_text(RSS.format(items="".join(ITEM.format(title=t, guid=f"g{i}") for i, t in enumerate(titles))),
                    encoding="utf-8")
    config = tmp_path / "feedstation.yaml"
    config.write_text(
        "rsshub: {instances: [https://rsshub.example.org]}\n"
        f"storage: {storage or tmp_path / 'fs.db'}\noutput: {{site: {tmp_path / 'public'}}}\n"
        f"sources:\n  本地:\n    文件:\n      频道: {feed}\n  社交媒体:\n    知乎:\n      知乎热榜: rsshub:/zhihu/hotlist\n",
        encoding="utf-8")
    return config


def test_build_writes_the_site_to_another_folder_with_rsshub_routes_resolved_in_the_opml(tmp_path):
    config = write_setup(tmp_path, ["第一条"])
    assert CliRunner().invoke(main, ["fetch", "--config", str(config)]).exit_code == 0
    out = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "第一条" in (out / "index.html").read_text(encoding="utf-8")
    opml = etree.fromstring((out / "sources.opml").read_bytes())
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    assert "https://rsshub.example.org/zhihu/hotlist" in urls
    again = CliRunner().invoke(main, ["build", "--config", str(config), "--out", str(out)])
    assert "(0 written, " in again.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(predicate, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds  # a safety net, not a timing assertion
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting for {what}")


def test_serve_previews_on_loopback_and_rebuilds_after_a_fetch(tmp_path):
    serve_rebuilds_after_a_fetch(tmp_path, None)


def test_serve_on_postgresql_rebuilds_after_a_fetch_by_polling_the_change_marker(tmp_path, postgres_server):
    serve_rebuilds_after_a_fetch(tmp_path, postgres_server.new_database())


def serve_rebuilds_after_a_fetch(tmp_path: Path, storage: str | None) -> None:
    config = write_setup(tmp_path, ["第一条"], storage)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    subprocess.run([sys.executable, "-m", "feedstation", "fetch", "--config", str(config)], env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "feedstation", "serve", "--config", str(config), "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: "第一条" in get(base + "/")[1], "the first build to be served")
        status, body = get(base + "/no/such/page")
        assert status == 404 and "<html" in body  # the site's own 404 page
        write_setup(tmp_path, ["第一条", "新的一条"], storage)
        subprocess.run([sys.executable, "-m", "feedstation", "fetch", "--config", str(config), "--force"], env=env,
                       check=True, capture_output=True)
        wait_for(lambda: "新的一条" in get(base + "/")[1], "the rebuild after the fetch")
    finally:
        server.terminate()
        server.wait(timeout=30)
