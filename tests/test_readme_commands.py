"""README's "Set up a fresh machine" commands are what CI runs, and nothing in the project reaches outside its checkout."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up a fresh machine", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_readme_has_the_two_commands_and_ci_runs_the_test_command_exactly():
    install, tests = setup_commands()
    assert install == "python3 -m pip install . && feedstation demo"
    assert tests == "sh tests/setup.sh && python3 -m pytest -q"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    executed = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert executed[-1] == tests, executed  # the last thing CI does, so its exit status is CI's
    assert "pytest" not in " ".join(executed[:-1]) and "setup.sh" not in " ".join(executed[:-1])


# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./" + "shared|/work/" + "shared|parents\\[\\d\\]\\s*/\\s*[\"']" + "shared[\"']")


def test_no_code_or_test_reads_from_outside_the_checkout():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in tracked:
        if not name.endswith((".py", ".sh", ".toml", ".yaml", ".yml", ".json")) and not name.startswith(".ci/"):
            continue
        text = (REPO / name).read_text(encoding="utf-8", errors="replace")
        if OUTSIDE.search(text):
            offenders.append(name)
    assert offenders == []
