"""Test helper (no business logic): parse output HTML as a browser would and list anything unsafe."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from feedstation.normalize.urls import scheme_of

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "object", "embed", "form", "input", "base", "meta", "link",
    "svg", "math", "frame", "frameset", "applet", "template", "textarea", "button", "select",
}  # fmt: skip
URL_ATTRS = {"href", "src", "poster", "action", "formaction", "xlink:href", "data", "background", "srcset", "cite"}
SAFE_SCHEMES = {"http", "https", "mailto"}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp|avif)[;,]", re.IGNORECASE)
# Written here independently of normalize/styles.py: what a style attribute may hold (issue 11).
STYLE_PROPERTIES = {"text-align", "color", "background-color", "font-weight", "font-style", "text-decoration"}
IMAGE_STYLE_PROPERTIES = {"width", "height"}
STYLE_NEVER = ("url(", "expression(", "behavior", "-moz-binding", "binding", "position", "javascript", "\\",
               "/*", "@import", "image-set(", "!important", "z-index")


def style_findings(tag: str, value: str) -> list[str]:
    """What is wrong with a style attribute: a forbidden token, or a property off the allow-list."""
    lowered = value.lower()
    findings = [f"{token!r} in style on <{tag}>" for token in STYLE_NEVER if token in lowered]
    for declaration in filter(str.strip, lowered.split(";")):
        name = declaration.partition(":")[0].strip()
        allowed = STYLE_PROPERTIES | (IMAGE_STYLE_PROPERTIES if tag == "img" else set())
        if name not in allowed:
            findings.append(f"style property {name!r} on <{tag}>")
    return findings


def unsafe_findings(html: str) -> list[str]:
    """Every forbidden element, event handler, unsafe style, or non-http(s)/mailto URL in `html`."""
    findings = []
    tree = LexborHTMLParser(f"<!DOCTYPE html><html><body>{html}</body></html>")
    for node in tree.root.traverse(include_text=False):
        tag = (node.tag or "").lower()
        if tag in FORBIDDEN_TAGS:
            findings.append(f"element <{tag}>")
        for name, value in (node.attributes or {}).items():
            name = name.lower()
            if name.startswith("on"):
                findings.append(f"event handler {name} on <{tag}>")
            if name == "style" and value is not None:
                findings.extend(style_findings(tag, value))
            if name in URL_ATTRS and value is not None:
                scheme = scheme_of(value)
                if scheme == "data" and tag == "img" and name == "src" and _DATA_IMAGE.match(value.strip()):
                    continue
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    findings.append(f"{scheme}: URL in {name} on <{tag}>")
    return findings
