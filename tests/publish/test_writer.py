"""The one writer: atomic, never outside its root, skips unchanged bytes, clear on a full disk."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from feedstation.errors import OutputError
from feedstation.publish.writer import OutputWriter


def test_writes_then_skips_identical_bytes_keeping_mtime(tmp_path):
    writer = OutputWriter(tmp_path)
    assert writer.write("a/b/index.html", b"one") is True
    before = (tmp_path / "a/b/index.html").stat().st_mtime_ns
    again = OutputWriter(tmp_path)
    assert again.write("a/b/index.html", b"one") is False
    assert again.unchanged == 1 and again.written == []
    assert (tmp_path / "a/b/index.html").stat().st_mtime_ns == before
    assert OutputWriter(tmp_path).write("a/b/index.html", b"two") is True
    assert (tmp_path / "a/b/index.html").read_bytes() == b"two"


def test_files_in_a_folder_the_writer_made_are_written_without_comparing(tmp_path, monkeypatch):
    """A folder this writer made held nothing before: its files are written straight away (a full build's
    ~100,000 failed opens), while a file in a folder that was there is still compared and kept."""
    from feedstation.publish import writer as writer_module

    compared: list[str] = []
    real = writer_module._same_bytes
    monkeypatch.setattr(writer_module, "_same_bytes",
                        lambda target, data: compared.append(target) or real(target, data))
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.html").write_bytes(b"same")
    writer = OutputWriter(tmp_path)
    assert writer.write("old/a.html", b"same") is False and writer.write("old/b.html", b"new") is True
    assert writer.write("new/deep/a.html", b"1") is True and writer.write("new/deep/b.html", b"2") is True
    assert writer.write("new/c.html", b"3") is True  # made as new/deep's parent, not by a write of its own
    assert [Path(path).relative_to(tmp_path).as_posix() for path in compared] == [
        "old/a.html", "old/b.html", "new/deep/a.html", "new/c.html"]
    written = ("new/deep/a.html", "new/deep/b.html", "new/c.html")
    assert [(tmp_path / path).read_bytes() for path in written] == [b"1", b"2", b"3"]
    assert writer.written == ["old/b.html", "new/deep/a.html", "new/deep/b.html", "new/c.html"]


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a/../../x", "", ".", "a\\..\\b"])
def test_refuses_paths_outside_the_root(tmp_path, bad):
    with pytest.raises(OutputError, match="refused to write"):
        OutputWriter(tmp_path / "out").write(bad, b"x")
    assert not (tmp_path / "escape.html").exists()


def test_a_symlink_planted_in_the_output_cannot_redirect_a_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "link").symlink_to(outside)
    with pytest.raises(OutputError, match="resolves outside"):
        OutputWriter(out).write("link/x.html", b"x")
    assert list(outside.iterdir()) == []


def test_two_writes_to_one_path_in_one_build_is_a_bug(tmp_path):
    writer = OutputWriter(tmp_path)
    writer.write("x.html", b"1")
    with pytest.raises(OutputError, match="two outputs were written to 'x.html'"):
        writer.write("x.html", b"2")


def test_temp_files_left_by_a_killed_writer_are_swept(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/.fs-abc123.tmp").write_bytes(b"half a page")
    (tmp_path / "a/keep.html").write_bytes(b"whole")
    writer = OutputWriter(tmp_path)
    assert writer.swept == 1
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["keep.html"]


def test_remove_prunes_empty_folders_but_not_the_root(tmp_path):
    writer = OutputWriter(tmp_path)
    writer.write("a/b/c.md", b"x")
    assert writer.remove("a/b/c.md") is True
    assert not (tmp_path / "a").exists() and tmp_path.exists()
    assert writer.remove("a/b/c.md") is False


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs: a real ENOSPC, not a simulated one. Needs root (CI runs as root)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs to simulate a full disk (needs root): {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root; CI runs as root")
def test_full_disk_is_a_clear_error_and_the_previous_file_is_intact(tiny_disk):
    OutputWriter(tiny_disk).write("index.html", b"old page")
    with pytest.raises(OutputError, match=r"disk full while writing .*index.html; the previous version of the file is left intact"):
        OutputWriter(tiny_disk).write("index.html", b"x" * 200_000)
    assert (tiny_disk / "index.html").read_bytes() == b"old page"
    assert [p.name for p in tiny_disk.iterdir()] == ["index.html"]  # no temp file left behind
