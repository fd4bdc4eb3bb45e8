"""Pure: what a run's failures have in common (a network outage?) and why a site has nothing to show yet."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from feedstation.models import FeedHealth, FeedReport, FeedsOverview

# A rsshub: failure names its route first; what follows is the reason, shared by every route.
_RSSHUB_PREFIX = re.compile(r"^(?:all \d+ RSSHub instances|the RSSHub instance) failed for \S+: ")
TOP_REASONS = 3


@dataclass(frozen=True)
class CommonNetworkFailure:
    """Most of a run's feeds never reached a server for the same kind of reason (issue 12.4)."""

    kind: str  # "dns" or "connect"
    hosts: tuple[str, ...]  # most often first
    feeds: int  # feeds that failed this way
    total: int  # feeds fetched in the run
    network_down: bool  # every remote feed failed this way: their back-off was not pushed


def network_down(reports: Sequence[FeedReport], remote: int) -> bool:
    """True when every one of the run's `remote` (http/rsshub) feeds, at least two, failed without reaching a server.

    Then the fault is this machine's network (or DNS), not the feeds: the next run should
    retry them rather than wait out a back-off. A feed that fails alone still backs off.
    """
    unreached = sum(1 for r in reports if r.network_failure is not None)
    return remote >= 2 and unreached == remote


def common_network_failure(reports: Sequence[FeedReport], remote: int) -> CommonNetworkFailure | None:
    """The network failure shared by more than half of the run's feeds (and at least two), else None."""
    kinds = Counter(r.network_failure.kind for r in reports if r.network_failure is not None)
    if not kinds:
        return None
    kind, count = kinds.most_common(1)[0]
    if count < 2 or count * 2 <= len(reports):
        return None
    hosts = Counter(r.network_failure.host for r in reports if r.network_failure and r.network_failure.kind == kind)
    ordered = tuple(host for host, _n in sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0])))
    return CommonNetworkFailure(kind=kind, hosts=ordered, feeds=count, total=len(reports),
                                network_down=network_down(reports, remote))


def failure_reason(error: str) -> str:
    """A feed's error without the part that names the feed, so that feeds failing alike group together."""
    return _RSSHUB_PREFIX.sub("", error)


def feeds_overview(rows: Sequence[FeedHealth]) -> FeedsOverview:
    """Counts of the configured feeds and their most common failure reasons."""
    failing = [r for r in rows if r.status == "error" and r.error]
    reasons = Counter(failure_reason(r.error) for r in failing)
    top = tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS])
    return FeedsOverview(feeds=len(rows), never_fetched=sum(1 for r in rows if r.status == "never"),
                         failing=len(failing), reasons=top)
