"""Hexo export: golden output, the reference format byte for byte, idempotence, collisions, path safety."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from feedstation.publish.hexo import MANIFEST_NAME, HexoReport, export_hexo, placeholder_image, render_post
from tests.publish.test_hexo_support import FIXTURES, SEED_POST, load_fixture_entries, make_entry

EXPECTED = FIXTURES / "expected"


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_golden_output(tmp_path):
    report = export_hexo(load_fixture_entries(), tmp_path)
    if os.environ.get("FEEDSTATION_UPDATE_GOLDEN") == "1":
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(tmp_path, EXPECTED, ignore=shutil.ignore_patterns(MANIFEST_NAME))
    assert report == HexoReport(written=len(load_fixture_entries()), unchanged=0, removed=0)
    assert tree_bytes(tmp_path) == tree_bytes(EXPECTED)


def test_seed_post_is_reproduced_byte_for_byte(tmp_path):
    seed = SEED_POST.read_bytes()
    entry = load_fixture_entries()[0]  # the seed's title, date, image and body
    assert render_post(entry).encode("utf-8") == seed
    export_hexo([entry], tmp_path)
    [written] = [p for p in tmp_path.rglob("*.md")]
    assert written.relative_to(tmp_path).parts[:3] == ("社交媒体", "知乎", "知乎热榜")
    assert written.read_bytes() == seed


def test_format_details():
    post = render_post(make_entry(title="a", content="<p>{x}</p>", image=None))
    assert post.startswith("\n---\ntitle: 'a'\ncategories: \n - 社交媒体\n - 知乎\n - 知乎热榜\nheadimg: 'https://picsum")
    assert "\ndate: Thu, 06 Jan 2022 10:32:27 GMT\n" in post
    assert post.endswith("\n---\n\n<div>   \n<p>&#123;x&#125;</p>  \n</div>\n            ")
    assert "disableNunjucks" not in post
    with_option = render_post(make_entry(title="a"), disable_nunjucks=True)
    assert "\nthumbnail: 'https://picsum.photos/400/300?random=" in with_option
    assert with_option.split("\n---\n")[1].endswith("\ndisableNunjucks: true")


def test_body_escapes_braces_and_strips_hexo_markers_even_with_disable_nunjucks():
    body = "{{a}}\ufffc<!--hexoPostRenderEscape:b:hexoPostRenderEscape--><hexoPost<hexoPostRenderCodeBlock>RenderCodeBlock>c"
    for flag in (False, True):
        post = render_post(make_entry(content=body), disable_nunjucks=flag)
        inner = post.split("<div>   \n", 1)[1]
        assert inner.startswith("&#123;&#123;a&#125;&#125;bc  \n")
        assert "{" not in inner and "\ufffc" not in inner and "hexoPostRender" not in inner


def test_summary_used_when_no_content():
    post = render_post(make_entry(content="", summary="<p>sum</p>"))
    assert "<div>   \n<p>sum</p>  \n</div>" in post


def test_dates_are_gmt_in_english_whatever_the_locale(monkeypatch):
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    shanghai = timezone(timedelta(hours=8))
    post = render_post(make_entry(published=datetime(2022, 1, 6, 18, 32, 27, tzinfo=shanghai)))
    assert "\ndate: Thu, 06 Jan 2022 10:32:27 GMT\n" in post


def test_placeholder_image_is_stable_and_in_range():
    entry = make_entry(identity="x")
    url = placeholder_image(entry)
    assert url == placeholder_image(make_entry(identity="x", title="other title"))
    assert url.startswith("https://picsum.photos/400/300?random=")
    assert 0 <= int(url.rsplit("=", 1)[1]) <= 10000
    numbers = {placeholder_image(make_entry(identity=str(i))) for i in range(200)}
    assert len(numbers) > 150  # spread out, not a constant


def test_second_export_rewrites_nothing(tmp_path):
    entries = load_fixture_entries()
    export_hexo(entries, tmp_path)
    before = mtimes(tmp_path)
    report = export_hexo(list(reversed(entries)), tmp_path)
    assert report == HexoReport(written=0, unchanged=len(entries), removed=0)
    assert mtimes(tmp_path) == before


def test_changed_entry_rewrites_only_its_file(tmp_path):
    entries = load_fixture_entries()
    export_hexo(entries, tmp_path)
    before = mtimes(tmp_path)
    entries[2] = make_entry(**{**entries[2].__dict__, "content": "<p>changed</p>", "content_hash": "changed"})
    report = export_hexo(entries, tmp_path)
    assert report.written == 1 and report.removed == 0
    after = mtimes(tmp_path)
    changed = {path for path in after if after[path] != before.get(path)}
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    [post_path] = [info["path"] for info in manifest["entries"].values() if info["path"].endswith("没有图片的条目.md")]
    assert changed == {post_path, MANIFEST_NAME}
    assert "<p>changed</p>" in (tmp_path / post_path).read_text(encoding="utf-8")


def test_removed_entry_loses_its_file_and_foreign_files_stay(tmp_path):
    entries = [make_entry(identity="a", title="keep"), make_entry(identity="b", title="gone")]
    export_hexo(entries, tmp_path)
    channel = tmp_path / "社交媒体" / "知乎" / "知乎热榜"
    (channel / "hand-written.md").write_text("mine", encoding="utf-8")
    report = export_hexo(entries[:1], tmp_path)
    assert report == HexoReport(written=0, unchanged=1, removed=1)
    assert sorted(p.name for p in channel.iterdir()) == ["hand-written.md", "keep.md"]
    assert (channel / "hand-written.md").read_text(encoding="utf-8") == "mine"


def test_emptied_folders_are_pruned_but_not_foreign_ones(tmp_path):
    export_hexo([make_entry(identity="a", channel="old")], tmp_path)
    export_hexo([], tmp_path)
    assert not (tmp_path / "社交媒体").exists()
    assert (tmp_path / MANIFEST_NAME).exists()


def test_foreign_file_at_the_name_is_never_overwritten(tmp_path):
    channel = tmp_path / "社交媒体" / "知乎" / "知乎热榜"
    channel.mkdir(parents=True)
    (channel / "标题.md").write_text("hand written", encoding="utf-8")
    export_hexo([make_entry(title="标题")], tmp_path)
    assert (channel / "标题.md").read_text(encoding="utf-8") == "hand written"
    [ours] = [p for p in channel.iterdir() if p.name != "标题.md"]
    assert ours.name.startswith("标题-") and ours.name.endswith(".md")


def test_lost_manifest_adopts_identical_files_instead_of_duplicating(tmp_path):
    entries = load_fixture_entries()
    export_hexo(entries, tmp_path)
    before = mtimes(tmp_path)
    (tmp_path / MANIFEST_NAME).unlink()
    report = export_hexo(entries, tmp_path)
    assert report.written == 0
    assert {k: v for k, v in mtimes(tmp_path).items() if k != MANIFEST_NAME} == {
        k: v for k, v in before.items() if k != MANIFEST_NAME
    }


def test_same_title_gives_two_files_stable_in_any_order(tmp_path):
    a, b = make_entry(identity="a", title="同名"), make_entry(identity="b", title="同名")
    export_hexo([a, b], tmp_path / "one")
    export_hexo([b, a], tmp_path / "two")
    names_one = tree_bytes(tmp_path / "one")
    assert len(names_one) == 2
    assert names_one == tree_bytes(tmp_path / "two")
    suffixed = [name for name in names_one if name.rsplit("/", 1)[1] != "同名.md"]
    assert len(suffixed) == 1 and len(suffixed[0].rsplit("-", 1)[1]) == len("01234567.md")
    # A third run with the input reversed keeps every path.
    export_hexo([b, a], tmp_path / "one")
    assert tree_bytes(tmp_path / "one") == names_one


def test_nfc_and_nfd_twins_get_two_distinct_names(tmp_path):
    nfc = make_entry(identity="nfc", title="Caf\u00e9")
    nfd = make_entry(identity="nfd", title="Cafe\u0301")
    export_hexo([nfd, nfc], tmp_path)
    names = [p.name for p in (tmp_path / "社交媒体" / "知乎" / "知乎热榜").iterdir()]
    assert len(names) == 2
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert "Caf\u00e9.md" in names


def test_case_only_twins_never_share_a_file_on_case_insensitive_disks(tmp_path):
    export_hexo([make_entry(identity="a", title="News"), make_entry(identity="b", title="news")], tmp_path)
    names = sorted(p.name.casefold() for p in (tmp_path / "社交媒体" / "知乎" / "知乎热榜").iterdir())
    assert len(set(names)) == 2


def test_entry_keeps_its_path_when_its_title_changes(tmp_path):
    export_hexo([make_entry(identity="a", title="first title")], tmp_path)
    report = export_hexo([make_entry(identity="a", title="renamed")], tmp_path)
    assert report.written == 1
    [path] = [p for p in tmp_path.rglob("*.md")]
    assert path.name == "first title.md"
    assert "title: 'renamed'" in path.read_text(encoding="utf-8")


HOSTILE = ["../../etc/x", "/abs/path", "..", ".", "CON", "NUL.md", "a/b\\c", "汉" * 300, "x\u202eyz", "\u200bzw\u200d", ""]


def test_hostile_titles_and_tree_names_stay_inside_out_dir(tmp_path):
    root = tmp_path / "out"
    entries = [
        make_entry(identity=f"{i}-{j}", title=t, category=c, site=c, channel=t)
        for i, t in enumerate(HOSTILE)
        for j, c in enumerate(HOSTILE)
    ]
    report = export_hexo(entries, root)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert report.written == len(entries) and len(files) == len(entries) + 1
    for path in files:
        assert path.resolve().is_relative_to(root.resolve())
        rel = path.relative_to(root)
        for part in rel.parts:
            assert part == MANIFEST_NAME or not part.startswith((".", "_"))  # Hexo skips those
            assert part.split(".")[0].lower() not in {"con", "nul", "prn", "aux"}
            assert len(part.encode("utf-8")) <= 203
    assert export_hexo(entries, root).written == 0


def test_tampered_manifest_cannot_remove_or_write_outside(tmp_path):
    root = tmp_path / "out"
    victim = tmp_path / "victim.md"
    victim.write_text("keep me", encoding="utf-8")
    root.mkdir()
    entry = make_entry(identity="a", title="t")
    from feedstation.publish.hexo import entry_key

    manifest = {"version": 1, "entries": {entry_key(entry): {"path": "../victim.md", "sha256": "0", "size": 1, "mtime_ns": 1},
                                          "stale": {"path": "../victim.md", "sha256": "0"}}}
    (root / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    export_hexo([entry], root)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (root / "社交媒体" / "知乎" / "知乎热榜" / "t.md").exists()


def test_corrupt_manifest_is_ignored_safely(tmp_path):
    export_hexo([make_entry(identity="a", title="t")], tmp_path)
    (tmp_path / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    report = export_hexo([make_entry(identity="a", title="t")], tmp_path)
    assert report.written == 0 and report.removed == 0
    assert json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))["version"] == 1


def test_symlinked_folder_pointing_outside_is_refused(tmp_path):
    from feedstation.errors import OutputError

    root, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (root / "社交媒体").mkdir(parents=True)
    (root / "社交媒体" / "知乎").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError):
        export_hexo([make_entry()], root)
    assert not any(outside.iterdir())
