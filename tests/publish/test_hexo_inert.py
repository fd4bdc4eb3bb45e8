"""Feed text made inert for Hexo themes (issue 14): titles, names, image URLs, bodies; ordinary text unchanged."""

from __future__ import annotations

import html
import re

import lxml.html
from selectolax.lexbor import LexborHTMLParser

from feedstation.publish.hexo import export_hexo, render_post
from feedstation.publish.hexo_inert import inert_body, inert_image_url, inert_text
from feedstation.publish.safe_names import safe_name
from tests.publish.test_hexo_support import make_entry

ORDINARY = ["知乎热榜", "Hacker News", "a > b", "a < b", "1<2", "AT&T", "Tom & Jerry", "C# 12: 100% done?", "🎉 {{ x }}"]


def test_ordinary_text_is_unchanged():
    assert [inert_text(t) for t in ORDINARY] == ORDINARY


def test_quotes_become_typographic_and_no_attribute_delimiter_is_left():
    assert inert_text("it's") == "it’s"
    assert inert_text("'quoted'") == "‘quoted’"
    assert inert_text('He said "hi"') == "He said “hi”"
    hostile = "x' onmouseover='alert(2)' y='"
    out = inert_text(hostile)
    assert "'" not in out and '"' not in out
    assert out == "x’ onmouseover=’alert(2)’ y=’"


def test_tag_openers_and_character_references_become_look_alikes():
    assert inert_text("<img src=x onerror=alert(1)>") == "＜img src=x onerror=alert(1)>"
    assert inert_text("</script><!-- <?x") == "＜/script>＜!-- ＜?x"
    assert inert_text("&lt;b&gt; &#39; &#x27; &amp &copy2024") == "＆lt;b＆gt; ＆#39; ＆#x27; ＆amp ＆copy2024"
    for value in ("&lt;b&gt;", "&#39;", "&quot;", "&amp"):
        assert html.unescape(inert_text(value)) == inert_text(value)


def test_inert_title_parses_as_one_text_node_in_every_attribute_and_text_context():
    for title in ["x' onmouseover='alert(2)' y='", 'a" onclick="alert(1)', "<img src=x onerror=alert(3)>",
                  "&#39; onmouseover=&#39;alert(4)", "</a><b>bold</b>", "&lt;script&gt;"]:
        shown = inert_text(title)
        for template in ("<a title='{}'>t</a>", '<img alt="{}">', "<h1>{}</h1>"):
            doc = lxml.html.fragment_fromstring(template.format(shown), create_parent="div")
            elements = list(doc.iter())
            assert len(elements) == 2, (template, shown)  # the wrapper and the template's own element
            element = elements[1]
            assert not [a for a in element.attrib if a.startswith("on")], (template, shown)
            assert shown in (element.get("title"), element.get("alt"), element.text), (template, shown)


def test_front_matter_carries_inert_title_names_and_image():
    post = render_post(make_entry(title="x' onmouseover='alert(2)'", category="a'b", site="<b>s</b>", channel="&lt;c",
                                  image="https://img.example/a'b\"c<d>(e).jpg?x=1&y=2"))
    assert "title: 'x’ onmouseover=’alert(2)’'" in post
    assert " - a’b\n - '＜b>s＜/b>'\n - ＆lt;c\n" in post
    assert "author: '＜b>s＜/b>'\n" in post
    assert "headimg: 'https://img.example/a%27b%22c%3Cd%3E%28e%29.jpg?x=1&y=2'" in post


def test_image_urls_keep_their_meaning_and_other_schemes_get_the_placeholder():
    assert inert_image_url("https://pic2.zhimg.com/v2-90bf_1440w.jpg") == "https://pic2.zhimg.com/v2-90bf_1440w.jpg"
    assert inert_image_url("https://x.example/?a=1&b=2&amp;c") == "https://x.example/?a=1&b=2%26amp;c"
    assert inert_image_url("data:image/png;base64,iVBORw0KGgo=") == "data:image/png;base64,iVBORw0KGgo="
    # Query strings a CDN signs: `&times`, `&para`, `&reg`, `&not` are legacy references, but an attribute
    # value (the only place themes put these URLs) decodes none of them when a letter, digit or `=` follows.
    signed = "https://cdn.example/x.jpg?w=1&timestamp=9&param=2&region=cn&not=1&copy=2&reg&amp=3&lt"
    assert inert_image_url(signed) == "https://cdn.example/x.jpg?w=1&timestamp=9&param=2&region=cn&not=1&copy=2%26reg&amp=3%26lt"
    assert inert_image_url("https://x.example/?a&#39;b&#x3C&region;c&reg;") == "https://x.example/?a%26#39;b%26#x3C&region;c%26reg;"
    for url in (signed, "https://x.example/?a&#39;b&#x3C&region;c&reg;&amp;", "https://x.example/?a&reg.b&copy"):
        # What an HTML5 parser (lexbor, as browsers) reads from `src='…'` is the URL feedstation wrote.
        written = inert_image_url(url)
        assert LexborHTMLParser(f"<img src='{written}'>").css_first("img").attributes["src"] == written
    for bad in ("javascript:alert(1)", "data:text/html,<b>", "vbscript:x", " https://x", "//x.example/a.png", ""):
        assert inert_image_url(bad) is None, bad
    post = render_post(make_entry(image="javascript:alert(1)"))
    assert "headimg: 'https://picsum.photos/400/300?random=" in post and "javascript" not in post


def test_body_stays_one_html_block_whatever_its_blank_lines():
    body = "<p>intro</p>\n\n[click me](javascript:alert(document.domain))\n \t\n<pre>a\n\nb</pre>\r\n\r\nend\n"
    out = inert_body(body)
    assert not re.search(r"\n[^\S\n]*\n", out) and not out.endswith("\n")
    # The same document to an HTML parser: &#10; is the line feed it replaced.
    assert lxml.html.fragment_fromstring(out, create_parent="div").text_content() == \
        lxml.html.fragment_fromstring(body.replace("\r\n", "\n"), create_parent="div").text_content()
    post = render_post(make_entry(content=body))
    block = post.split("<div>   \n", 1)[1]
    assert not re.search(r"\n[^\S\n]*\n", block.rsplit("\n</div>", 1)[0] + "\n</div>")


def test_a_blank_first_line_of_the_body_does_not_end_the_html_block():
    # The template's `<div>   ` line comes right before the body: a body opening with a blank line (an
    # empty item with an enclosure, a rewrite rule's output) would end the block there.
    for body in ("\n[x](javascript:alert(1))", " \t\n\n[x](javascript:alert(1))"):
        post = render_post(make_entry(content=body))
        block = post.split("\n---\n\n", 1)[1]
        assert not re.search(r"\n[^\S\n]*\n", block.rsplit("\n</div>", 1)[0]), block


def test_body_fences_and_braces_are_character_references():
    out = inert_body("```js\nalert(1)\n```\n~~~\n{x}")
    assert "```" not in out and "~~~" not in out and "{" not in out
    assert html.unescape(out) == "```js\nalert(1)\n```\n~~~\n{x}"


def test_reference_bodies_are_unchanged_but_for_braces():
    body = '<p data-pid="x">段落</p>\n<figure><img src="https://pic2.zhimg.com/a.jpg"></figure>\n<p>~ `code` ~~</p>'
    assert inert_body(body) == body


def test_file_names_have_no_apostrophe_and_an_old_name_with_one_is_replaced(tmp_path):
    assert safe_name("a'onmouseover='alert(3)'b") == "a’onmouseover=’alert(3)’b"
    # Hexo decodes character references in permalinks; only an `&` that starts one is replaced.
    assert [safe_name(n) for n in ("S&amp;ite", "&lt;b&gt;", "AT&T", "a & b")] == ["S＆amp;ite", "＆lt;b＆gt;", "AT&T", "a & b"]
    entry = make_entry(title="a'b")
    export_hexo([entry], tmp_path)
    [post] = tmp_path.rglob("*.md")
    assert post.name == "a’b.md"
    # A manifest from before the change points at "a'b.md": the next export moves the post.
    manifest = tmp_path / ".feedstation-hexo.json"
    old = post.with_name("a'b.md")
    post.rename(old)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("a’b.md", "a'b.md"), encoding="utf-8")
    report = export_hexo([entry], tmp_path)
    assert report.removed == 1 and not old.exists()
    assert [p.name for p in tmp_path.rglob("*.md")] == ["a’b.md"]
