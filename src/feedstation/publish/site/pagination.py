"""Pure: how a listing is cut into pages whose contents never change once full (issue 19).

Pages are numbered from the oldest item, as forum and blog archives do: page 1 holds the `size` oldest
items, page 2 the next `size`, and a page exists once it is full. A new item therefore changes no
numbered page; it only changes the listing's index page, which shows the newest `size` items. A page's
pager links the index ("latest"), its neighbours and a few numbers around it, never the highest page
number, so a page is rendered again only when the next one or two pages appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
WINDOW = 2  # page numbers shown on each side of the current one


@dataclass(frozen=True)
class Pager:
    """Links of one page (newest first, as the cards are): `links` holds (page number, URL) for each number
    shown, 0 standing for the index, with None where numbers are left out; `top` is the highest number
    linked (a page's bytes depend on it, so it is part of the page's key)."""

    number: int  # 0 for the index
    newer: str | None
    older: str | None
    links: tuple[tuple[int, str] | None, ...]
    top: int


def pages(items: Sequence[T], size: int) -> Iterator[tuple[int, Sequence[T]]]:
    """(0, the newest `size` items) for the index, then (n, items of page n) for every full page, newest
    first within each; `items` come newest first."""
    size = max(1, size)
    total = len(items)
    yield 0, items[:size]
    for number in range(1, total // size + 1):
        yield number, items[total - number * size: total - (number - 1) * size]


def full_pages(total: int, size: int) -> int:
    return total // max(1, size)


def pager(number: int, total: int, size: int, url_of: Callable[[int], str]) -> Pager | None:
    """The pager of page `number` (0: the index) of a listing of `total` items; None when one page holds them all.

    The index's "older" link goes to the page that holds the newest item it does not show.
    """
    size = max(1, size)
    full = full_pages(total, size)
    if total <= size and number == 0:
        return None
    if number == 0:
        top = (total - size - 1) // size + 1  # the page of the newest item not on the index
        newer, older = None, url_of(top)
        low = max(1, top - WINDOW)
    else:
        top = min(full, number + WINDOW)
        newer = url_of(number + 1) if number < full else url_of(0)
        older = url_of(number - 1) if number > 1 else None
        low = max(1, number - WINDOW)
    shown = [0, *range(top, low - 1, -1)]
    if low > 1:
        shown.append(1)
    links: list[tuple[int, str] | None] = []
    for index, n in enumerate(shown):
        if index > 1 and shown[index - 1] - n > 1:
            links.append(None)
        links.append((n, url_of(n)))
    return Pager(number=number, newer=newer, older=older, links=tuple(links), top=top)
