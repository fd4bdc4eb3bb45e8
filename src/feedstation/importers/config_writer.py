"""Write imported feeds as a commented `feedstation.yaml`, or merge them into an existing one (ruamel round trip)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from feedstation.config_roundtrip import dump_for_edit, load_for_edit
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
    text = dump_for_edit(data, 2, 2, 0)
    if footer:
        text += "\n" + "".join(f"# {line}\n" for line in footer)
    return text


def merge_into_config(config_file: Path, feeds: Sequence[ImportedFeed]) -> None:
    """Add `feeds` to the `sources` tree of an existing config, keeping its comments, order and indentation.

    The caller has already made every feed's tree slot and location new (importers/tree.py).
    """
    name = str(config_file)
    loaded = load_for_edit(config_file, missing="no such config file to merge into; use -o to write a new one")
    data = loaded.data
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
    save_config_text(config_file, dump_for_edit(data, 2, loaded.seq_indent, loaded.offset))


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



