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


def card_row(card: Card) -> tuple:
    """What a card shows; the store rewrites an entry's content_hash whenever its body changes."""
    return (card.tree, card.identity, card.content_hash, card.title, card.link, card.author, card.image,
            card.published, card.updated, card.excerpt, card.enclosures)


def tree_shape(ctx: SiteContext) -> str:
    """The category tree as every page's nav shows it: names, titles, links and order, and the site icons.

    Sections are taken by name (the context adds them in the order the newest items meet them), and
    each section's children in their shown order.
    """
    return digest([(names, section.title, section.url, [c.names for c in section.children])
                   for names, section in sorted(ctx.sections.items())], sorted(ctx.icon_files.items()))


class PageKeys:
    """Input keys for one build's outputs; a card's key is made once and reused by every page that lists it."""

    def __init__(self, ctx: SiteContext, code: str):
        self.ctx = ctx
        self.code = code
        self.shape = tree_shape(ctx)
        self._cards: dict[str, str] = {}

    def card(self, item: Item) -> str:
        """The item as a list card or feed entry shows it: its row and its story's other copies."""
        key = self._cards.get(item.key)
        if key is None:
            copies = tuple((copy.url, label) for copy, label in self.ctx.copies_of(item))
            key = self._cards[item.key] = digest(card_row(item.entry), copies)
        return key

    def item_page(self, item: Item) -> str:
        """An item page: its entry, its channel neighbours, its story's other copies, the tree."""
        newer, older = self.ctx.neighbours.get(item.key, (None, None))
        copies = tuple((copy.url, copy.entry.title, copy.entry.published, label) for copy, label in self.ctx.copies_of(item))
        return digest(self.code, self.shape, item.path, card_row(item.entry),
                      newer and (newer.url, newer.entry.title), older and (older.url, older.entry.title), copies)

    def search(self, item: Item) -> str:
        """What Pagefind indexes of an item page: the article (title, trail, date, body, image), not its
        nav, neighbour links or "also from" list, which are outside it or marked data-pagefind-ignore."""
        return digest(self.code, item.path, card_row(item.entry))

    def listing_page(self, folder: str, number: int, top: int, items: Sequence[Item]) -> str:
        """A page of a listing: its place (`number`, 0 for the folder's index), the highest page number its
        pager links to (`top`), and its cards."""
        return digest(self.code, self.shape, folder, number, top, [self.card(item) for item in items])

    def feed(self, folder: str, items: Sequence[Item]) -> str:
        """A section's output feeds (all three formats): the newest items' cards."""
        return digest(self.code, folder, [self.card(item) for item in items])

    def month(self, year: int, month: int, items: Sequence[Item]) -> str:
        """An archive month page: its items."""
        return digest(self.code, self.shape, year, month, [self.card(item) for item in items])
