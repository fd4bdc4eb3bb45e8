"""Source icons as pages show them: a site's stored icon file when there is one, else a generated initial.

Holds no business logic beyond naming: the fallback's letter and colour are pure functions of the site's
name, so the same name always looks the same and no page ever asks another host for an icon.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SiteIcon:
    """What an icon element needs: the file under the site (`static/icons/…`) or an initial on a hue."""

    name: str
    initial: str
    hue: int  # 0..23: the fallback's background is hue × 15° (site.css classes hue-0 … hue-23; no style attribute)
    file: str | None = None  # output path of the stored icon, e.g. "static/icons/3f0a….png"


def initial_of(name: str) -> str:
    """The first letter or CJK character of a name, upper-cased ("知乎" → "知", "hacker news" → "H")."""
    for char in name.strip():
        if char.isalnum():
            return char.upper()
    return "#"


HUES = 24


def hue_of(name: str) -> int:
    """A stable hue bucket (0..23, 15° apart) for a name, spread over the colour wheel."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=2).digest(), "big") % HUES


def site_icon(name: str, file: str | None = None) -> SiteIcon:
    return SiteIcon(name=name, initial=initial_of(name), hue=hue_of(name), file=file)
