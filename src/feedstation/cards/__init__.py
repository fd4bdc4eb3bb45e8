"""Cards: an entry without its body, as every list, output feed and sitemap shows it (issue 19).

`derive` turns a stored entry into its card (pure); `refresh` keeps a card per entry in the store,
re-deriving only the entries whose body, full text or filter rules changed since their card was made.
"""

from feedstation.cards.derive import EXCERPT_CHARS, card_of, excerpt

__all__ = ["EXCERPT_CHARS", "card_of", "excerpt"]
# The store-side step and data (feedstation.cards.refresh, feedstation.cards.store_data) are imported
# where they are used: this package is also imported by the in-memory site build, which needs neither.
