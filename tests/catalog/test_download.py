"""`update_catalog` against a real loopback server: fall-through, caps, untrusted payloads, the cache file."""

from __future__ import annotations

import json

import pytest

from feedstation.catalog import load_catalog, update_catalog
from feedstation.errors import CatalogError
from feedstation.models import FetchSettings

from .conftest import BIG


def test_first_instance_fails_second_serves(base_url, rsshub_server, tmp_path):
    path = tmp_path / "data" / "rsshub-routes.json"
    report = update_catalog([f"{base_url}/fail", f"{base_url}/good/"], path)

    assert report.instance == f"{base_url}/good/"
    assert (report.namespaces, report.routes, report.skipped) == (21, 60, 0)  # the real catalog's cut: nothing lost
    assert report.failures == ((f"{base_url}/fail", "HTTP 500 Internal Server Error"),)
    # Both were asked, in order, with our User-Agent.
    assert [p for p, _ in rsshub_server.received] == ["/fail/api/namespace", "/good/api/namespace"]
    assert all(headers["User-Agent"] == FetchSettings.user_agent for _, headers in rsshub_server.received)


def test_cache_file_records_instance_and_time_and_reloads(base_url, tmp_path):
    path = tmp_path / "rsshub-routes.json"
    report = update_catalog([f"{base_url}/mixed"], path)

    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["instance"] == f"{base_url}/mixed"
    assert document["fetched_at"] == report.fetched_at.isoformat()
    assert report.fetched_at.utcoffset().total_seconds() == 0
    assert document["skipped"] == 1
    assert report.skipped_reasons == ("sspai '/broken': name must be a non-empty string",)
    assert "/broken" not in document["namespaces"]["sspai"]["routes"]
    assert len(document["namespaces"]["sspai"]["routes"]) == 3  # the bad route is skipped alone
    assert [p.name for p in tmp_path.iterdir()] == ["rsshub-routes.json"]  # no temp file left behind

    catalog = load_catalog(path)
    assert catalog.instance == f"{base_url}/mixed"
    assert catalog.fetched_at == report.fetched_at
    assert (len(catalog.namespaces), catalog.route_count, catalog.skipped) == (22, 61, 1)


def test_list_path_route_is_one_route_with_both_paths(catalog):
    (route,) = [r for r in catalog.namespace("douban").routes if r.name == "正在上映的电影"]
    assert route.paths == ("/movie/playing", "/movie/playing/:score")
    assert route.full_paths == ("/douban/movie/playing", "/douban/movie/playing/:score")


def test_rich_parameters_and_features_are_kept_as_text(catalog):
    (issues,) = [r for r in catalog.namespace("github").routes if r.name == "Repo Issues"]
    assert issues.parameters == (("user", "GitHub username"), ("repo", "GitHub repo name"),
                                 ("state", "the state of the issues. (default: open) — options: open, closed, all"),
                                 ("labels", "a list of comma separated label names"))
    (user,) = [r for r in catalog.namespace("weibo").routes if r.name == "博主"]
    assert user.features == (("requireConfig", "WEIBO_COOKIES (optional)"), ("requirePuppeteer", "yes"),
                             ("antiCrawler", "yes"))


def test_gzip_answer_is_decoded(base_url, tmp_path):
    report = update_catalog([f"{base_url}/gzip"], tmp_path / "c.json")
    assert report.routes == 60


@pytest.mark.parametrize("name", ["big", "stream", "bomb"])
def test_body_over_size_cap_is_refused(base_url, tmp_path, name):
    path = tmp_path / "c.json"
    with pytest.raises(CatalogError) as caught:
        update_catalog([f"{base_url}/{name}"], path, max_bytes=BIG // 2)
    message = str(caught.value)
    assert message.startswith(f"could not download the RSSHub route catalog from any instance ({base_url}/{name}: "
                              f"response body exceeds fetch.max_bytes ({BIG // 2} bytes")
    assert message.endswith("); check `rsshub.instances` in the config or try again later")
    assert not path.exists()


def test_over_cap_instance_falls_through_to_next(base_url, tmp_path):
    report = update_catalog([f"{base_url}/big", f"{base_url}/good"], tmp_path / "c.json", max_bytes=BIG // 2 + 50_000)
    assert report.instance == f"{base_url}/good"


@pytest.mark.parametrize(("name", "reason"), [
    ("html", "the server returned an HTML page, not a feed"),
    ("nested", "response is not JSON"),
    ("array", "response is not an RSSHub namespace list: expected a JSON object keyed by namespace, got list"),
    ("empty", "response holds no usable routes (0 malformed)"),
])
def test_unusable_answers_are_refused(base_url, tmp_path, name, reason):
    with pytest.raises(CatalogError) as caught:
        update_catalog([f"{base_url}/{name}"], tmp_path / "c.json")
    assert f"({base_url}/{name}: {reason}" in str(caught.value)


def test_unreachable_instance_reports_why(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CatalogError, match=rf"http://127\.0\.0\.1:{port}: could not connect to 127\.0\.0\.1:{port}"):
        update_catalog([f"http://127.0.0.1:{port}"], tmp_path / "c.json", timeout=5)


def test_failed_update_keeps_the_previous_catalog(base_url, tmp_path):
    path = tmp_path / "c.json"
    update_catalog([f"{base_url}/good"], path)
    before = path.read_bytes()
    with pytest.raises(CatalogError):
        update_catalog([f"{base_url}/fail"], path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("instance", ["file:///etc/passwd", "ftp://example.com", "127.0.0.1:1200"])
def test_non_http_instance_is_refused_before_any_request(rsshub_server, base_url, tmp_path, instance):
    with pytest.raises(CatalogError) as caught:
        update_catalog([f"{base_url}/good", instance], tmp_path / "c.json")
    assert str(caught.value) == f"RSSHub instance {instance!r} is not an http(s) URL: fix `rsshub.instances` in the config"
    assert rsshub_server.received == []


def test_no_catalog_yet_error_text(tmp_path):
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path / "missing.json")
    assert str(caught.value) == "no RSSHub route catalog yet: run `feedstation routes update`"


def test_corrupt_cache_asks_for_an_update(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"cannot read the RSSHub route catalog .*c\.json: .*run `feedstation routes update`"):
        load_catalog(path)
