"""`feedstation status --items`: per-item problems recorded while fetching (full text of `full_text` sources)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text

from feedstation.models import FullTextProblem

_WHAT = {"summary_kept": "feed's text kept", "failed": "full text failed"}


def full_text_lines(counts: Mapping[str, int], problems: Sequence[FullTextProblem]) -> Text:
    """A totals line, then one line per item whose page gave no usable article: feed, title, link, reason."""
    if not counts:
        return Text("full text: no item of a full_text source has been fetched yet", style="dim")
    text = Text(f"full text: {counts.get('ok', 0)} item(s) with the page's article, "
                f"{counts.get('summary_kept', 0)} kept the feed's text (the page had less), "
                f"{counts.get('failed', 0)} failed")
    for problem in problems:
        style = "yellow" if problem.status == "summary_kept" else "red"
        text.append(f"\n  {_WHAT.get(problem.status, problem.status)}: {problem.feed}: {problem.title!r}"
                    f" <{problem.link or 'no link'}>: {problem.reason}", style=style)
    shown = sum(counts.get(s, 0) for s in _WHAT)
    if shown > len(problems):
        text.append(f"\n  … and {shown - len(problems)} older item(s)", style="dim")
    return text
