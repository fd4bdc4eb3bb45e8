"""Editing a user's feedstation.yaml in place: ruamel round-trip load and dump that keep comments and layout.

`routes add` (catalog/config_edit.py) and `import … --merge` (importers/config_writer.py) both change a
config the user wrote; neither may lose a comment, reorder keys or re-indent what it did not touch.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from feedstation.errors import ConfigError


@dataclass
class EditableConfig:
    """A loaded config and the indentation guessed from its text (to dump it back the same way)."""

    data: CommentedMap
    text: str
    seq_indent: int
    offset: int


def round_trip_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long lines
    return yaml


def load_for_edit(config_file: Path, *, missing: str) -> EditableConfig:
    """The config's top-level mapping for round-trip editing; ConfigError (naming the file) otherwise.

    `missing` is the hint shown when the file does not exist.
    """
    name = str(config_file)
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(name, None, missing) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(name, None, f"cannot read the file: {exc}") from exc
    try:
        # The guess only supplies indentation; the data comes from a loader that keeps quotes.
        _, seq_indent, offset = load_yaml_guess_indent(text) if text.strip() else (None, 2, 0)
        data = round_trip_yaml().load(text)
    except YAMLError as exc:
        raise ConfigError(name, None, f"not valid YAML: {exc}") from None
    data = CommentedMap() if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(name, None, "the file must hold a mapping of keys (site, rsshub, sources, ...)")
    return EditableConfig(data=data, text=text, seq_indent=seq_indent or 2, offset=offset or 0)


def dump_for_edit(data: CommentedMap, mapping_indent: int, seq_indent: int, offset: int) -> str:
    """`data` as YAML text with the given indentation (sequences indented at least `offset + 2`)."""
    yaml = round_trip_yaml()
    yaml.indent(mapping=mapping_indent, sequence=max(seq_indent, offset + 2), offset=offset)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
