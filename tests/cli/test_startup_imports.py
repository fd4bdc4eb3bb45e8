"""Startup imports only what it uses (issue 19): `--help`, the fetch command, and the parse workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click

from feedstation.cli import COMMANDS, load_command, main

SRC = str(Path(__file__).resolve().parents[2] / "src")
HEAVY = ("rich", "sqlalchemy", "aiohttp", "pydantic", "jinja2", "feedparser", "lxml", "ruamel")


def fresh_modules(code: str, cwd: Path) -> set[str]:
    """Top-level packages a fresh interpreter has imported after running `code` (which prints them)."""
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=dict(os.environ, PYTHONPATH=SRC),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_each_listed_summary_is_the_first_paragraph_of_the_commands_own_help():
    ctx = click.Context(main)
    for name, (_module, _attribute, summary) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        first = " ".join(command.help.split("\n\n")[0].split())
        assert summary == first, f"COMMANDS[{name!r}] says {summary!r}, the command's help says {first!r}"
        assert main.get_command(ctx, name) is command
    assert main.get_command(ctx, "no-such-command") is None


def test_top_level_help_imports_click_and_no_heavy_library(tmp_path):
    modules = fresh_modules(textwrap.dedent("""
        import json, sys
        from feedstation.cli import main
        try:
            main(["--help"])
        except SystemExit:
            pass
        print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
    """), tmp_path)
    assert "click" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_the_fetch_command_module_imports_no_parser_site_builder_or_catalog(tmp_path):
    modules = fresh_modules(textwrap.dedent("""
        import json, sys
        from feedstation.cli import load_command
        load_command("fetch")
        import feedstation.fetch  # what a fetch with due feeds adds
        print(json.dumps(sorted(sys.modules)))
    """), tmp_path)
    for unused in ("jinja2", "feedparser", "feedstation.publish", "feedstation.publish.site", "feedstation.parse.fast_xml",
                   "feedstation.catalog.download", "feedstation.parse_pool"):
        assert unused not in modules, unused


def test_parse_workers_started_from_the_console_script_do_not_import_the_cli(tmp_path):
    # A copy of the script pip writes for `feedstation`: a worker re-imports its main script, so a
    # script whose import pulled in the whole CLI would cost every worker rich, SQLAlchemy and aiohttp.
    script = tmp_path / "feedstation"
    script.write_text(textwrap.dedent("""
        import json
        import sys
        from feedstation.cli import main


        def worker_modules():
            return sorted({m.split(".")[0] for m in sys.modules})


        if __name__ == '__main__':
            from feedstation.parse_pool import ParsePool

            pool = ParsePool(1)
            try:
                print(json.dumps(pool._executor.submit(worker_modules).result(timeout=120)))
            finally:
                pool.shutdown()
    """), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=SRC),
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert {"feedstation", "click", "lxml", "nh3"} <= modules  # the parsers, preloaded, and the script's click
    for unused in ("rich", "sqlalchemy", "aiohttp", "pydantic", "jinja2", "ruamel"):
        assert unused not in modules, unused


def test_the_command_line_freezes_its_objects_before_the_process_exits(tmp_path):
    # The last collections at exit would walk every object the imports made only to free them with the
    # process (~0.15 s of CPU per run); atexit handlers run after the command, so they see the freeze.
    out = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import atexit, gc
        from feedstation.cli import main
        atexit.register(lambda: print("frozen", gc.get_freeze_count()))
        print("before", gc.get_freeze_count())
        main(["--help"])
    """)], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=SRC), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    counts = dict(line.split() for line in out.stdout.splitlines() if line.startswith(("before", "frozen")))
    assert counts["before"] == "0" and int(counts["frozen"]) > 10_000


def test_a_command_collects_garbage_less_often_than_the_interpreter_default(tmp_path):
    """A command holds a site's cards or a fetch's entries for its whole run: the collector's young
    generation is made rarer, so it does not walk them again every 700 new objects (cli/__init__.py)."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import gc
        from feedstation.cli import main
        before = gc.get_threshold()
        try:
            main(["status", "--help"])
        except SystemExit:
            pass
        print(before[0], gc.get_threshold()[0])
    """)], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=SRC), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    before, after = map(int, out.stdout.split()[-2:])
    from feedstation.cli import YOUNG_COLLECTION_EVERY

    assert before == 700 and after == YOUNG_COLLECTION_EVERY
