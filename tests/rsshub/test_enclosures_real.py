"""RSSHub's /test/enclosure (judge: RSSHub 1.0.0-master.6a664a8 on loopback) through every output."""

from __future__ import annotations

import json

import lxml.html
from lxml import etree

from feedstation.models import Enclosure
from feedstation.store import Store
from tests.rsshub.support import run_cli, write_config

URL = "https://github.com/DIYgod/RSSHub/issues/1"  # RSSHub's test enclosure: no type, length 3661


def test_the_enclosure_is_stored_shown_carried_in_feeds_and_appended_to_the_hexo_post(rsshub, tmp_path):
    config = write_config(tmp_path, [rsshub.base], {"enclosure": "rsshub:/test/enclosure"},
                          output={"site": "public", "hexo": "source/_posts"})
    result = run_cli("run", "--config", str(config))
    assert result.exit_code == 0, result.output
    with Store.open(tmp_path / "feedstation.db") as store:
        (entry,) = list(store.iter_entries())
    assert entry.enclosures == (Enclosure(URL, None, 3661),)

    (page,) = [p for p in (tmp_path / "public" / "item").rglob("*.html")]
    html = lxml.html.document_fromstring(page.read_text(encoding="utf-8"))
    (link,) = html.xpath('//div[@class="enclosures"]//a[@download]')
    assert link.get("href") == URL and link.text == "下载文件 (3.6 KB)"
    assert html.xpath('//link[@rel="stylesheet"]/@href')[-1].split("?")[0].endswith("static/enclosures.css")

    rss = etree.fromstring((tmp_path / "public" / "rss.xml").read_bytes())
    (enclosure,) = rss.findall(".//item/enclosure")
    assert dict(enclosure.attrib) == {"url": URL, "length": "3661", "type": "application/octet-stream"}
    atom = etree.fromstring((tmp_path / "public" / "atom.xml").read_bytes())
    links = atom.findall(".//{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link[@rel='enclosure']")
    assert [(l.get("href"), l.get("length")) for l in links] == [(URL, "3661")]
    (item,) = json.loads((tmp_path / "public" / "feed.json").read_bytes())["items"]
    assert item["attachments"] == [{"url": URL, "mime_type": "application/octet-stream", "size_in_bytes": 3661}]

    (post,) = list((tmp_path / "source" / "_posts").rglob("*.md"))
    text = post.read_text(encoding="utf-8")
    assert f'<p class="enclosure enclosure-file"><a href="{URL}" rel="noopener noreferrer nofollow" download>下载文件 (3.6 KB)</a></p>' in text
    assert text.endswith("  \n</div>\n            ")
