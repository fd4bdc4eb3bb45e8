"""Is this the same story? Normalised titles and leads compared with rapidfuzz, for Chinese and English alike.

Chosen by measurement against MinHash/LSH (datasketch) on the labelled pairs in
`bench/data/` (see docs/architecture.md, "One story once"): both see the same normalised
text; rapidfuzz's edit-distance ratio on whole titles separated the hard negatives (same
template, another number or name) better than shingle Jaccard, and `process.cdist` over a
few days' titles is cheaper than building a MinHash per item.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Two titles this similar (0–100, rapidfuzz's normalised Indel ratio of the compact titles)
# are the same story when nothing else speaks against it; PREFILTER is the least title
# similarity a pair needs to be looked at, which a shared lead can make up for.
TITLE_SAME = 85.0
PREFILTER = 20.0
# A lead (the body's opening text) counts only from this many UTF-8 bytes on (20 Chinese characters,
# 60 Latin letters): a digest's one-line boilerplate ("Good morning. Here is what you need to know
# today.") proves nothing.
LEAD_MIN = 60
LEAD_CHARS = 160
LEAD_SAME = 88.0  # leads this similar (partial ratio) make a rewritten headline the same story
LEAD_DIFFERENT = 75.0  # leads this far apart make even equal titles ("Release notes") different stories

_TAGS = re.compile(r"【[^】]{0,12}】|\[[^\]]{0,12}\]|^(?:独家|重磅|突发|快讯|视频|图集|breaking|exclusive|update)[:：|丨]\s*",
                   re.IGNORECASE)
# "… - 36氪", "… | 最前线", "…_网易新闻": a short trailing part after a separator names the outlet.
_SUFFIX = re.compile(r"(?:\s+[-|–—·]\s+|\s*[|丨_]\s*)([^-|–—·丨_\d]{1,14})$")
# A question about the news ("如何看待微信上线…？", "Ask HN: …") is its own item even when it quotes the story.
_QUESTION = re.compile(r"[?？]\s*$|^\s*(?:如何看待|如何评价|怎么看待|怎样看待|ask hn|poll)\b", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)*")
# Wire and outlet bylines before the lead: "TOKYO (AP) — ", "(Reuters) -", "IT之家 11 月 28 日消息，".
_BYLINE = re.compile(r"^(?:[A-Z][A-Za-z ,.]{0,40}\((?:AP|Reuters|AFP|Bloomberg)\)\s*[-—–]+\s*|\((?:AP|Reuters|AFP)\)\s*[-—–]*\s*|"
                     r"[A-Z][A-Z ,.]{2,30}\s+--\s+|\S{1,8}\s*\d{1,2}\s*月\s*\d{1,2}\s*日消息[，,]\s*|据\S{1,8}报道[，,]\s*)")


@dataclass(frozen=True)
class StoryText:
    """What the comparison looks at, computed once per item."""

    title: str  # compact: NFKC, lower case, no tags, no outlet suffix, only letters and digits, no spaces
    numbers: frozenset[str]  # the title's numbers: "Weekly #123" and "#124" are different issues
    lead: str  # compact opening text of the body, "" when too short to mean anything
    question: bool = False  # the title asks something ("如何看待…？")


def story_text(title: str, body_html: str) -> StoryText:
    """The normalised title, its numbers and the body's lead, as the comparison wants them."""
    text = unicodedata.normalize("NFKC", title or "").strip()
    text = _TAGS.sub("", text).strip()
    shortened = _SUFFIX.sub("", text).strip()
    if len(_compact(shortened)) >= 8:  # never leave only a stub ("知乎热榜")
        text = shortened
    lead = _lead(body_html)
    return StoryText(title=_compact(text), numbers=frozenset(n.replace(",", "") for n in _NUMBER.findall(text)),
                     lead=lead if len(lead.encode("utf-8", "surrogatepass")) >= LEAD_MIN else "",
                     question=bool(_QUESTION.search(text)))


def title_similarity(a: StoryText, b: StoryText) -> float:
    return fuzz.ratio(a.title, b.title)


def same_story(a: StoryText, b: StoryText, title_score: float | None = None) -> bool:
    """True when two items (already known to be close in time and from different feeds) tell the same story."""
    if not a.title or not b.title or a.question != b.question or not numbers_agree(a.numbers, b.numbers):
        return False
    score = title_similarity(a, b) if title_score is None else title_score
    if score < PREFILTER:
        return False
    lead = fuzz.partial_ratio(a.lead, b.lead) if a.lead and b.lead else None
    if score >= TITLE_SAME:
        return lead is None or lead >= LEAD_DIFFERENT
    return lead is not None and lead >= LEAD_SAME


def numbers_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Digest and series titles differ only in a number ("知乎热榜 2026-11-30" / "12-01", "Weekly #123" / "#124"):
    when both titles carry numbers, one set must contain the other ("Q3 营收 251 亿" vs "营收 251 亿" agree)."""
    return not a or not b or a <= b or b <= a


def _compact(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


def _lead(body_html: str) -> str:
    if not body_html:
        return ""
    # Only the opening is needed: cut before the regexes run (bodies are kilobytes, the lead 160 letters).
    text = body_html[: LEAD_CHARS * 6]
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text[: LEAD_CHARS * 3]).lstrip()
    text = _BYLINE.sub("", text, count=1)
    return _compact(text[: LEAD_CHARS * 2])[:LEAD_CHARS]
