"""Pure: the input key of each output, a digest of everything its bytes are made from.

An output whose key equals the one the previous build recorded for its path (and whose file is
still there) is not rendered at all: a build costs what changed, not what is stored (issue 19).
Keys are made from cards only (an entry's content hash stands for its body), so deciding what to
render never reads a body. Every key starts from `code` (settings, templates, assets, this code),
so a template change renders everything once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from feedstation.models import Card
from feedstation.publish.site.context import Item, SiteContext


def digest(*parts: object) -> str:
    """A 32-hex digest of the parts' repr (the parts are plain tuples, strings, numbers and dates)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def card_row(card: Card) -> str:
    """What a card shows, as one text; the store rewrites an entry's content_hash whenever its body changes.

    Joined, not repr'd: keys are made for every item of every build, and a tuple's repr (dates and all)
    cost most of that time. The separator is a control character no stored text contains.
    """
    return "\x1f".join((*card.tree, card.identity, card.content_hash, card.title, card.link or "\x00",
                        card.author or "\x00", card.image or "\x00", card.published.isoformat(),
                        card.updated.isoformat() if card.updated else "\x00", card.excerpt,
                        repr(card.enclosures) if card.enclosures else ""))


def tree_shape(ctx: SiteContext) -> str:
    """The category tree as every page's nav shows it: names, titles, links and order, and the site icons.

    Sections are taken by name (the context adds them in the order the newest items meet them), and
    each section's children in their shown order.
    """
    return digest([(names, section.title, section.url, [c.names for c in section.children])
                   for names, section in sorted(ctx.sections.items())], sorted(ctx.icon_files.items()))


def text_digest(text: str) -> str:
    """16 hex digits: a key is only ever compared with the same path's previous key, where a 64-bit digest
    colliding by chance is not a concern, and the manifest holds one per output (100,000s)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


_NO_NEIGHBOURS = (None, None)


class PageKeys:
    """Input keys for one build's outputs; a card's key is made once and reused by every page that lists it."""

    def __init__(self, ctx: SiteContext, code: str):
        self.ctx = ctx
        self.code = code
        self.shape = tree_shape(ctx)
        self._rows: dict[str, str] = {}
        self._cards: dict[str, str] = {}

    def _row(self, item: Item) -> str:
        """The digest of the item's card_row, made once (the digest, not the text, is kept: one per item)."""
        row = self._rows.get(item.key)
        if row is None:
            row = self._rows[item.key] = text_digest(card_row(item.entry))
        return row

    def card(self, item: Item) -> str:
        """The item as a list card or feed entry shows it: its row and its story's other copies."""
        key = self._cards.get(item.key)
        if key is None:
            copies = self.ctx.copies_of(item)
            # Most items tell their story alone: their card is their row (no second digest of it).
            key = self._cards[item.key] = (text_digest(self._row(item) + "".join(
                f"\x1e{copy.key}\x1f{label}" for copy, label in copies)) if copies else self._row(item))
        return key

    def item_page(self, item: Item) -> str:
        """An item page: its entry, its channel neighbours, its story's other copies, the tree.

        Items are named by their key, which gives their path and (with the settings, in `code`) their URLs:
        made for every item of every build, the URL properties cost a third of the key's time."""
        newer, older = self.ctx.neighbours.get(item.key, _NO_NEIGHBOURS)
        copies = self.ctx.copies.get(item.key)
        text = (f"{self.code}\x1e{self.shape}\x1e{item.key}\x1e{self._row(item)}"
                f"\x1e{newer.key + chr(31) + newer.entry.title if newer else ''}"
                f"\x1e{older.key + chr(31) + older.entry.title if older else ''}")
        if copies:
            text += "".join(f"\x1e{copy.key}\x1f{copy.entry.title}\x1f{copy.entry.published.isoformat()}\x1f{label}"
                            for copy, label in copies)
        return text_digest(text)

    def search_rows(self) -> dict[str, str]:
        """What Pagefind indexes of each item page, by path: its card row's digest, which stands for the
        article (title, trail, date, body, image); not its nav, neighbour links or "also from" list, which are
        outside it or marked data-pagefind-ignore. A shard's fingerprint adds `code` once (search.py), not
        once per page: a digest per item of a 45,000-item site cost 0.26 s of each build."""
        return {item.path: self._row(item) for item in self.ctx.items}

    def listing_page(self, folder: str, number: int, top: int, items: Sequence[Item]) -> str:
        """A page of a listing: its place (`number`, 0 for the folder's index), the highest page number its
        pager links to (`top`), and its cards."""
        return text_digest("\x1e".join((self.code, self.shape, folder, str(number), str(top),
                                        *(self.card(item) for item in items))))

    def feed(self, folder: str, items: Sequence[Item]) -> str:
        """A section's output feeds (all three formats): the newest items' cards."""
        return text_digest("\x1e".join((self.code, folder, *(self.card(item) for item in items))))

    def month(self, year: int, month: int, items: Sequence[Item]) -> str:
        """An archive month page: its items."""
        return text_digest("\x1e".join((self.code, self.shape, f"{year}-{month}", *(self.card(item) for item in items))))
