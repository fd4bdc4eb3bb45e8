"""The fixture catalog the fast tests read is the real RSSHub's catalog, cut (judge: RSSHub 1.0.0-master.6a664a8)."""

from __future__ import annotations

from tests.rsshub.fixture_catalog import FIXTURE, render


def test_the_fixture_catalog_is_a_verbatim_selection_of_the_real_one(real_namespace_json):
    assert FIXTURE.read_text(encoding="utf-8") == render(real_namespace_json), (
        "tests/fixtures/rsshub/namespace.json differs from the real RSSHub's catalog: "
        "regenerate it with `python -m tests.rsshub.fixture_catalog`")
