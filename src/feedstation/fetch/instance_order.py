"""Which RSSHub instance a route asks first: pure, from the route path and `rsshub.strategy`.

- `failover` (default): every route tries the instances in the configured order.
- `spread`: each route gets its own stable order by rendezvous (highest-random-weight) hashing of
  (instance, path), so the routes share the load evenly, a route keeps its instance from run to run
  (its cache there stays warm), and adding or removing an instance moves only the routes it gains or
  loses. A failing first choice still falls through to the others, in the route's own order.
"""

from __future__ import annotations

import hashlib

STRATEGIES = ("failover", "spread")


def instance_order(instances: tuple[str, ...], path: str, strategy: str) -> tuple[str, ...]:
    """The order in which the route `path` tries `instances`."""
    if strategy == "failover" or len(instances) < 2:
        return instances
    if strategy != "spread":
        raise ValueError(f"unknown rsshub.strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    return tuple(sorted(instances, key=lambda instance: _weight(instance, path), reverse=True))


def _weight(instance: str, path: str) -> bytes:
    return hashlib.blake2b(f"{instance}\n{path}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
