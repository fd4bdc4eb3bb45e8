"""Config loading: the tree, the flat `diy` form, path resolution, and word-for-word error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedstation.config import load_config
from feedstation.errors import ConfigError
from feedstation.normalize.text import has_visible_character

SAMPLE = """\
site: {title: 小冰 RSSHub, url: https://news.example.com, language: zh-CN, timezone: Asia/Shanghai}
rsshub: {instances: [https://rsshub.app, https://rsshub.example.org]}
fetch: {concurrency: 64, per_host: 6, timeout: 20, max_bytes: 10485760, retries: 3, allow_private_addresses: false, user_agent: test-agent}
storage: feedstation.db
output: {site: public, hexo: source/_posts}
sources:
  社交媒体:
    知乎:
      知乎热榜: rsshub:/zhihu/hotlist
  博客:
    Paul Graham:
      Essays: {url: https://example.com/feed.xml, max_items: 50}
    Local:
      File: feeds/local.xml
diy:
  - {categories: 编程, source_parent: 开源中国, source_child: 资讯, link: rsshub:/oschina/news/project}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feedstation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value).replace(str(path), "feedstation.yaml")


def test_issue_example_loads_with_paths_resolved_against_the_config_folder(tmp_path):
    cfg = load_config(write(tmp_path, SAMPLE))
    trees = [(s.category, s.site, s.channel, s.url, s.max_items) for s in cfg.sources()]
    assert trees == [
        ("社交媒体", "知乎", "知乎热榜", "rsshub:/zhihu/hotlist", None),
        ("博客", "Paul Graham", "Essays", "https://example.com/feed.xml", 50),
        ("博客", "Local", "File", str(tmp_path / "feeds/local.xml"), None),
        ("编程", "开源中国", "资讯", "rsshub:/oschina/news/project", None),
    ]
    assert cfg.storage == tmp_path / "feedstation.db"
    assert cfg.output.site == tmp_path / "public"
    assert cfg.output.hexo == tmp_path / "source/_posts"
    settings = cfg.fetch_settings()
    assert settings.user_agent == "test-agent"
    assert settings.rsshub_instances == ("https://rsshub.app", "https://rsshub.example.org")
    assert cfg.site_settings().title == "小冰 RSSHub"


def test_yaml_1_2_keeps_yes_and_no_as_names(tmp_path):
    cfg = load_config(write(tmp_path, "sources: {yes: {no: {2024: https://a.example/feed}}}\n"))
    assert [s.tree for s in cfg.sources()] == [("yes", "no", "2024")]


def test_missing_config_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(None)
    assert str(caught.value) == "feedstation.yaml: no such config file; run `feedstation init` to write a starter config"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fetch: {concurency: 3}\n",
         "feedstation.yaml:1: fetch.concurency: unknown key; did you mean 'concurrency'? known keys here: "
         "concurrency, per_host, timeout, max_bytes, retries, allow_private_addresses, user_agent, executor, broker, "
         "redelivery_after"),
        ("fetch:\n  concurrency: many\n",
         "feedstation.yaml:2: fetch.concurrency: must be a whole number, got 'many'"),
        ("sources:\n  社交媒体:\n    知乎:\n      知乎热榜: ftp://example.com/feed\n",
         "feedstation.yaml:4: sources.社交媒体.知乎.知乎热榜: unsupported URL scheme 'ftp' in "
         "'ftp://example.com/feed'; use http(s)://, rsshub:/path or a file path"),
        ("site: {timezone: Mars/Olympus}\n",
         "feedstation.yaml:1: site.timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as Asia/Shanghai or UTC"),
        ("sources:\n  社交媒体:\n    知乎:\n      知乎热榜:\n        热榜: rsshub:/zhihu/hotlist\n",
         "feedstation.yaml:4: sources.社交媒体.知乎.知乎热榜: this looks like one level too many: the tree is "
         "category → site → channel → feed, and a channel's value is a URL, rsshub:/path, file path or {url, max_items, filters}"),
        ("sources:\n  社交媒体:\n    - rsshub:/zhihu/hotlist\n",
         "feedstation.yaml:2: sources.社交媒体: must be a mapping of sites, e.g. `知乎: {知乎热榜: rsshub:/zhihu/hot}`, got a list"),
        ("fetch: {timeout: 0}\n", "feedstation.yaml:1: fetch.timeout: must be more than 0, got 0"),
        ("sources:\n  a:\n    b:\n      c: rsshub:zhihu/hotlist\n",
         "feedstation.yaml:4: sources.a.b.c: an RSSHub route must start with a single '/', e.g. rsshub:/zhihu/hot "
         "(got 'rsshub:zhihu/hotlist')"),
        ("site: [1\n", "feedstation.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>' (line 2, column 1)"),
        ("rsshub: {routes: [{path: /x, chanel: y}]}\n",
         "feedstation.yaml:1: rsshub.routes[0].chanel: unknown key; did you mean 'channel'? known keys here: "
         "path, category, site, channel"),
        ("sources: {a: {b: {c: {url: https://a.example/x, max_items: 0}}}}\n",
         "feedstation.yaml:1: sources.a.b.c.max_items: must be a whole number of at least 1, got 0"),
        ("diy:\n  - {categories: a, source_parent: b, link: https://a.example/x}\n",
         "feedstation.yaml:2: diy[0].source_child: is required"),
        ("sources: {a: {b: {c: https://a.example/x}}}\ndiy: [{categories: a, source_parent: b, source_child: c, link: https://a.example/y}]\n",
         "feedstation.yaml:1: sources.a.b.c: this category › site › channel is defined twice (tree and diy list?); names must be unique"),
        ("- just\n- a list\n", "feedstation.yaml: the file must hold a mapping of keys (site, fetch, sources, ...)"),
    ],
)
def test_config_mistakes_are_explained_word_for_word(tmp_path, text, message):
    assert error_for(tmp_path, text) == message


@pytest.mark.parametrize(("instance", "message"), [
    ("{url: https://r.example, key: [s3cret-key]}", "rsshub.instances[0].key: must be text, got ['<access key>']"),
    ("{url: https://r.example, key: 998877}", "rsshub.instances[0].key: must be text, got <access key>"),
    ("{url: https://r.example, key: s3cret-key, kee: 1}",
     "rsshub.instances[0].kee: unknown key; did you mean 'key'? known keys here: url, key, key_env"),
    ("{key: s3cret-key}", "rsshub.instances[0].url: is required"),
    ("{url: ftp://r.example, key: s3cret-key}", "rsshub.instances: each instance must be an http(s) URL, got 'ftp://r.example'"),
])
def test_a_mistake_beside_an_access_key_is_explained_without_the_key(tmp_path, instance, message):
    text = f"rsshub:\n  instances:\n    - {instance}\n"
    error = error_for(tmp_path, text)
    assert error.endswith(message)
    assert "s3cret-key" not in error and "998877" not in error


def test_duplicate_keys_are_an_error_not_a_silent_overwrite(tmp_path):
    message = error_for(tmp_path, "sources:\n  a:\n    b:\n      c: https://a.example/1\n      c: https://a.example/2\n")
    assert message.startswith("feedstation.yaml:")
    assert "invalid YAML" in message and "duplicate key" in message


@pytest.mark.parametrize("name", ["\ufeff", "\u200b\u200b", " \t", "\u202e", "\u200b\u202e", "\u2066\u2069", "\u3164"])
def test_a_tree_name_with_nothing_visible_is_refused(tmp_path, name):
    text = 'sources: {"%s": {b: {c: https://a.example/x}}}\n' % name
    message = error_for(tmp_path, text)
    assert message.endswith("a category name must have at least one visible character")


# Names as a fuzzer or a user might type them: the tricky invisible characters mixed with any text.
_invisible = st.sampled_from(["\u200b", "\u202e", "\u2066", "\ufeff", "\u00a0", "\u3000", " ", "\t", "\u2028"])
_tree_names = st.lists(st.one_of(_invisible, st.text(st.characters(blacklist_categories=("Cs",)), max_size=3)),
                       min_size=1, max_size=4).map("".join)


def yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar spelling every character but printable ASCII as a \\U escape."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_tree_names)
def test_the_config_accepts_a_tree_name_exactly_when_it_has_a_visible_character(tmp_path, name):
    # One definition of "visible" (normalize/text.py) for the validator and the fuzz tests' generators:
    # if they disagreed, a generated name could be refused and the fuzz test would fail every run.
    path = write(tmp_path, 'sources: {%s: {b: {c: "https://a.example/x"}}}\n' % yaml_quoted(name))
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        assert not has_visible_character(name), str(exc)
        assert "visible character" in str(exc)
    else:
        assert has_visible_character(name)
        assert [s.category for s in cfg.sources()] == [name]


def test_an_access_key_is_not_in_the_config_s_repr():
    from feedstation.config_model import RsshubSection

    section = RsshubSection(instances=[{"url": "https://r.example", "key": "s3cret-key"}])
    assert "s3cret-key" not in repr(section) and "s3cret-key" not in str(section)
    assert section.access_keys() == {"https://r.example": "s3cret-key"}
