"""Fetching from a real RSSHub (judge: RSSHub 1.0.0-master.6a664a8 on loopback): fall-through, items, retries."""

from __future__ import annotations

import json

import lxml.html

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


ZHIHU_DOWN = 'FetchError: [GET] "https://api.zhihu.com/topstory/hot-lists/total?limit=10&reverse_order=0"'


def test_rsshub_s_own_message_is_shown_and_a_failing_route_is_asked_once_per_instance(rsshub, tmp_path):
    channels = {name: f"rsshub:/test/{name}" for name in FAILING_ROUTES}
    channels["zhihu"] = "rsshub:/zhihu/hot"
    channels["gone"] = "rsshub:/zhihu/hotlist"
    dead = dead_instance()
    config = write_config(tmp_path, [dead, rsshub.base], channels)
    config.write_text(config.read_text().replace("retries: 3", "retries: 2"))
    result = run_cli("fetch", "--config", str(config))
    assert result.exit_code == 0, result.output
    live = rsshub.base.removeprefix("http://")
    with Store.open(tmp_path / "feedstation.db") as store:
        errors = {h.channel: h.error for h in store.health()}
    assert f"{live}: 503 — Error: Error test" in errors["error"]
    assert f"{live}: 503 — ConfigNotFoundError: Test config not found error" in errors["config-not-found-error"]
    assert f"{live}: 503 — InvalidParameterError: Test invalid parameter error" in errors["invalid-parameter-error"]
    assert f"{live}: 503 — Error: this route is empty" in errors["empty"]
    assert f"{live}: 503 — {ZHIHU_DOWN}: <no response> fetch failed" in errors["zhihu"]
    assert errors["gone"].endswith(f"{live}: 404 — NotFoundError: The route does not exist or has been deleted.; "
                                   "run `feedstation routes update` to have the closest live routes named here")
    # the dead instance is named too, with its own reason
    assert f"{dead.removeprefix('http://')}: could not connect to 127.0.0.1:" in errors["error"]
    # RSSHub's route errors are not retried on that instance, although the dead one made the rounds repeat
    for path in ("/zhihu/hot", "/zhihu/hotlist", *(f"/test/{name}" for name in FAILING_ROUTES)):
        assert len(rsshub.requests_to(path)) == 1, path
    # the same messages in the run's table and in `status`
    assert "503 — Error: Error test" in result.output
    status = run_cli("status", "--config", str(config))
    assert "404 — NotFoundError: The route does not exist or has been deleted." in status.output


def test_a_forced_second_run_gets_304s_from_rsshub(rsshub, tmp_path):
    routes = ("1", "gzip", "long")
    config = write_config(tmp_path, [rsshub.base], {name: f"rsshub:/test/{name}" for name in routes})
    assert run_cli("fetch", "--config", str(config)).exit_code == 0
    first = rsshub.requests_to("/test/1")[0]
    assert "if-none-match" not in first.headers
    rsshub.clear_requests()
    second = run_cli("fetch", "--force", "--config", str(config))
    assert second.exit_code == 0, second.output
    assert "0 ok, 3 unchanged (304)" in second.output
    sent = rsshub.requests_to("/test/1")[0].headers["if-none-match"]
    weak, strong = sent.split(", ")
    assert weak.startswith('W/"') and strong == weak[2:]


def test_opml_lists_the_instance_that_served_and_a_404_suggests_the_closest_live_routes(rsshub, tmp_path):
    dead = dead_instance()
    config = write_config(tmp_path, [dead, rsshub.base], {"one": "rsshub:/test/1", "gone": "rsshub:/zhihu/hotlist"},
                          output={"site": "public"})
    assert run_cli("routes", "update", "--config", str(config)).exit_code == 0
    result = run_cli("run", "--config", str(config))
    assert result.exit_code == 0, result.output
    opml = (tmp_path / "public" / "sources.opml").read_text(encoding="utf-8")
    # /test/1 was served by the second instance; /zhihu/hotlist never was, so it keeps the first
    assert f'xmlUrl="{rsshub.base}/test/1"' in opml and f'xmlUrl="{dead}/test/1"' not in opml
    with Store.open(tmp_path / "feedstation.db") as store:
        errors = {h.channel: h.error for h in store.health()}
    assert errors["gone"].endswith(
        "404 — NotFoundError: The route does not exist or has been deleted.; "
        "closest routes in the catalog: /zhihu/pin/hotlist, /zhihu/hot, /zhihu/timeline")
    assert f"{rsshub.base}/test/1" in run_cli("sources", "--config", str(config)).output
    # the site's status data carries RSSHub's words too
    rows = {row["channel"]: row for row in json.loads((tmp_path / "public" / "status.json").read_bytes())["rows"]}
    assert rows["gone"]["reason"] == errors["gone"] and rows["gone"]["http_status"] == 404
    assert rows["one"]["served_by"] == rsshub.base
    page = lxml.html.document_fromstring((tmp_path / "public" / "status" / "index.html").read_bytes())
    assert "404 — NotFoundError: The route does not exist or has been deleted." in page.text_content()
