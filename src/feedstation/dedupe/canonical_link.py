"""One spelling per article URL: the same story under tracking parameters, mobile/AMP hosts and AMP paths."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Query parameters that say who shared or clicked a link, never which page it is.
TRACKING_PARAMS = frozenset({
    "spm", "from", "share_token", "share_source", "share_medium", "share_from", "share_plat", "sharer_shareid",
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "igsh", "twclid", "ttclid",
    "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "ref", "ref_src", "ref_url", "referrer", "scm",
    "isappinstalled", "wfr", "tt_from", "vd_source", "guccounter", "guce_referrer", "guce_referrer_sig",
    "ocid", "cmpid", "xtor", "s_cid", "ncid", "sr_share", "smid", "cmp", "feature", "amp", "ampmode",
    "outputtype", "_amp",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
# Hosts that serve the same pages as the bare domain: mobile, AMP and www spellings.
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.", "wap.")
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)", re.IGNORECASE)
_DEFAULT_PORTS = {":80", ":443"}


def canonical_link(url: str | None) -> str | None:
    """The article's URL with only what names the page: `None` for no link or a non-web one.

    http and https, `www.`/`m.`/`amp.` hosts, an `amp` path segment, a `.amp(.html)` suffix,
    tracking parameters (`utm_*`, `spm`, `from`, `share_token`, `fbclid`…), the order of the other
    parameters, a trailing slash and the fragment make no difference.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    for port in _DEFAULT_PORTS:
        if host.endswith(port):
            host = host[: -len(port)]
    stripped = True
    while stripped:  # "www.m.example.com" → "example.com"
        stripped = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host, stripped = host[len(prefix):], True
    path = "/".join(s for s in parts.path.split("/") if s and s.lower() != "amp")
    if "amp" in path or "AMP" in path:
        path = _AMP_SUFFIX.sub("", path)
    if not parts.query:
        return f"{host}/{path}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k))
    return f"{host}/{path}" + (f"?{urlencode(query)}" if query else "")


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)
