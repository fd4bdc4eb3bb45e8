"""Write imported feeds as a commented `feedstation.yaml`, or merge them into an existing one (ruamel round trip)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from feedstation.errors import ConfigError
from feedstation.importers.model import ImportedFeed
from feedstation.publish.writer import OutputWriter


def render_new_config(feeds: Sequence[ImportedFeed], *, header: Sequence[str], instances: Sequence[str] = (),
                      footer: Sequence[str] = (), hexo_output: str | None = "source/_posts") -> str:
    """A whole config: header comment, rsshub instances (if given), outputs, and the tree in input order.

    Every leaf carries its origin (`config.yml:12`) as an end-of-line comment, so a reader can
    check the import line by line; `footer` lines (what was not imported) close the file.
    """
    data = CommentedMap()
    if instances:
        data["rsshub"] = CommentedMap(instances=CommentedSeq(instances))
    data["output"] = CommentedMap(site="public")
    if hexo_output:
        data["output"]["hexo"] = hexo_output
    data["sources"] = _tree(feeds)
    data.yaml_set_start_comment("\n".join(header))
    text = _dump(data, 2, 2, 0)
    if footer:
        text += "\n" + "".join(f"# {line}\n" for line in footer)
    return text


def merge_into_config(config_file: Path, feeds: Sequence[ImportedFeed]) -> None:
    """Add `feeds` to the `sources` tree of an existing config, keeping its comments, order and indentation.

    The caller has already made every feed's tree slot and location new (importers/tree.py).
    """
    name = str(config_file)
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(name, None, "no such config file to merge into; use -o to write a new one") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(name, None, f"cannot read the file: {exc}") from exc
    try:
        _, seq_indent, offset = load_yaml_guess_indent(text) if text.strip() else (None, 2, 0)
        data = _yaml().load(text)
    except YAMLError as exc:
        raise ConfigError(name, None, f"not valid YAML: {exc}") from None
    data = CommentedMap() if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(name, None, "the file must hold a mapping of keys (site, rsshub, sources, ...)")
    tree = data.get("sources")
    if tree is None:
        tree = data["sources"] = CommentedMap()
    if not isinstance(tree, dict):
        raise ConfigError(name, "sources", "must be a mapping of categories to merge into (it is an OPML location?); "
                                           "merge into a config whose `sources` is a tree")
    for feed in feeds:
        node = tree
        for level, part in enumerate((feed.category, feed.site)):
            child = node.get(part)
            if child is None:
                child = node[part] = CommentedMap()
            if not isinstance(child, dict):
                key = "sources." + ".".join(feed.tree[: level + 1])
                raise ConfigError(name, key, "is not a mapping, so the imported feeds cannot go below it")
            node = child
        node[feed.channel] = feed.url
        node.yaml_add_eol_comment(f"imported from {feed.origin}", feed.channel)
    save_config_text(config_file, _dump(data, 2, seq_indent or 2, offset or 0))


def save_config_text(path: Path, text: str) -> None:
    """Atomic (temp file + rename) write of a config, through the project's one writer."""
    path = Path(path).absolute()
    OutputWriter(path.parent).write(path.name, text.encode("utf-8"))


def _tree(feeds: Sequence[ImportedFeed]) -> CommentedMap:
    tree = CommentedMap()
    for feed in feeds:
        site = tree.setdefault(feed.category, CommentedMap()).setdefault(feed.site, CommentedMap())
        site[feed.channel] = feed.url
        site.yaml_add_eol_comment(feed.origin, feed.channel)
    return tree


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    return yaml


def _dump(data: CommentedMap, mapping_indent: int, seq_indent: int, offset: int) -> str:
    yaml = _yaml()
    yaml.indent(mapping=mapping_indent, sequence=max(seq_indent, offset + 2), offset=offset)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
