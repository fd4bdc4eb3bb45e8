"""80 columns (issue 12.8): one line per feed in the run and health tables, and hints whose command is never broken."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from rich.cells import cell_len

from feedstation.cli import main
from tests.pipeline.test_offline import offline_setup

NARROW = {"COLUMNS": "80"}
CHANNELS = ("资讯", "RSS", "热搜榜", "知乎热榜")


def feed_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("error ", "ok "))]


def test_at_80_columns_each_feed_is_one_line_with_status_feed_new_and_a_cut_error(tmp_path):
    config = offline_setup(tmp_path)
    run = CliRunner().invoke(main, ["run", "--config", str(config)], env=NARROW)
    status = CliRunner().invoke(main, ["status", "--config", str(config)], env=NARROW)
    assert run.exit_code == 0 and status.exit_code == 0, run.output + status.output
    for output in (run.output, status.output):
        assert max(cell_len(line) for line in output.splitlines()) <= 80, output
        rows = feed_lines(output)
        assert len(rows) == 4, output  # one line per feed, nothing folded onto the next lines
        for channel in CHANNELS:
            (row,) = [r for r in rows if f"› {channel} " in r]
            assert re.match(r"^error\s+\S+ › \S+\s+0\s+\S", row), row
            assert row.endswith("…") or "could not connect" in row, row  # the error, cut to fit
        header = next(line for line in output.splitlines() if line.startswith("status"))
        assert header.split()[:3] in (["status", "feed", "new"], ["status", "feed", "items"])


def test_wide_terminals_keep_the_full_table(tmp_path):
    config = offline_setup(tmp_path)
    run = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
    assert "instance" in run.output and "updated" in run.output and "HTTP" in run.output
    assert "the RSSHub instance failed for /zhihu/hotlist" in run.output  # nothing cut


def test_at_80_columns_the_serve_hint_is_one_whole_line(tmp_path):
    folder = tmp_path / "a-rather-long-folder-name-for-the-demo-site-so-the-command-is-wide"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env=NARROW)
    assert result.exit_code == 0, result.output
    command = f"feedstation serve --config {folder / 'feedstation.yaml'}"
    assert len(command) > 80
    lines = result.output.splitlines()
    assert f"  {command}" in lines, result.output  # on its own line, not broken mid-command
    assert lines[lines.index(f"  {command}") - 1] == "preview it with:"
    assert feed_lines(result.output) and all(cell_len(line) <= 80 for line in feed_lines(result.output))


def test_at_80_columns_the_init_hint_is_one_whole_line(tmp_path):
    target = tmp_path / "a-folder-with-a-long-enough-name-that-the-run-command-is-wider-than-the-terminal.yaml"
    result = CliRunner().invoke(main, ["init", "--path", str(target)], env=NARROW)
    assert result.exit_code == 0, result.output
    assert f"  feedstation run --config {target}" in result.output.splitlines()
