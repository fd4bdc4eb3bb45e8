"""`hexo:` options (issue 14.3/14.4): theme preset and extra front matter from the config; defaults byte-exact."""

from __future__ import annotations

import pytest

from feedstation.config import load_config
from feedstation.errors import ConfigError
from feedstation.publish.hexo import HexoOptions, render_post
from tests.publish.test_hexo_support import SEED_POST, load_fixture_entries, make_entry


def config_with(tmp_path, hexo: str):
    path = tmp_path / "feedstation.yaml"
    path.write_text(f"site: {{timezone: Asia/Shanghai}}\nhexo: {hexo}\nsources: {{c: {{s: {{ch: feed.xml}}}}}}\n",
                    encoding="utf-8")
    return load_config(path)


def test_default_options_are_the_reference_format(tmp_path):
    options = config_with(tmp_path, "{}").hexo_options()
    assert options == HexoOptions(timezone="Asia/Shanghai")
    assert render_post(load_fixture_entries()[0], options).encode("utf-8") == SEED_POST.read_bytes()


def test_volantis6_preset_and_extra_keys_follow_the_reference_keys(tmp_path):
    cfg = config_with(tmp_path, "{theme: volantis6, date_format: local, extra_front_matter: "
                                "{top_meta: false, sticky: 3, note: \"it's <b>\"}}")
    post = render_post(make_entry(), cfg.hexo_options())
    head = post.split("\n---\n")[1]
    assert head.split("\nthumbnail: ")[1].split("\n", 1)[1] == "title_display: true\ntop_meta: false\nsticky: 3\nnote: 'it’s ＜b>'"
    assert "\ndate: 2022-01-06 18:32:27\n" in post


@pytest.mark.parametrize("hexo,key", [
    ("{extra_front_matter: {title: x}}", "hexo.extra_front_matter"),
    ("{extra_front_matter: {'a b': x}}", "hexo.extra_front_matter"),
    ("{theme: volantis4}", "hexo.theme"),
    ("{date_format: iso}", "hexo.date_format"),
    ("{timezone: Mars/Base}", "hexo.timezone"),
    ("{keep: {posts: 0}}", "hexo.keep.posts"),
])
def test_bad_hexo_options_name_the_key(tmp_path, hexo, key):
    with pytest.raises(ConfigError) as err:
        config_with(tmp_path, hexo)
    assert key in str(err.value)
