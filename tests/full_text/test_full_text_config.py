"""`full_text` in the config: on a category, a site or a leaf, the innermost level winning; mistakes named."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedstation.config import load_config
from feedstation.errors import ConfigError

TREE = """\
sources:
  新闻:
    full_text: true
    Courier:
      要闻: https://courier.example.com/feed.xml
      快讯: {url: https://courier.example.com/flash.xml, full_text: false}
    Gazette:
      full_text: false
      Daily: https://gazette.example.com/daily.xml
      Essays: {url: https://gazette.example.com/essays.xml, full_text: true, max_items: 5}
  博客:
    Paul:
      Essays: https://paul.example.com/feed.xml
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feedstation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_text_is_inherited_from_the_category_and_site_and_the_innermost_level_wins(tmp_path):
    sources = {s.tree: s for s in load_config(write(tmp_path, TREE)).sources()}
    assert {tree: s.full_text for tree, s in sources.items()} == {
        ("新闻", "Courier", "要闻"): True,
        ("新闻", "Courier", "快讯"): False,
        ("新闻", "Gazette", "Daily"): False,
        ("新闻", "Gazette", "Essays"): True,
        ("博客", "Paul", "Essays"): False,
    }
    assert sources[("新闻", "Gazette", "Essays")].max_items == 5
    assert len(sources) == 5  # the switches are not channels or sites


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources:\n  a:\n    b:\n      full_text: yes\n      c: https://a.example/x\n",
         "feedstation.yaml:4: sources.a.b.full_text: must be true or false, got the text 'yes'; (a channel cannot "
         "be named 'full_text': it switches full-text fetching for this level)"),
        ("sources:\n  a:\n    full_text: {c: https://a.example/x}\n    b: {c: https://a.example/x}\n",
         "feedstation.yaml:3: sources.a.full_text: must be true or false, got dict {'c': 'https://a.example/x'}; "
         "(a channel cannot be named 'full_text': it switches full-text fetching for this level)"),
        ("sources:\n  a:\n    b:\n      c: {url: https://a.example/x, full_text: 1}\n",
         "feedstation.yaml:4: sources.a.b.c.full_text: must be true or false, got int 1"),
        ("sources:\n  a:\n    b:\n      full_text: true\n",
         "feedstation.yaml:3: sources.a.b: has only the 'full_text' switch; it needs at least one entry below it too"),
    ],
)
def test_full_text_mistakes_name_file_line_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path).sources()
    assert str(caught.value).replace(str(path), "feedstation.yaml") == message


def test_sources_marks_the_feeds_whose_pages_are_fetched(tmp_path):
    from click.testing import CliRunner

    from feedstation.cli import main

    config = write(tmp_path, TREE + f"storage: {tmp_path / 'none.db'}\n")
    result = CliRunner().invoke(main, ["sources", "--config", str(config)], env={"COLUMNS": "200"},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    marked = [line.split("https://")[1].split()[0] for line in result.output.splitlines() if "(full text)" in line]
    assert sorted(marked) == ["courier.example.com/feed.xml", "gazette.example.com/essays.xml"]
    (paul,) = [line for line in result.output.splitlines() if "paul.example.com" in line]
    assert "(full text)" not in paul
