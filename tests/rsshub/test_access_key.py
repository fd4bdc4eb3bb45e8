"""An RSSHub with ACCESS_KEY (judge: RSSHub 1.0.0-master.6a664a8 on loopback): used with its key, the key never leaked."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import yaml

from feedstation.store import Store
from tests.rsshub.conftest import ACCESS_KEY
from tests.rsshub.support import run_cli, write_config

ENV = "FEEDSTATION_TEST_RSSHUB_KEY"


def _code(path: str) -> str:
    return hashlib.md5((path + ACCESS_KEY).encode()).hexdigest()


def test_without_its_key_a_keyed_instance_answers_403_with_rsshub_s_reason(rsshub_keyed, tmp_path):
    config = write_config(tmp_path, [rsshub_keyed.base], {"one": "rsshub:/test/1"})
    assert run_cli("fetch", "--config", str(config)).exit_code == 0
    with Store.open(tmp_path / "feedstation.db") as store:
        (health,) = store.health()
    assert "403 — RejectError: Authentication failed. Access denied." in health.error


def test_a_keyed_instance_is_used_and_the_key_appears_nowhere(rsshub_keyed, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "site"
    folder.mkdir()
    config = write_config(folder, [{"url": rsshub_keyed.base, "key_env": ENV}],
                          {"one": "rsshub:/test/1", "error": "rsshub:/test/error", "gone": "rsshub:/nope/x",
                           "moved": "rsshub:/test/redirect"},
                          output={"site": "public", "hexo": "source/_posts"})
    env = {ENV: ACCESS_KEY}
    update = run_cli("routes", "update", "--config", str(config), env=env)
    assert update.exit_code == 0, update.output
    data = yaml.safe_load(config.read_text())
    data["rsshub"]["routes"] = ["/test/sort"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True))
    run = run_cli("-vv", "run", "--config", str(config), env=env)
    assert run.exit_code == 0, run.output
    shown = [update.output, run.output, caplog.text]
    for command in ("status", "sources"):
        shown.append(run_cli(command, "--config", str(config), env=env).output)
    with Store.open(folder / "feedstation.db") as store:
        health = {h.channel: h for h in store.health()}
    assert health["one"].status == "ok" and health["one"].entry_count > 0
    assert health["one"].served_by == rsshub_keyed.base
    # RSSHub's 301 to /test/1 is followed with a code for the new path, not refused with 403
    assert health["moved"].status == "ok" and health["moved"].entry_count > 0, health["moved"].error
    assert "503 — Error: Error test" in health["error"].error
    assert "404 — NotFoundError" in health["gone"].error
    # RSSHub got a per-path code, never the key itself
    received = rsshub_keyed.requests()
    assert received and all("key=" not in r.query for r in received)
    assert all(r.query.endswith(f"code={_code(r.path)}") for r in received), [(r.path, r.query) for r in received]
    assert len(rsshub_keyed.requests_to("/test/1")) == 2  # asked for itself, and as the redirect's target
    assert {r.path: r.query for r in received}["/test/1"] == f"?code={_code('/test/1')}"
    assert {r.path: r.query for r in received}["/api/namespace"] == f"?code={_code('/api/namespace')}"
    secrets = [ACCESS_KEY, *(_code(r.path) for r in received)]
    for text in shown:
        for secret in secrets:
            assert secret not in text
    written = [p for p in folder.rglob("*") if p.is_file() and p.name != "feedstation.yaml"]
    assert any(p.name == "sources.opml" for p in written) and any(p.suffix == ".md" for p in written)
    for path in written:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret[:6]}… in {path.relative_to(folder)}"


def test_an_unset_key_variable_is_a_config_error_naming_it(rsshub_keyed, tmp_path):
    config = write_config(tmp_path, [{"url": rsshub_keyed.base, "key_env": ENV}], {"one": "rsshub:/test/1"})
    result = run_cli("fetch", "--config", str(config), env={ENV: ""})
    assert result.exit_code == 2
    assert f"the environment variable {ENV} (key_env of instance 1, {rsshub_keyed.base}) is not set" in result.output
    assert rsshub_keyed.requests() == []
