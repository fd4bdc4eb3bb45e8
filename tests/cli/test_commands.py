"""The CLI as a user meets it: help, missing config, init, the workflow scaffold, run without network, watch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from feedstation.cli import main
from feedstation.config import load_config
from feedstation.config_docs import END, START, render_config_reference
from feedstation.store import Store
from feedstation.watch import parse_interval

REPO = Path(__file__).resolve().parents[2]


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # click's API, which also loads lazily imported commands
        command = group.get_command(ctx, name)
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out += all_commands(command, f"{prefix}{name} ")
    return out


@pytest.mark.parametrize(("name", "command"), all_commands(main), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_documents_itself_with_an_example(name, command):
    assert command.help, f"`feedstation {name}` has no docstring"
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"`feedstation {name}` --help has no example"


def test_the_expected_commands_exist():
    names = {name for name, _ in all_commands(main)}
    assert {"init", "sources", "fetch", "status", "run", "demo", "watch", "build", "serve", "export hexo",
            "routes update", "routes search", "routes show", "routes add"} <= names


def test_without_a_config_it_says_how_to_make_one(tmp_path):
    result = CliRunner().invoke(main, ["run"], catch_exceptions=False, env={"COLUMNS": "200"},
                                obj=None, standalone_mode=True)
    # CliRunner runs in the current folder: use an isolated one.
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 2
    assert "feedstation.yaml: no such config file; run `feedstation init` to write a starter config" in result.output
    assert "Traceback" not in result.output


def test_init_writes_a_starter_config_that_loads_with_a_dozen_routes(tmp_path):
    target = tmp_path / "feedstation.yaml"
    result = CliRunner().invoke(main, ["init", "--path", str(target)])
    assert result.exit_code == 0, result.output
    sources = load_config(target).sources()
    assert len(sources) >= 12
    assert ("社交媒体", "知乎", "知乎热榜") in {s.tree for s in sources}
    assert {s.url for s in sources if s.tree == ("编程", "开源中国", "资讯")} == {"rsshub:/oschina/news"}
    assert "#" in target.read_text(encoding="utf-8")  # commented
    again = CliRunner().invoke(main, ["init", "--path", str(target)])
    assert again.exit_code != 0 and "already exists; use --force" in again.output


def test_github_actions_workflow_is_scheduled_keeps_the_db_and_deploys_pages(tmp_path):
    target = tmp_path / "feedstation.yaml"
    result = CliRunner().invoke(main, ["init", "--path", str(target), "--github-actions"])
    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load((tmp_path / ".github/workflows/feedstation.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # PyYAML reads `on:` as True
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    steps = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    runs = " ".join(s.get("run", "") for s in steps)
    assert any(u.startswith("actions/cache/restore@") for u in uses)
    assert any(u.startswith("actions/cache/save@") for u in uses)
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    # the site too: a run that starts from the last site renders only the pages that changed (issue 19)
    assert save["if"] == "always()" and save["with"]["path"].split() == ["feedstation.db", "public"]
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    assert restore["with"]["path"] == save["with"]["path"]
    assert "pip install feedstation" in runs and "feedstation run" in runs
    # a keyed RSSHub's ACCESS_KEY comes from a repository secret, for `key_env: RSSHUB_ACCESS_KEY`
    run = next(s for s in steps if "feedstation run" in s.get("run", ""))
    assert run["env"] == {"RSSHUB_ACCESS_KEY": "${{ secrets.RSSHUB_ACCESS_KEY }}"}
    assert "key_env: RSSHUB_ACCESS_KEY" in target.read_text(encoding="utf-8")  # the starter shows the other half
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_github_actions_can_commit_hexo_posts_to_a_branch_instead(tmp_path):
    target = tmp_path / "feedstation.yaml"
    result = CliRunner().invoke(main, ["init", "--path", str(target), "--github-actions", "--hexo-branch", "posts"])
    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load((tmp_path / ".github/workflows/feedstation.yml").read_text())
    assert "deploy" not in workflow["jobs"]
    push = workflow["jobs"]["build"]["steps"][-1]["run"]
    assert "git push origin posts" in push and "source/_posts" in push
    assert workflow["permissions"] == {"contents": "write"}


def test_readme_config_reference_matches_the_model():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme, "README lacks the generated config reference"
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == render_config_reference(), "regenerate it: python -m feedstation.config_docs"


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("45", 45)])
def test_watch_intervals(text, seconds):
    assert parse_interval(text) == seconds


def write_local_config(folder: Path, feed: Path, **extra: str) -> Path:
    lines = [f"storage: {folder / 'fs.db'}", f"output: {{site: {folder / 'public'}, hexo: {folder / 'posts'}}}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += ["sources:", "  社交媒体:", "    知乎:", f"      知乎热榜: {feed}"]
    config = folder / "feedstation.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def test_run_with_no_network_fails_each_feed_clearly_and_still_publishes_what_is_stored(tmp_path):
    feed = REPO / "tests/fixtures/feeds/zhihu-hotlist.rss"
    config = write_local_config(tmp_path, feed)
    first = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
    assert first.exit_code == 0, first.output
    stored = {e.identity for e in Store.open(tmp_path / "fs.db").iter_entries()}
    assert stored
    # Same tree, but now the feed is unreachable (a closed loopback port stands in for "no network").
    dead = "http://127.0.0.1:9/zhihu"
    config.write_text(config.read_text(encoding="utf-8").replace(str(feed), dead)
                      + "fetch: {allow_private_addresses: true, retries: 0, timeout: 3}\n", encoding="utf-8")
    second = CliRunner().invoke(main, ["run", "--config", str(config), "--force"], env={"COLUMNS": "250"})
    assert second.exit_code == 0, second.output
    assert "1 failed" in second.output and "connect" in second.output.lower()
    assert {e.identity for e in Store.open(tmp_path / "fs.db").iter_entries()} == stored
    assert (tmp_path / "public/index.html").exists() and any((tmp_path / "posts").rglob("*.md"))
    strict = CliRunner().invoke(main, ["run", "--config", str(config), "--force", "--strict"])
    assert strict.exit_code == 1


def test_watch_runs_then_stops_cleanly_on_ctrl_c(tmp_path):
    config = write_local_config(tmp_path, REPO / "tests/fixtures/feeds/atom.xml")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "feedstation", "watch", "--every", "1s", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120  # a safety net, not a timing assertion
        while not (tmp_path / "public/index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (tmp_path / "public/index.html").exists()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, output.decode()
    assert b"watch stopped" in output
    assert b"Traceback" not in output


def test_sources_prints_each_category_and_site_once_with_resolved_urls(tmp_path):
    config = tmp_path / "feedstation.yaml"
    config.write_text("rsshub: {instances: [https://rsshub.example.org]}\n"
                      "sources:\n  编程:\n    开源中国: {资讯: rsshub:/oschina/news/project}\n"
                      "    GitHub: {Trending: rsshub:/github/trending/daily/any}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.count("编程") == 1 and result.output.count("never fetched") == 2
    assert "https://rsshub.example.org/oschina/news/project" in result.output
