"""Fetching from a real RSSHub (judge: RSSHub 1.0.0-master.6a664a8 on loopback): fall-through, items, retries."""

from __future__ import annotations

from feedstation.store import Store
from tests.rsshub.support import FAILING_ROUTES, OFFLINE_ROUTES, dead_instance, run_cli, write_config


def test_every_offline_test_route_is_stored_after_falling_through_a_dead_first_instance(rsshub, tmp_path):
    config = write_config(tmp_path, [dead_instance(), rsshub.base],
                          {name: f"rsshub:/test/{name}" for name in OFFLINE_ROUTES})
    result = run_cli("fetch", "--config", str(config))
    assert result.exit_code == 0, result.output
    with Store.open(tmp_path / "feedstation.db") as store:
        health = {h.channel: h for h in store.health()}
    failed = {name: h.error for name, h in health.items() if h.status != "ok"}
    assert not failed
    for name in OFFLINE_ROUTES:
        assert health[name].served_by == rsshub.base, name
    empty = {name for name, h in health.items() if h.entry_count == 0}
    assert empty <= {"allow_empty"}, empty
    # each route asked of the live instance once (the dead one refused the connection first);
    # /test/redirect answers 301 → /test/1, so /test/1 is asked twice
    for name in OFFLINE_ROUTES:
        assert len(rsshub.requests_to(f"/test/{name}")) == (2 if name == "1" else 1), name
