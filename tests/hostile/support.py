"""Test helper (no business logic): configs in tmp_path, feed builders, and readers that PARSE the outputs.

Every check here parses what feedstation wrote (YAML front matter with PyYAML, HTML with lxml)
instead of searching for substrings, so an encoded or split-up vector cannot hide from it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import lxml.html
import yaml

import feedstation

from feedstation.normalize.urls import scheme_of
from tests.corpora import feedparser_corpus
from tests.database_reads import db_dump, db_rows  # noqa: F401 (re-exported for the hostile tests)
from tests.normalize.html_checks import style_findings

REPO = Path(__file__).resolve().parents[2]
SRC = Path(feedstation.__file__).resolve().parents[1]  # subprocesses run the code this process imported
CORPUS = feedparser_corpus()  # from feedparser's sdist on PyPI, cached (tests/corpora.py)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
MIB = 1024 * 1024

# Elements that must never come out of a feed, on any page or in any post body.
FORBIDDEN_IN_CONTENT = {
    "script", "style", "iframe", "object", "embed", "form", "input", "button", "base", "meta", "link",
    "svg", "math", "frame", "frameset", "applet", "template", "textarea", "select", "noscript",
}  # fmt: skip
# Outside <main> the site's own template may use these; never these:
FORBIDDEN_ANYWHERE = {"style", "iframe", "object", "embed", "base", "frame", "frameset", "applet", "svg", "math"}
URL_ATTRS = {"href", "src", "poster", "action", "formaction", "xlink:href", "data", "background", "srcset",
             "cite", "lowsrc", "dynsrc", "codebase", "manifest", "ping"}
SAFE_SCHEMES = {"http", "https", "mailto"}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp|avif)[;,]", re.IGNORECASE)


# -- configs and runs -------------------------------------------------------------------------

def write_config(folder: Path, tree: dict, *, fetch: dict | None = None, hexo: bool = True, site: bool = True,
                 extra: str = "", storage: Path | str | None = None) -> Path:
    """A config in `folder` with both outputs inside it. JSON is YAML, so names need no quoting.

    The store is `storage` (a test's `store_target`: SQLite file or PostgreSQL URL), else `folder/fs.db`.
    """
    fetch_section = {"allow_private_addresses": True, "timeout": 5, "retries": 0, "max_bytes": 1 * MIB,
                     "user_agent": "feedstation-hostile/1", **(fetch or {})}
    output = {"site": str(folder / "public") if site else None, "hexo": str(folder / "posts") if hexo else None}
    text = (
        f"fetch: {json.dumps(fetch_section)}\n"
        f"storage: {json.dumps(str(storage or folder / 'fs.db'))}\n"
        f"output: {json.dumps(output)}\n"
        "site: {title: hostile, url: 'https://news.example.com'}\n"
        f"{extra}"
        f"sources: {json.dumps(tree, ensure_ascii=False)}\n"
    )
    path = folder / "feedstation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSTATION_")}
    env.update({"PYTHONPATH": str(SRC), "COLUMNS": "250", **extra})
    return env


def feedstation_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "feedstation", *args]


def run_subprocess(*args: str, timeout: float = 240, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(feedstation_cmd(*args), capture_output=True, text=True, env=subprocess_env(**env),
                          timeout=timeout)


def peak_rss_of(args: list[str], timeout: float = 240, **env: str) -> tuple[subprocess.CompletedProcess, int]:
    """Run a command under /usr/bin/time -v; return it and its peak RSS in bytes (largest of it and its children)."""
    if not Path("/usr/bin/time").exists():
        raise AssertionError("/usr/bin/time is needed to measure a child's peak RSS")
    done = subprocess.run(["/usr/bin/time", "-v", *args], capture_output=True, text=True, env=subprocess_env(**env),
                          timeout=timeout)
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert match, done.stderr[-2000:]
    return done, int(match.group(1)) * 1024


# -- feed builders --------------------------------------------------------------------------------

def rss(title: str, items: list[dict], *, link: str = "https://example.com/", extra_channel: str = "") -> bytes:
    """RSS 2.0; each item: title, link, guid, description (HTML, escaped here), pubDate optional."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>{escape(link)}</link>{extra_channel}"]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        if "description" in item:
            parts.append(f"<description>{escape(item['description'])}</description>")
        parts.append(item.get("raw", ""))
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def good_feed(n: int = 2, prefix: str = "good") -> bytes:
    return rss(f"{prefix} feed", [
        {"title": f"{prefix} item {i}", "link": f"https://example.com/{prefix}/{i}", "guid": f"{prefix}-{i}",
         "description": f"<p>{prefix} body {i}</p>", "pubDate": f"Mon, 0{1 + i % 8} Jun 2026 10:00:00 GMT"}
        for i in range(n)
    ])


# -- reading the outputs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    path: Path
    text: str
    front: dict
    body: str  # the HTML between `<div>` and `</div>`


def read_post(path: Path) -> Post:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\n---\n"), f"{path}: no front matter at the top"
    front_text, sep, rest = text[len("\n---\n"):].partition("\n---\n")
    assert sep, f"{path}: front matter is not closed"
    front = yaml.safe_load(front_text)
    assert isinstance(front, dict), f"{path}: front matter is not a mapping: {front!r}"
    start, end = rest.find("<div>"), rest.rfind("</div>")
    assert 0 <= start < end, f"{path}: no <div> body"
    return Post(path=path, text=text, front=front, body=rest[start + len("<div>"):end])


def posts(hexo_dir: Path) -> list[Post]:
    return [read_post(p) for p in sorted(hexo_dir.rglob("*.md"))]


def site_pages(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*.html") if "pagefind" not in p.parts)


def _bad_url(tag: str, name: str, value: str) -> str | None:
    scheme = scheme_of(value)
    if scheme == "data" and tag == "img" and name == "src" and _DATA_IMAGE.match(value.strip()):
        return None
    if scheme is not None and scheme not in SAFE_SCHEMES:
        return f"{scheme}: URL in {name} on <{tag}>"
    return None


def _element_findings(el, *, in_content: bool) -> list[str]:
    findings = []
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag:
        return findings
    if in_content and tag in FORBIDDEN_IN_CONTENT:
        findings.append(f"element <{tag}> in feed content")
    if tag in FORBIDDEN_ANYWHERE:
        findings.append(f"element <{tag}>")
    if tag == "script" and (not el.get("src") or (el.text or "").strip()):
        findings.append("inline <script>")
    if tag == "meta" and el.get("http-equiv") is not None:
        findings.append(f"<meta http-equiv={el.get('http-equiv')!r}>")
    if tag == "form" and "search-form" not in (el.get("class") or ""):
        findings.append("a <form> that is not the site's search box")
    for name, value in el.attrib.items():
        name = name.lower()
        if name.startswith("on"):
            findings.append(f"event handler {name} on <{tag}>")
        if name == "style" and value is not None:
            findings.extend(style_findings(tag, value))
        if (name in URL_ATTRS or name.endswith(":href")) and value is not None:
            bad = _bad_url(tag, name, value)
            if bad:
                findings.append(bad)
    return findings


def content_findings(html: str) -> list[str]:
    """Everything unsafe in a fragment of feed content (a Hexo post body)."""
    if not html.strip():
        return []
    root = lxml.html.document_fromstring(f"<!DOCTYPE html><html><body><div>{html}</div></body></html>")
    return [f for el in root.iter() for f in _element_findings(el, in_content=el.tag not in ("html", "head", "body", "meta"))]


def page_findings(html: str) -> list[str]:
    """Everything unsafe in a whole site page: the template's own head/header are allowed, feed content is not."""
    root = lxml.html.document_fromstring(html)
    findings = []
    for el in root.iter():
        in_main = isinstance(el.tag, str) and next(el.iterancestors("main"), None) is not None
        findings += _element_findings(el, in_content=in_main)
    return findings


def item_page_for(site_dir: Path, title: str) -> Path:
    """The site's item page whose <h1> is `title` (exactly one)."""
    found = []
    for page in sorted((site_dir / "item").rglob("*.html")):
        h1 = lxml.html.document_fromstring(page.read_text(encoding="utf-8")).findall(".//main//h1")
        if h1 and h1[0].text_content().strip() == title:
            found.append(page)
    assert len(found) == 1, f"{len(found)} item pages titled {title!r}"
    return found[0]


def item_content(page: Path) -> str:
    """The HTML of the item's `<div class="content">`."""
    root = lxml.html.document_fromstring(page.read_text(encoding="utf-8"))
    divs = root.xpath('//main//div[@class="content"]')
    assert len(divs) == 1, page
    return lxml.html.tostring(divs[0], encoding="unicode")


def all_output_files(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
