"""Session-scoped real RSSHub servers on loopback: one open, one with ACCESS_KEY (tests/rsshub_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rsshub_server import RealRSSHub, RSSHubStartError

ACCESS_KEY = "feedstation-test-key-5b1f"


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, access_key: str | None) -> RealRSSHub:
    try:
        return RealRSSHub.start(tmp_path_factory.mktemp(name), access_key=access_key)
    except RSSHubStartError as exc:
        pytest.fail(f"the real RSSHub could not start (tests/npm/rsshub; `sh tests/setup.sh` installs it): {exc}",
                    pytrace=False)


@pytest.fixture(scope="session")
def rsshub_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealRSSHub]:
    server = _start(tmp_path_factory, "rsshub", None)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rsshub_keyed_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealRSSHub]:
    server = _start(tmp_path_factory, "rsshub-keyed", ACCESS_KEY)
    yield server
    server.stop()


@pytest.fixture
def rsshub(rsshub_session: RealRSSHub) -> RealRSSHub:
    """The open instance with its request record emptied for this test."""
    rsshub_session.clear_requests()
    return rsshub_session


@pytest.fixture
def rsshub_keyed(rsshub_keyed_session: RealRSSHub) -> RealRSSHub:
    rsshub_keyed_session.clear_requests()
    return rsshub_keyed_session


@pytest.fixture(scope="session")
def real_catalog_path(rsshub_session: RealRSSHub, tmp_path_factory: pytest.TempPathFactory):
    """The real `/api/namespace`, downloaded by `update_catalog` as `routes update` does, cached once."""
    from feedstation.catalog import update_catalog

    path = tmp_path_factory.mktemp("catalog") / "rsshub-routes.json"
    report = update_catalog([rsshub_session.base], path)
    return path, report


@pytest.fixture(scope="session")
def real_catalog(real_catalog_path):
    from feedstation.catalog import load_catalog

    return load_catalog(real_catalog_path[0])


@pytest.fixture(scope="session")
def real_namespace_json(rsshub_session: RealRSSHub) -> dict:
    """The real `/api/namespace` as RSSHub serves it (for checks on fields feedstation does not keep)."""
    import json
    import urllib.request

    with urllib.request.urlopen(rsshub_session.url("/api/namespace"), timeout=60) as resp:
        return json.loads(resp.read())
