"""RSSHub access keys: sign a request the way RSSHub documents it, and keep the key out of every message.

RSSHub's access control (`ACCESS_KEY`) accepts `?key=<key>` or `?code=<md5(path + key)>`. feedstation sends
`code`: it is bound to one path, so the key itself never travels in a URL (proxy and server logs, redirects).
The code still opens that path, so URLs and messages are redacted before they leave the fetch stage.
"""

from __future__ import annotations

import hashlib

from yarl import URL

REDACTED = "<access key>"


def signed_url(instance: str, path: str, key: str) -> str:
    """`instance + path` with `code=md5(path as RSSHub sees it + key)` added to its query.

    RSSHub hashes the percent-encoded path it receives, without the instance's own prefix
    (a reverse proxy serving RSSHub under `/rsshub` strips it), so the hash is taken over the
    encoded path yarl will put on the wire.
    """
    base = URL(instance.rstrip("/"))
    url = URL(instance.rstrip("/") + path)
    seen = url.raw_path[len(base.raw_path.rstrip("/")):] or "/"
    code = hashlib.md5((seen + key).encode("utf-8")).hexdigest()
    return str(url.update_query(code=code))


def redact(text: str | None, secrets: tuple[str, ...]) -> str | None:
    """`text` with every secret (keys and the codes made from them) replaced by a placeholder."""
    if not text:
        return text
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def unsigned(url: str) -> str:
    """`url` without its `code`/`key` query parameters: what may be stored and shown."""
    try:
        parsed = URL(url)
    except ValueError:
        return url
    if "code" not in parsed.query and "key" not in parsed.query:
        return url
    return str(parsed.without_query_params("code", "key"))
