"""The seed post through the real sanitiser and the export: identical outside the body, only sanitiser changes inside."""

from __future__ import annotations

import re

import lxml.html

from feedstation.publish.hexo import export_hexo
from tests.publish.test_hexo_support import SAMPLE_DATE, SEED_POST, make_entry, split_seed

SEED_LINK = "https://www.zhihu.com/question/508990424"
# What the sanitiser may drop (presentation and tracking) and must add to every <img>.
DROPPABLE = re.compile(r"(data-.*|class|id|style)\Z")
IMG_FORCED = {"loading": "lazy", "referrerpolicy": "no-referrer"}


def sanitize(html: str) -> str:
    # Imported here so a missing sanitiser fails this test by name instead of the whole module.
    from feedstation.normalize.html import sanitize_html

    return sanitize_html(html, SEED_LINK)


def elements(html: str) -> list[lxml.html.HtmlElement]:
    return list(lxml.html.fragment_fromstring(html, create_parent="div").iter())


def test_seed_post_exported_from_sanitised_body(tmp_path):
    seed = SEED_POST.read_text(encoding="utf-8")
    head, body, tail = split_seed(seed)
    title = re.search(r"^title: '(.*)'$", head, re.MULTILINE).group(1).replace("''", "'")
    content = sanitize(body)
    [lead_image] = elements(content)[0].xpath("(//img/@src)[1]")
    entry = make_entry(identity=SEED_LINK, title=title, published=SAMPLE_DATE, content=content, image=lead_image)

    export_hexo([entry], tmp_path)
    [post] = tmp_path.rglob("*.md")
    out_head, out_body, out_tail = split_seed(post.read_text(encoding="utf-8"))

    # Outside the body: the reference format byte for byte (title, tree, image, date, wrapper).
    assert (out_head, out_tail) == (head, tail)

    # Inside: same elements, same text; only the sanitiser's attribute changes.
    before, after = elements(body), elements(out_body)
    assert [e.tag for e in after] == [e.tag for e in before]
    removed_any = False
    for old, new in zip(before, after):
        assert (new.text, new.tail) == (old.text, old.tail), lxml.html.tostring(old)
        removed = set(old.attrib) - set(new.attrib)
        added = {name: new.get(name) for name in set(new.attrib) - set(old.attrib)}
        assert all(DROPPABLE.match(name) for name in removed), (old.tag, removed)
        assert all(new.get(name) == old.get(name) for name in set(new.attrib) & set(old.attrib)), old.tag
        if new.tag == "img":
            assert {name: new.get(name) for name in IMG_FORCED} == IMG_FORCED
            assert added.items() <= IMG_FORCED.items(), added
        else:
            assert not added, (new.tag, added)
        removed_any = removed_any or bool(removed)
    assert removed_any  # the seed has data-pid/class/data-*: the sanitiser must have dropped them
