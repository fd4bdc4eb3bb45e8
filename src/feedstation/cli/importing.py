"""`feedstation import …`: thin commands over feedstation.importers (rsshub-page, opml, hexo)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click
from rich.text import Text

from feedstation.cli.common import config_option, console, load, reports_errors
from feedstation.errors import CatalogError, ConfigError, FeedstationError
from feedstation.importers.config_writer import merge_into_config, render_new_config, save_config_text
from feedstation.importers.model import ImportedFeed, ImportNote
from feedstation.importers.tree import place_feeds

# Headings of the report, in the order printed; a note of another kind goes under "other".
_NOTE_HEADINGS = {
    "duplicate": "duplicates merged",
    "renamed": "renamed to keep names unique",
    "param": "not imported: the route still holds a :parameter",
    "unknown-route": "imported, but not in RSSHub's route catalog (check them)",
    "skipped": "not imported",
    "no-xmlurl": "not imported: no xmlUrl",
    "refused": "not imported: refused location",
    "malformed": "malformed input",
    "read-as": "read otherwise than written (check these)",
    "disabled": "disabled in the input",
}


@click.group("import")
def import_group() -> None:
    """Move in from the reference system or another reader, with a report of what did not carry over.

    \b
    Example:
      feedstation import rsshub-page config.yml --user-config user_config.yml
      feedstation import opml subscriptions.opml --merge
      feedstation import hexo source/_posts
    """


@import_group.command("rsshub-page", short_help="Import the reference's config.yml (and user_config.yml).")
@click.argument("config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user-config", "user_config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The reference's user_config.yml with `diy:` entries.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("feedstation.yaml"), show_default=True, help="Config file to write.")
@click.option("--instance", "instances", multiple=True, metavar="URL",
              help="The reference's RSSHub instance (repeat for more), written as rsshub.instances.")
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Route catalog to check routes against (default: rsshub-routes.json beside the output).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@reports_errors
def rsshub_page_command(config_file: Path, user_config: Path | None, output: Path, instances: tuple[str, ...],
                        catalog_file: Path | None, force: bool) -> None:
    """Turn the reference's `slect:` route list into a commented feedstation.yaml.

    `#` / `##` / `###` headings above each enabled route become its category, site and
    channel (a route with no `###` heading takes its site's name as channel); `diy:`
    entries of --user-config are added after them. Every enabled line is either in the
    written config or in the printed report.

    \b
    Example:
      feedstation import rsshub-page config.yml --user-config user_config.yml \\
          --instance https://rsshub.app -o feedstation.yaml
    """
    from feedstation.importers.reference_config import check_against_catalog, read_reference_config, read_user_config

    _refuse_overwrite(output, force)
    for url in instances:
        if not url.lower().startswith(("http://", "https://")):
            raise FeedstationError(f"--instance {url!r} is not an http(s) URL")
    read = read_reference_config(_text(config_file), config_file.name)
    feeds, notes = list(read.feeds), list(read.notes)
    if user_config is not None:
        diy = read_user_config(_text(user_config), user_config.name)
        feeds += diy.feeds
        notes += diy.notes
    placed = place_feeds(feeds, instances=instances)
    notes += placed.notes
    catalog_file = catalog_file or output.absolute().parent / "rsshub-routes.json"
    catalog_line = None
    try:
        from feedstation.catalog import load_catalog

        notes += check_against_catalog(placed.feeds, load_catalog(catalog_file))
    except CatalogError as exc:
        catalog_line = (f"routes not checked against RSSHub's route catalog ({catalog_file}): {exc}; then run this "
                        "import again (with --force) to find the routes that no longer exist")
    header = [f"feedstation config imported from {config_file.name}"
              + (f" and {user_config.name}" if user_config else "") + " by `feedstation import rsshub-page`.",
              "Each leaf's comment names the input line it came from; see the end of the file for what was left out."]
    footer = [str(n) for n in notes if n.kind in ("param", "skipped")]
    if footer:
        footer.insert(0, "Not imported (fill these in and add them by hand):")
    if not placed.feeds:
        print_report(output, placed.feeds, notes, noun="routes", wrote=False)
        raise FeedstationError(f"{config_file} has no enabled route that could be imported; {output} was not written")
    text = render_new_config(placed.feeds, header=header, instances=instances, footer=footer)
    save_config_text(output, text)
    print_report(output, placed.feeds, notes, noun="routes")
    if catalog_line:
        _say(catalog_line, "yellow")


@import_group.command("opml", short_help="Import an OPML subscription list into the tree.")
@click.argument("location")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a new config (default: feedstation.yaml).")
@click.option("--merge", is_flag=True, help="Add the feeds to the existing config (--config) instead.")
@click.option("--force", is_flag=True, help="With -o: overwrite an existing file.")
@config_option
@reports_errors
def opml_command(location: str, output: Path | None, merge: bool, force: bool, config_path: Path | None) -> None:
    """Turn an OPML 1.0/2.0 list (a file or an http(s) URL) into the category → site → channel tree.

    \b
    Folders map to the tree:
      no folder    → 其他 › feed › feed
      one folder   → folder › feed › feed
      two folders  → outer › inner › feed
      deeper ones  → joined into the site name

    Duplicate URLs are merged, clashing names numbered; every skipped outline is reported.

    \b
    Example:
      feedstation import opml feedly.opml -o feedstation.yaml
      feedstation import opml https://example.com/sources.opml --merge
    """
    from feedstation.importers.opml_in import read_opml

    if merge and output is not None:
        raise FeedstationError("give either -o FILE (a new config) or --merge (into --config), not both")
    body, from_web = _opml_bytes(location, config_path if merge else None)
    read = read_opml(body, location if from_web else Path(location).name, from_web=from_web)
    notes = list(read.notes)
    if merge:
        cfg = load(config_path)
        placed = place_feeds(read.feeds, taken=[s.tree for s in cfg.sources()], known_urls=[s.url for s in cfg.sources()],
                             instances=cfg.rsshub.urls)
        target = cfg.path
        if placed.feeds:
            merge_into_config(cfg.path, placed.feeds)
    else:
        target = output or Path("feedstation.yaml")
        _refuse_overwrite(target, force)
        placed = place_feeds(read.feeds)
        header = [f"feedstation config imported from {location} by `feedstation import opml`."]
        if placed.feeds:
            save_config_text(target, render_new_config(placed.feeds, header=header, hexo_output=None))
    notes += placed.notes
    print_report(target, placed.feeds, notes, noun="feeds", wrote=bool(placed.feeds))
    if not read.feeds:
        raise FeedstationError(f"{location} lists no feed that could be imported; {target} was not changed")


@import_group.command("hexo", short_help="Import existing Hexo posts (reference format) as history.")
@click.argument("posts_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@config_option
@reports_errors
def hexo_command(posts_dir: Path, config_path: Path | None) -> None:
    """Store posts in the reference format as entries of the feeds they belong to.

    A post's `categories` (category, site, channel) name its feed, which must be in the
    config. The next `export hexo` into that folder owns the imported files (no duplicate
    when the feed serves the item again); files that do not parse are listed and left alone.

    \b
    Example:
      feedstation import hexo source/_posts --config feedstation.yaml
    """
    from feedstation import pipeline
    from feedstation.importers.hexo_posts import import_posts
    from feedstation.store import Store

    cfg = load(config_path)
    with pipeline.run_lock(cfg), Store.open(cfg.storage) as store:
        report = import_posts(posts_dir, cfg.sources(), store, now=pipeline.utc_now())
    counts = Counter(post.tree[0] for post in report.imported)
    # The parts add up to the files looked at (issue 12.5): imported + not imported + feedstation's own.
    _say(f"{report.files} post files in {posts_dir}: {len(report.imported)} imported into {cfg.storage} "
         f"({report.already} of them already stored), {len(report.problems)} not imported, "
         f"{report.owned} written or imported by feedstation before (skipped)")
    for category, count in counts.items():
        _say(f"  {category}: {count}")
    if report.refiled:
        _say(f"{len(report.refiled)} posts filed under their site's channel:", "yellow")
        for line in report.refiled:
            _say(f"  {line}")
    if report.problems:
        _say(f"{len(report.problems)} files not imported (left untouched):", "yellow")
        for problem in report.problems:
            _say(f"  {problem}")
    if cfg.output.hexo is None or Path(cfg.output.hexo).resolve() != posts_dir.resolve():
        _say(f"note: output.hexo is {cfg.output.hexo}, not {posts_dir}; `export hexo` writes the imported items "
             "there and leaves this folder as it is", "yellow")


def print_report(target: Path, feeds: Sequence[ImportedFeed], notes: Sequence[ImportNote], *, noun: str,
                 wrote: bool = True) -> None:
    counts = Counter(feed.category for feed in feeds)
    verb = "Wrote" if wrote else "Did not write"
    _say(f"{verb} {target}: {len(feeds)} {noun} imported in {len(counts)} categories")
    for category, count in counts.items():
        _say(f"  {category}: {count}")
    groups: dict[str, list[ImportNote]] = {}
    for note in notes:
        groups.setdefault(note.kind if note.kind in _NOTE_HEADINGS else "other", []).append(note)
    for kind in [*_NOTE_HEADINGS, "other"]:
        if kind in groups:
            _say(f"{_NOTE_HEADINGS.get(kind, 'other')} ({len(groups[kind])}):", "yellow")
            for note in groups[kind]:
                _say(f"  {note}")


def _say(line: str, style: str = "") -> None:
    """One report line, never wrapped: each names a file:line that must stay whole to be found (or grepped)."""
    console.print(Text(line, style=style), soft_wrap=True)


def _opml_bytes(location: str, config_path: Path | None) -> tuple[bytes, bool]:
    if location.lower().startswith(("http://", "https://")):
        from feedstation.importers.opml_sources import fetch_opml
        from feedstation.models import FetchSettings

        settings = load(config_path).fetch_settings() if config_path or Path("feedstation.yaml").exists() \
            else FetchSettings()
        body, error = fetch_opml(location, settings)
        if body is None:
            raise FeedstationError(f"could not download the OPML list {location}: {error}")
        return body, True
    path = Path(location)
    try:
        return path.read_bytes(), False
    except OSError as exc:
        raise FeedstationError(f"cannot read the OPML list {path}: {exc.strerror or exc}") from None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read the file as UTF-8 text: {exc}") from None


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise FeedstationError(f"{path} already exists; pass --force to overwrite it, or -o to write elsewhere")
