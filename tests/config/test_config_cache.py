"""The config parse cache (issue 19 goal 5): same Config as a parse, kept beside the database, any byte
change or code change is a miss, errors always come from the real loader with their line numbers."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from feedstation import config_cache
from feedstation.config import load_config
from feedstation.errors import ConfigError

SRC = str(Path(__file__).resolve().parents[2] / "src")

CONFIG = """\
# a comment
site: {title: 小冰, url: https://news.example.com, timezone: UTC}
rsshub:
  instances: [https://rsshub.app, {url: https://keyed.example.org, key_env: FS_TEST_KEY}]
  routes: [/zhihu/hot]
fetch: {concurrency: 8, per_host: 2, retries: 1}
storage: data/feedstation.db
output: {site: public, hexo: source/_posts}
retention: {max_items_per_feed: 40}
hexo: {theme: volantis6, keep: {posts: 10}}
filters: {exclude: [广告]}
sources:
  博客:
    Paul Graham:
      Essays: {url: https://example.com/feed.xml, max_items: 50}
    Local:
      File: feeds/local.xml
"""


def write(folder: Path, text: str = CONFIG) -> Path:
    path = folder / "feedstation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def from_cache(config) -> bool:
    """A Config read back from the cache holds its model as plain data until first use."""
    return "_model_data" in config.__dict__


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    monkeypatch.setenv("FS_TEST_KEY", "first-key")


def test_the_second_load_comes_from_the_cache_and_equals_a_parse(tmp_path):
    path = write(tmp_path)
    parsed = load_config(path)
    cached = load_config(path)
    assert not from_cache(parsed) and from_cache(cached)
    assert cached.path == parsed.path and cached.storage == parsed.storage
    assert (cached.output.site, cached.output.hexo) == (parsed.output.site, parsed.output.hexo)
    assert cached.fetch_config == parsed.fetch_config
    assert cached.fetch_settings() == parsed.fetch_settings()
    assert cached.opml_grafts() == parsed.opml_grafts()
    assert cached._tree_sources == parsed._tree_sources
    # The pydantic parts are built on first use and equal the parsed ones.
    assert cached.model == parsed.model
    assert cached.site_settings() == parsed.site_settings()
    assert cached.hexo_options() == parsed.hexo_options()
    assert cached.hexo_window() == parsed.hexo_window()
    assert cached.retention == parsed.retention and cached.fetch == parsed.fetch
    assert bool(cached.filters) and repr(cached.filters) == repr(parsed.filters)


def test_the_cache_lives_in_the_data_folder_beside_the_database_never_in_an_output_folder(tmp_path):
    path = write(tmp_path)
    load_config(path)
    cached = list((tmp_path / "data" / "config-cache").iterdir())
    assert len(cached) == 1 and cached[0].suffix == ".pickle"
    assert oct(cached[0].stat().st_mode & 0o777) == oct(0o600)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"data/config-cache/{cached[0].name}", "feedstation.yaml"]


def test_any_byte_change_is_a_miss(tmp_path):
    path = write(tmp_path)
    load_config(path)
    assert from_cache(load_config(path))
    write(tmp_path, CONFIG.replace("# a comment", "# a comment!"))  # a comment only: the data is the same
    assert not from_cache(load_config(path))
    assert from_cache(load_config(path))
    write(tmp_path, CONFIG.replace("concurrency: 8", "concurrency: 9"))
    changed = load_config(path)
    assert not from_cache(changed) and changed.fetch_settings().concurrency == 9


def test_a_config_with_a_mistake_is_never_cached_and_keeps_its_line_number(tmp_path):
    path = write(tmp_path)
    load_config(path)  # a good version is cached first
    write(tmp_path, CONFIG.replace("fetch: {concurrency: 8", "fetch: {concurency: 8"))
    for _ in range(2):  # the same bad bytes twice: both times from the real loader
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert f"{path}:6" in str(caught.value) and "concurency" in str(caught.value)
    assert len(list((tmp_path / "data" / "config-cache").iterdir())) == 1  # only the good version's file


def test_a_code_change_is_a_miss(tmp_path, monkeypatch):
    # The fingerprint covers the size and mtime of every module of the package (a new version
    # replaces them); here it is set as a new version's would differ.
    path = write(tmp_path)
    load_config(path)
    monkeypatch.setattr(config_cache, "_fingerprint", "another feedstation version")
    assert not from_cache(load_config(path))
    assert from_cache(load_config(path))


def test_a_moved_config_is_a_miss_so_relative_paths_follow_it(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    load_config(write(first))
    moved = load_config(write(second))
    assert not from_cache(moved) and moved.storage == second / "data" / "feedstation.db"


def test_access_keys_are_read_from_the_environment_at_each_run_not_from_the_cache(tmp_path, monkeypatch):
    path = write(tmp_path)
    load_config(path)
    monkeypatch.setenv("FS_TEST_KEY", "second-key")
    cached = load_config(path)
    assert from_cache(cached)
    assert dict(cached.fetch_settings().rsshub_keys) == {"https://keyed.example.org": "second-key"}
    monkeypatch.delenv("FS_TEST_KEY")
    with pytest.raises(ConfigError, match="FS_TEST_KEY"):
        cached.fetch_settings()


def test_a_file_others_can_write_or_a_foreign_pickle_is_ignored(tmp_path):
    path = write(tmp_path)
    load_config(path)
    file = config_cache.cache_file(path.read_bytes(), path.resolve())
    file.chmod(0o666)
    assert not from_cache(load_config(path))  # and it is written again, ours alone
    assert from_cache(load_config(path))
    marker = tmp_path / "executed"
    with open(file, "wb") as f:  # the right key, then a pickle that would run a command
        pickle.dump(config_cache.cache_key(path.read_bytes(), path.resolve()), f)
        pickle.dump(_RunsCommand(f"touch {marker}"), f)
    assert not from_cache(load_config(path))
    assert not marker.exists()


class _RunsCommand:
    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def test_a_storage_the_pattern_cannot_find_is_not_cached(tmp_path):
    # `storage` inside a flow mapping: the data folder is not where a plain read of the text would look.
    path = write(tmp_path, "{storage: elsewhere/feedstation.db, sources: {a: {b: {c: https://example.com/f.xml}}}}\n")
    config = load_config(path)
    assert config.storage == tmp_path / "elsewhere" / "feedstation.db"
    assert not from_cache(load_config(path))
    assert not any(tmp_path.rglob("*.pickle"))


@pytest.mark.parametrize("line, folder", [
    ("", "."), ("storage: x.db", "."), ("storage: 'a b/x.db'  # quoted", "a b"), ('storage: "d/x.db"', "d"),
    ("storage: postgresql+psycopg://u@h/db", "."), ("storage: /abs/x.db", "/abs"),
])
def test_the_data_folder_is_found_where_the_config_puts_the_database(tmp_path, line, folder):
    text = f"site: {{title: t}}\n{line}\nsources: {{}}\n".encode()
    assert config_cache.guessed_data_dir(text, tmp_path) == tmp_path / folder  # an absolute folder stays as it is


def test_a_cached_run_imports_neither_pydantic_nor_ruamel(tmp_path):
    (tmp_path / "feed.xml").write_text('<rss version="2.0"><channel><title>t</title></channel></rss>', encoding="utf-8")
    path = write(tmp_path, "sources: {local: {file: {feed: feed.xml}}}\n")
    code = textwrap.dedent(f"""
        import json, sys
        from feedstation.cli import main
        try:
            main(["fetch", "--config", {str(path)!r}])
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
    """)
    runs = [subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=SRC),
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second = (set(json.loads(run.stdout.strip().splitlines()[-1])) for run in runs)
    assert {"pydantic", "ruamel"} <= first  # the file was parsed
    assert not {"pydantic", "ruamel"} & second, sorted({"pydantic", "ruamel"} & second)


@pytest.mark.parametrize("filters", ["", "filters: {exclude: [广告]}\n"])
def test_a_cached_publish_reads_its_site_settings_and_no_filters_without_the_model(tmp_path, filters):
    """A publish asks the config for its site settings and filters; from the cache, with no filter rules, neither
    needs the pydantic model (0.2 s of each one-new-item build at 45,000 items, issue 19)."""
    path = write(tmp_path, CONFIG.replace("filters: {exclude: [广告]}\n", filters))
    parsed = load_config(path)
    code = textwrap.dedent(f"""
        import json, sys
        from feedstation.config import load_config
        config = load_config(__import__("pathlib").Path({str(path)!r}))
        settings, rules = config.site_settings(), config.filters
        print(json.dumps([repr(settings), repr(rules), "pydantic" in sys.modules]))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=SRC),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    settings, rules, model_built = json.loads(out.stdout.strip().splitlines()[-1])
    assert settings == repr(parsed.site_settings()) and rules == repr(parsed.filters)
    assert model_built == bool(filters)  # rules are compiled from the model; no rules need none
