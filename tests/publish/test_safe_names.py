"""Safe names: one harmless path segment from any text, on Linux, macOS and Windows."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedstation.publish.safe_names import FALLBACK_NAME, MAX_NAME_BYTES, safe_name, truncate_utf8

FORBIDDEN = set('/\\:*?"<>|#%')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello: world?", "Hello_ world_"),
        ("C# 12 & 100% done", "C_ 12 & 100_ done"),
        ("../../etc/x", "etc_x"),
        ("/abs/path", "abs_path"),
        ("a/b\\c", "a_b_c"),
        ("..", FALLBACK_NAME),
        (".", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        ("   ", FALLBACK_NAME),
        ("...hidden", "hidden"),
        ("__init__ and _private", "init__ and _private"),
        ("._._x", "x"),
        ("CON .txt", "CON_.txt"),
        ("trailing. . ", "trailing"),
        ("wait...what", "wait.what"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("NUL.md", "NUL_.md"),
        ("lpt9", "lpt9_"),
        ("COM¹", "COM¹_"),
        ("Console", "Console"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("zero\u200bwidth\u200c\u200djoin\ufeff", "zerowidthjoin"),
        ("tab\tand\nnewline", "tab and newline"),
        ("ctrl\x00\x07\x7f", "ctrl___"),
        ("知乎热榜", "知乎热榜"),
    ],
)
def test_safe_name_examples(text, expected):
    assert safe_name(text) == expected


def test_nfc_normalised():
    assert safe_name("e\u0301") == "\u00e9"
    assert safe_name(unicodedata.normalize("NFD", "Café")) == safe_name("Café")


def test_long_cjk_cut_on_a_character_boundary():
    name = safe_name("汉" * 300)
    assert name == "汉" * 66  # 3 bytes each: 198 <= 200 < 201
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


def test_truncate_never_splits_a_character():
    assert truncate_utf8("a汉字", 3) == "a"
    assert truncate_utf8("a汉字", 4) == "a汉"
    assert truncate_utf8("🎉🎉", 7) == "🎉"


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300))
def test_any_text_gives_one_harmless_segment(text):
    name = safe_name(text)
    assert name and name not in (".", "..")
    assert not name.startswith((".", " ", "_")) and not name.endswith((".", " "))
    assert not (FORBIDDEN & set(name))
    assert all(ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F for ch in name)
    assert not {"\u202e", "\u200b", "\u200c", "\u200d", "\ufeff"} & set(name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert unicodedata.is_normalized("NFC", name)
    assert name.split(".")[0].rstrip().lower() not in {"con", "prn", "aux", "nul"}
