"""Every command's `--help` at 80 columns: no line wider than the terminal, and each example command whole on its line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from feedstation.cli import COMMANDS, load_command, main


def command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]
    for name in COMMANDS:
        command = load_command(name)
        paths.append((name,))
        if isinstance(command, click.Group):
            paths.extend((name, sub) for sub in command.commands)
    return paths


def examples(command: click.Command) -> list[str]:
    """The example commands its docstring gives, a `\\`-continued one as the lines it was written on."""
    text = (command.help or "").split("Example", 1)
    if len(text) < 2:
        return []
    return [line.strip().removeprefix(":").strip() for line in text[1].splitlines() if "feedstation " in line]


def resolve(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        command = command.get_command(click.Context(command), name)  # type: ignore[union-attr]
    return command


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "feedstation")
def test_help_fits_80_columns_and_every_example_is_one_whole_line(path):
    result = CliRunner().invoke(main, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line for line in lines if cell_len(line) > 80] == []
    shown = {line.strip() for line in lines}
    for example in examples(resolve(path)):
        assert example in shown or f"Example: {example}" in shown, (example, result.output)
