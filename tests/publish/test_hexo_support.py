"""Shared helpers and session fixtures for the Hexo export tests (entries, js-yaml); no tests here."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from feedstation.models import StoredEntry
from tests.npm_toolsets import npm_toolset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hexo"
SEED_POST = FIXTURES / "seed" / "zhihu-hotlist-post.md"  # a copy of shared/seed/
SAMPLE_DATE = datetime(2022, 1, 6, 10, 32, 27, tzinfo=timezone.utc)

_BASE = StoredEntry(
    id=1, feed_id=1, category="社交媒体", site="知乎", channel="知乎热榜", identity="id-1", title="标题",
    link="https://example.com/1", author=None, published=SAMPLE_DATE, updated=None, first_seen=SAMPLE_DATE,
    last_seen=SAMPLE_DATE, summary="", content="<p>正文</p>", image=None, content_hash="h",
)


def make_entry(**changes) -> StoredEntry:
    """A valid StoredEntry in 社交媒体/知乎/知乎热榜 with `changes` applied."""
    return replace(_BASE, **changes)


def load_fixture_entries() -> list[StoredEntry]:
    """The golden-test input: tests/fixtures/hexo/entries.json (dates in ISO 8601)."""
    rows = json.loads((FIXTURES / "entries.json").read_text(encoding="utf-8"))
    entries = []
    for n, row in enumerate(rows, start=1):
        row = dict(row)
        row["published"] = datetime.fromisoformat(row["published"])
        entries.append(make_entry(id=n, **row))
    return entries


def split_seed(text: str) -> tuple[str, str, str]:
    """(head, body, tail) of a post: the item HTML is between `<div>   \\n` and `  \\n</div>`."""
    head, _, rest = text.partition("<div>   \n")
    body, _, tail = rest.rpartition("  \n</div>")
    return head + "<div>   \n", body, "  \n</div>" + tail


def front_matter_text(post: str) -> str:
    """The YAML part as Hexo hands it to js-yaml: everything before the closing `---` line."""
    assert post.startswith("\n---\n")
    end = post.index("\n---\n", 4)
    return post[:end]


# Node side of the js-yaml check: documents in, loaded values out, with non-string scalars
# tagged so that a Date or number cannot pass for a string after JSON.
_JS_YAML_LOADER = r"""
const yaml = require('js-yaml');
const tag = (v) => {
  if (v instanceof Date) return {'!date': v.toISOString()};
  if (Array.isArray(v)) return v.map(tag);
  if (v === null) return {'!null': true};
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]));
  if (typeof v !== 'string') return {['!' + typeof v]: String(v)};
  return v;
};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map((doc) => {
    try { return {value: tag(yaml.load(doc))}; } catch (e) { return {error: String(e)}; }
  });
  process.stdout.write(JSON.stringify(out));
});
"""


@pytest.fixture(scope="session")
def js_yaml_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("js-yaml")
    (folder / "node_modules").symlink_to(npm_toolset("js-yaml") / "node_modules", target_is_directory=True)
    (folder / "load.js").write_text(_JS_YAML_LOADER, encoding="utf-8")
    return folder


def js_yaml_load_many(folder: Path, docs: list[str]) -> list[dict]:
    """Load every document with js-yaml 4 (YAML 1.2, Hexo's parser) in one node process."""
    result = subprocess.run(
        ["node", "load.js"], cwd=folder, input=json.dumps(docs), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)
