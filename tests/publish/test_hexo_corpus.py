"""Issue 14.2: feedparser's whole corpus through feedstation, then real Hexo 7 with its default renderer (marked).

Judged by hexo@7 + hexo-renderer-marked (tests/npm/hexo7): whatever a corpus feed's text holds, no
generated page has a live link or source with a scheme outside the allow-list, nor an event handler.
"""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from click.testing import CliRunner

from feedstation.cli import main
from tests.hostile.support import rss, write_config
from tests.hostile.test_hostile_content import corpus_tree
from tests.publish.hexo_sites import hexo_generate, make_site

pytestmark = pytest.mark.slow

THEME = {
    "layout.ejs": "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><%- body %></body></html>",
    "post.ejs": "<article><h1><%= page.title %></h1><div class=\"content\"><%- page.content %></div></article>",
    "index.ejs": "<p>index</p>",
}
CONFIG = ("title: corpus\nurl: http://example.com\npermalink: :year/:month/:day/:title/\ntheme: mini\ntimezone: UTC\n"
          "index_generator: {per_page: 10}\narchive_generator: {per_page: 10}\ncategory_generator: {per_page: 10}\n")
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "srcset", "background", "cite"}
ALLOWED = re.compile(r"(?:https?:|mailto:|data:image/(?:png|jpeg|jpg|gif|webp|avif)[;,]|[^:]*(?:[/?#]|$))", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")


def test_no_live_bad_scheme_link_or_handler_in_hexo_pages_built_from_the_feedparser_corpus(tmp_path):
    site = make_site(tmp_path / "hexo", "hexo7", "7", CONFIG, THEME)
    tree, count = corpus_tree()
    assert count > 800
    # Beside the corpus, issue 14.2's own reproduction: Markdown after a blank line, in HTML and plain text.
    (tmp_path / "issue.xml").write_bytes(rss("issue 14", [
        {"title": f"repro {i}", "guid": f"r{i}", "link": f"https://example.com/r{i}", "description": body}
        for i, body in enumerate(["<p>intro</p>\n\n[click me](javascript:alert(document.domain))",
                                  "plain\n\n[x](vbscript:msgbox(1)) ![y](data:text/html,z) <javascript:alert(1)>"])]))
    tree["issue 14"] = {"repro": {"blank lines": str(tmp_path / "issue.xml")}}
    config = write_config(tmp_path, tree, site=False, fetch={"max_bytes": 10 * 1024 * 1024})
    config.write_text(config.read_text("utf-8").replace(json.dumps(str(tmp_path / "posts")),
                                                        json.dumps(str(site / "source" / "_posts"))), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output[-3000:]
    exported = len(list((site / "source" / "_posts").rglob("*.md")))
    assert exported > 300

    hexo_generate(site, tz="UTC")
    post_pages = [p for p in (site / "public").rglob("index.html")
                  if b"<article>" in p.read_bytes()[:200_000]]
    assert len(post_pages) == exported
    findings = []
    for path in post_pages:
        for el in lxml.html.fromstring(path.read_bytes()).iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                if name.lower().startswith("on"):
                    findings.append(f"{path.relative_to(site)}: <{el.tag} {name}={value!r}>")
                elif name.lower() in URL_ATTRS and not ALLOWED.match(_IGNORED_IN_URLS.sub("", value)):
                    findings.append(f"{path.relative_to(site)}: <{el.tag} {name}={value[:80]!r}>")
    assert findings == [], "\n".join(findings[:50])
