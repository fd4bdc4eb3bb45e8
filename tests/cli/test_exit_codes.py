"""Every exit code in the one table (cli/common.py) is what the README lists, what `--help` prints, and what happens."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiohttp import web
from click.testing import CliRunner

from feedstation import pipeline
from feedstation.cli import main
from feedstation.cli.common import EXIT_CODES
from feedstation.lock import RunLock
from tests.loopback import LoopbackServer

REPO = Path(__file__).resolve().parents[2]
SAFETY_NET = 60  # seconds; a hang fails the test instead of blocking CI, never a timing assertion
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>one</title><link>https://example.com/1</link></item></channel></rss>")


def readme_exit_codes() -> dict[int, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return {int(code): meaning for code, meaning in re.findall(r"^\| `(\d+)` \| (.+?) \|$", text, re.MULTILINE)}


def test_readme_and_help_list_exactly_the_exit_codes_of_the_one_table():
    assert readme_exit_codes() == EXIT_CODES
    help_text = CliRunner().invoke(main, ["--help"], env={"COLUMNS": "80"}).output
    for code, meaning in EXIT_CODES.items():
        assert re.search(rf"^\s+{code}  {re.escape(meaning)}$", help_text, re.MULTILINE), (code, help_text)


def write_config(folder: Path, sources: dict) -> Path:
    config = folder / "feedstation.yaml"
    config.write_text(json.dumps({"storage": "fs.db", "output": {"site": None},
                                  "fetch": {"allow_private_addresses": True, "retries": 0, "timeout": 120},
                                  "sources": {"c": {"s": sources}}}), encoding="utf-8")
    return config


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})


def test_0_when_a_run_completes_with_a_failed_feed_and_1_for_the_same_run_with_strict(tmp_path):
    (tmp_path / "good.xml").write_bytes(FEED)
    config = write_config(tmp_path, {"good": "good.xml", "gone": "missing.xml"})
    relaxed = invoke("fetch", "--config", str(config))
    assert relaxed.exit_code == 0, relaxed.output
    assert "1 failed" in relaxed.output
    strict = invoke("fetch", "--config", str(config), "--strict", "--force")
    assert strict.exit_code == 1, strict.output


def test_2_for_a_config_error_and_for_a_bad_command_line(tmp_path):
    config = tmp_path / "feedstation.yaml"
    config.write_text("sources: {c: {s: {ch: 42}}}\nfetch: {nope: 1}\n", encoding="utf-8")
    bad_config = invoke("fetch", "--config", str(config))
    assert bad_config.exit_code == 2 and "config error" in bad_config.output, bad_config.output
    bad_option = invoke("fetch", "--no-such-option")
    assert bad_option.exit_code == 2 and "No such option" in bad_option.output


def test_3_when_another_process_holds_the_database(tmp_path):
    (tmp_path / "good.xml").write_bytes(FEED)
    config = write_config(tmp_path, {"good": "good.xml"})
    with RunLock(tmp_path / "fs.db.lock", "the database"):  # flock: a second open file conflicts, same process too
        held = invoke("run", "--config", str(config))
    assert held.exit_code == 3, held.output
    assert f"pid {os.getpid()}" in held.output


def test_4_when_the_command_cannot_do_its_job_for_a_reason_it_names(tmp_path):
    (tmp_path / "good.xml").write_bytes(FEED)
    config = write_config(tmp_path, {"good": "good.xml"})
    no_catalog = invoke("routes", "search", "知乎", "--config", str(config))
    assert no_catalog.exit_code == 4, no_catalog.output
    assert "feedstation routes update" in no_catalog.output and "Traceback" not in no_catalog.output


def test_4_when_the_system_refuses_serves_port_or_an_output_folder_with_one_line_and_no_traceback(tmp_path):
    (tmp_path / "good.xml").write_bytes(FEED)
    config = tmp_path / "feedstation.yaml"
    config.write_text(json.dumps({"storage": "fs.db", "sources": {"c": {"s": {"good": "good.xml"}}}}), encoding="utf-8")
    with socket.socket() as taken:  # what another dev server on the port looks like
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = invoke("serve", "--config", str(config), "--port", str(port))
    assert busy.exit_code == 4, busy.output
    assert f"port {port} on 127.0.0.1 is already in use" in busy.output and f"--port {port + 1}" in busy.output
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    not_a_folder = invoke("build", "--config", str(config), "--out", str(tmp_path / "a-file" / "public"))
    assert not_a_folder.exit_code == 4, not_a_folder.output
    assert f"error: Not a directory: {tmp_path / 'a-file' / 'public'}" in " ".join(not_a_folder.output.split())
    for result in (busy, not_a_folder):
        assert "Traceback" not in result.output and not isinstance(result.exception, OSError)


def test_70_when_feedstation_itself_fails_with_its_traceback(tmp_path, monkeypatch):
    (tmp_path / "good.xml").write_bytes(FEED)
    config = write_config(tmp_path, {"good": "good.xml"})

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug in a publisher")

    monkeypatch.setattr(pipeline, "publish_site", broken)  # what a bug anywhere below a command looks like
    result = invoke("build", "--config", str(config), "--out", str(tmp_path / "public"))
    assert result.exit_code == 70, result.output
    assert "Traceback" in result.output and "ZeroDivisionError: a bug in a publisher" in result.output
    assert "a bug in feedstation" in result.output


def test_130_when_a_run_is_stopped_with_ctrl_c(tmp_path):
    async def never_answers(request: web.Request) -> web.Response:
        await asyncio.sleep(SAFETY_NET)
        return web.Response(body=FEED)

    with LoopbackServer() as server:
        server.route("/slow", never_answers)
        config = write_config(tmp_path, {"slow": server.url("/slow")})
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        proc = subprocess.Popen([sys.executable, "-m", "feedstation", "fetch", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + SAFETY_NET
            while not server.requests_to("/slow") and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            assert server.requests_to("/slow"), "the run never reached the feed"
            proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            _out, err = proc.communicate(timeout=SAFETY_NET)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err
