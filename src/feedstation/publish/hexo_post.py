"""One Hexo post's text: the reference format (DESIGN.md "The seed post format") and its opt-in additions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from feedstation.models import StoredEntry
from feedstation.normalize.dates import iso_text
from feedstation.publish.front_matter import fold_text, scalar, single_quoted
from feedstation.publish.enclosure_html import enclosures_html
from feedstation.publish.hexo_inert import inert_body, inert_image_url, inert_text

PLACEHOLDER_IMAGE = "https://picsum.photos/400/300?random={n}"
PLACEHOLDER_RANGE = 10001  # N in 0..10000, as the reference used

# Front-matter keys a theme needs that the reference format lacks. Volantis 6 hides a post's <h1>
# whenever it has `headimg` (every feedstation post has one) unless `title_display: true`
# (hexo-theme-volantis 6.8.3 layout/_partial/meta.ejs).
THEME_PRESETS: dict[str, tuple[tuple[str, str | int | bool], ...]] = {
    "volantis6": (("title_display", True),),
}
# Keys the format itself writes; extra front matter may not repeat them (YAML would keep the last).
RESERVED_KEYS = frozenset({"title", "categories", "headimg", "author", "comments", "date", "thumbnail", "disableNunjucks"})

DATE_FORMATS = ("rfc822", "local")


@dataclass(frozen=True)
class HexoOptions:
    """How posts are written. The defaults give the reference format byte for byte.

    - `date_format="rfc822"`: `Thu, 06 Jan 2022 10:32:27 GMT` (the reference). Hexo reads it right
      only when its `timezone` equals the machine's (or is unset).
    - `date_format="local"`: `2022-01-06 18:32:27`, the wall time in `timezone`: Hexo 5 and 7 read it
      right on a machine in any time zone, provided Hexo's own `timezone` is the same (README).
    - `extra_front_matter`: (key, value) pairs written after the reference keys (theme presets first).
    """

    disable_nunjucks: bool = False
    date_format: str = "rfc822"
    timezone: str = "UTC"
    extra_front_matter: tuple[tuple[str, str | int | bool], ...] = ()

    def fingerprint(self) -> tuple:
        return (self.disable_nunjucks, self.date_format, self.timezone, self.extra_front_matter)


def render_post(entry: StoredEntry, options: HexoOptions | None = None, *, disable_nunjucks: bool = False) -> str:
    """The post text in the reference format, with every feed-supplied value inert for Hexo themes.

    The title is always a single-quoted YAML scalar; its line breaks are folded to spaces
    and characters YAML cannot carry are dropped, so Hexo reads back a one-line title.
    Title, tree names (categories and author) and image URL go through `hexo_inert`, so no
    theme can turn them into markup; ordinary values are written unchanged.
    """
    options = options or HexoOptions(disable_nunjucks=disable_nunjucks)
    image = single_quoted(inert_image_url(entry.image) or placeholder_image(entry))
    site = scalar(front_matter_text(entry.site))
    lines = [
        "",
        "---",
        f"title: {single_quoted(front_matter_text(entry.title))}",
        "categories: ",
        f" - {scalar(front_matter_text(entry.category))}",
        f" - {site}",
        f" - {scalar(front_matter_text(entry.channel))}",
        f"headimg: {image}",
        f"author: {site}",
        "comments: false",
        f"date: {post_date(entry.published, options)}",
        f"thumbnail: {image}",
    ]
    if options.disable_nunjucks:
        lines.append("disableNunjucks: true")
    lines += [f"{key}: {_yaml_value(value)}" for key, value in options.extra_front_matter]
    body = entry.content or entry.summary
    if entry.enclosures:  # players and download links after the item's own HTML (issue 13)
        body += "\n" + enclosures_html(entry.enclosures, body=body)
    lines += ["---", "", "<div>   ", inert_body(body) + "  ", "</div>", " " * 12]
    return "\n".join(lines)


def front_matter_text(value: str) -> str:
    """A feed-supplied value as its post shows it: one YAML-printable line (`fold_text`), made inert (`inert_text`)."""
    return inert_text(fold_text(value))


def post_date(moment: datetime, options: HexoOptions) -> str:
    if options.date_format == "local":
        return format_local_date(moment, options.timezone)
    return format_date(moment)


def format_date(moment: datetime) -> str:
    """RFC 822 date in GMT with English names whatever the locale: `Thu, 06 Jan 2022 10:32:27 GMT`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def format_local_date(moment: datetime, zone: str) -> str:
    """`YYYY-MM-DD HH:MM:SS`, the wall time in `zone` (an unquoted YAML timestamp without offset).

    js-yaml reads it as UTC, hexo-front-matter moves it to the machine's wall time and Hexo's
    `timezone()` reinterprets that wall time in Hexo's `timezone`: the offsets cancel on any
    machine (tested with TZ=UTC, Asia/Shanghai, America/New_York in tests/publish/test_hexo_dates.py).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except OverflowError:
        raise ValueError(f"its date {iso_text(moment.astimezone(timezone.utc))} falls outside years 1–9999 "
                         f"in the time zone {zone}") from None
    # Not strftime: its %Y writes year 103 as `103`, which YAML no longer reads as a date (issue 11).
    return (f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
            f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}")


def entry_key(entry: StoredEntry) -> str:
    """Stable key of an entry across runs: a digest (32 hex) of its tree and identity."""
    return tree_identity_key((entry.category, entry.site, entry.channel), entry.identity)


def tree_identity_key(tree: tuple[str, str, str], identity: str) -> str:
    """`entry_key` from the parts (for importers, which know the tree and identity, not a StoredEntry)."""
    # Length-prefixed fields: unambiguous whatever characters the names contain, and (unlike
    # repr) fixed forever, because the key also picks the placeholder image and name suffix.
    raw = "".join(f"{len(part)}:{part}" for part in (*tree, identity))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]  # 128 bits: plenty, smaller manifest


def placeholder_image(entry: StoredEntry) -> str:
    """A picsum URL whose N (0..10000) is fixed by the entry's tree and identity, so it never changes."""
    return PLACEHOLDER_IMAGE.format(n=int(entry_key(entry)[:16], 16) % PLACEHOLDER_RANGE)


def front_matter_additions(theme: str | None, extra: dict[str, str | int | bool]) -> tuple[tuple[str, str | int | bool], ...]:
    """The theme preset's keys, then `extra` (which wins on a shared key), in a fixed order."""
    merged = dict(THEME_PRESETS[theme]) if theme else {}
    merged.update(extra)
    return tuple(merged.items())


def _yaml_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return scalar(front_matter_text(value))
