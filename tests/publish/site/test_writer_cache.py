"""The writer's per-folder cache (a site writes 20k files into a few hundred folders) keeps every guard."""

from __future__ import annotations

import pytest

from feedstation.errors import OutputError
from feedstation.publish.writer import OutputWriter


@pytest.mark.parametrize("bad", ["a/..", "a/.", "a/", "/x.html", "/a/y.html", "a//z.html", "a/./z.html", "a/b\\c"])
def test_a_cached_folder_does_not_let_a_bad_name_through(tmp_path, bad):
    writer = OutputWriter(tmp_path / "out")
    writer.write("a/ok.html", b"x")  # "a" and the root are now cached
    writer.write("top.html", b"x")
    with pytest.raises(OutputError, match="refused to write"):
        writer.write(bad, b"y")
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == ["a", "ok.html", "top.html"]


def test_a_folder_pruned_by_remove_is_made_again(tmp_path):
    writer = OutputWriter(tmp_path)
    writer.write("a/b/one.html", b"1")
    assert writer.remove("a/b/one.html") and not (tmp_path / "a").exists()
    assert writer.write("a/b/two.html", b"2") is True
    assert (tmp_path / "a/b/two.html").read_bytes() == b"2"


def test_temp_names_are_swept_and_new_files_follow_the_umask(tmp_path):
    import os

    writer = OutputWriter(tmp_path)
    writer.write("p.html", b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["p.html"], "no temp file is left behind"
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "p.html").stat().st_mode & 0o777 == 0o666 & ~umask, "readable by a web server, unlike mkstemp's 0600"
