"""Existing Hexo posts in the reference format → stored entries of the feeds they belong to.

`read_post` is pure (text in, post or reason out); `import_posts` walks a posts folder, stores
every post that parses and whose `categories` name a configured feed, and registers the files
in the Hexo manifest so the next `export hexo` owns them. A file that does not parse, or whose
feed is not configured, is listed with the reason and left untouched.

The reference filed a route under a site with no `###` heading under the channel of the
heading before it; `import rsshub-page` names such a channel after its site instead. So a
post whose channel is not in the config, under a site with a feed named after the site,
belongs to that feed (and the report says so).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import yaml

from feedstation.models import Entry, Source
from feedstation.normalize.html import sanitize_with_lead_image
from feedstation.normalize.identity import content_hash, imported_post_identity
from feedstation.publish.hexo import MANIFEST_NAME, owned_paths, register_imported_posts
from feedstation.publish.hexo_post import tree_identity_key
from feedstation.store import Store

_PLACEHOLDER = re.compile(r"^https://picsum\.photos/\d+/\d+\?random=\d+$")
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
MAX_POST_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImportedPost:
    """One post read back: its file, place in the tree, and the item it shows (body sanitised)."""

    relpath: str
    category: str
    site: str
    channel: str
    title: str
    published: datetime
    image: str | None
    content: str

    @property
    def tree(self) -> tuple[str, str, str]:
        return (self.category, self.site, self.channel)

    def to_entry(self) -> Entry:
        identity = imported_post_identity(self.title, self.published)
        return Entry(identity=identity, title=self.title, link=None, author=None, published=self.published,
                     updated=None, summary=self.content, content=self.content, image=self.image,
                     content_hash=content_hash(title=self.title, link=None, author=None, published=self.published,
                                               content=self.content, image=self.image))


@dataclass(frozen=True)
class HexoImport:
    """What `import hexo` did: posts stored (or found already stored), and files left alone with the reason."""

    imported: tuple[ImportedPost, ...]
    already: int  # of `imported`, how many were already in the store (same feed, title and date)
    problems: tuple[str, ...]
    refiled: tuple[str, ...] = ()  # posts imported under another channel than their categories name
    owned: int = 0  # post files feedstation wrote or imported before (in its manifest): entries already, skipped

    @property
    def files(self) -> int:
        """Every post file looked at: imported + not imported + feedstation's own."""
        return len(self.imported) + len(self.problems) + self.owned


def read_post(text: str, relpath: str) -> ImportedPost | str:
    """A post in the reference format (see DESIGN "The seed post format"), or the reason it is not one."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return "no front matter (--- … ---) at the top"
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark else ""
        return f"front matter is not valid YAML{where}"
    if not isinstance(meta, dict):
        return "front matter is not a mapping of keys"
    title = meta.get("title")
    if isinstance(title, (int, float)) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        return "no title"
    categories = meta.get("categories")
    if not isinstance(categories, list) or len(categories) != 3 or not all(
            isinstance(c, (str, int)) and str(c).strip() for c in categories):
        found = len(categories) if isinstance(categories, list) else "none"
        return f"categories must list the category, site and channel (found {found})"
    published = _date(meta.get("date"))
    if published is None:
        return f"date {meta.get('date')!r} is not a date (RFC 822, e.g. Thu, 06 Jan 2022 10:32:27 GMT)"
    body = text[match.end():].strip()
    if body.startswith("<div>") and body.endswith("</div>"):
        body = body[len("<div>"):-len("</div>")].strip()
    body = body.replace("&#123;", "{").replace("&#125;", "}")  # the export's Nunjucks escaping, undone
    content, lead = sanitize_with_lead_image(body, None)
    image = meta.get("headimg") or meta.get("thumbnail")
    if not isinstance(image, str) or _PLACEHOLDER.match(image) or not image.startswith(("http://", "https://")):
        image = lead
    category, site, channel = (" ".join(str(c).split()) for c in categories)
    return ImportedPost(relpath, category, site, channel, " ".join(title.split()), published, image, content)


def import_posts(posts_dir: Path, sources: Sequence[Source], store: Store, *, now: datetime) -> HexoImport:
    """Store every importable post under `posts_dir` and register it in that folder's Hexo manifest."""
    root = Path(posts_dir)
    owned = owned_paths(root)
    by_tree = {s.tree: s for s in sources}
    problems: list[str] = []
    refiled: list[str] = []
    posts: list[ImportedPost] = []
    seen: dict[tuple, str] = {}
    skipped_owned = 0
    for relpath in _post_files(root):
        if relpath.casefold() in owned:
            skipped_owned += 1  # written (or imported) by feedstation: already an entry
            continue
        post = _read(root / relpath, relpath)
        if isinstance(post, str):
            problems.append(f"{relpath}: {post}")
            continue
        site_feed = _site_named_feed(post, sources) if post.tree not in by_tree else None
        if site_feed is not None:
            refiled.append(f"{relpath}: filed under {' › '.join(site_feed.tree)} (the reference named its channel "
                           f"{post.channel!r} after an earlier ### heading)")
            post = replace(post, channel=site_feed.channel)
        if post.tree not in by_tree:
            problems.append(f"{relpath}: its categories {' › '.join(post.tree)} are not a feed in the config; "
                            "add that channel (or fix the post's categories) and import again")
            continue
        same = (post.tree, post.title, post.published)
        if same in seen:
            problems.append(f"{relpath}: the same item (title, categories and date) as {seen[same]}; left as it is")
            continue
        seen[same] = relpath
        posts.append(post)
    feed_ids = store.sync_feeds(sources)
    groups: dict[tuple[str, str, str], list[ImportedPost]] = {}
    for post in posts:
        groups.setdefault(post.tree, []).append(post)
    register: dict[str, str] = {}
    already = 0
    for tree, group in groups.items():
        stored = store.import_entries(feed_ids[tree], [p.to_entry() for p in group], now)
        for post, (identity, new) in zip(group, stored):
            already += not new
            register[tree_identity_key(tree, identity)] = post.relpath
    if register:
        register_imported_posts(root, register)
    return HexoImport(tuple(posts), already, tuple(problems), refiled=tuple(refiled), owned=skipped_owned)


def _site_named_feed(post: ImportedPost, sources: Sequence[Source]) -> Source | None:
    """The feed of the post's site that `import rsshub-page` named after the site (`36氪`, `36氪 (2)`), if one.

    Several such feeds (several routes under one heading-less site) were one channel in the
    reference, so its posts cannot be told apart: they go to the first.
    """
    return next((s for s in sources if (s.category, s.site) == (post.category, post.site)
                 and (s.channel == s.site or s.channel.startswith(s.site + " ("))), None)


def _post_files(root: Path) -> list[str]:
    """Relative POSIX paths of the .md files below `root`; symlinks and dot-files are not followed."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name.endswith(".md") and not name.startswith(".") and name != MANIFEST_NAME and not os.path.islink(path):
                found.append(Path(path).relative_to(root).as_posix())
    return found


def _read(path: Path, relpath: str) -> ImportedPost | str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_POST_BYTES + 1)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    if len(data) > MAX_POST_BYTES:
        return "larger than 20 MiB; not a post"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    return read_post(text, relpath)


def _date(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # the reference always wrote GMT; a naive date is taken as UTC
    return moment.astimezone(timezone.utc).replace(microsecond=0)
