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
    """`instance + path` with `code=md5(path as RSSHub sees it + key)` added to its query."""
    return str(_sign(URL(instance.rstrip("/") + path), URL(instance.rstrip("/")), key))


class InstanceSigner:
    """Signs one request to a keyed instance and every redirect hop of it that stays on the instance.

    RSSHub's own redirects (`/test/redirect` → `/test/1`, a route moved to a new path) point back at
    the instance without the code, which only opened the first path: such a target is signed for its
    own path, so the hop is not refused with 403. A target elsewhere loses any code or key of ours
    (an instance echoing its query must not hand them to another host). `secrets` is the key and
    every code made, for redaction.
    """

    def __init__(self, instance: str, key: str) -> None:
        self._base = URL(instance.rstrip("/"))
        self._key = key
        self._codes: list[str] = []

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._key, *self._codes)

    def url(self, path: str) -> str:
        """The instance's URL for `path`, signed."""
        return str(self._signed(URL(str(self._base) + path)))

    def __call__(self, target: URL) -> URL:
        """A redirect target as it may be requested."""
        if not self._on_instance(target):
            ours = [name for name in ("code", "key") if target.query.get(name) in self.secrets]
            return target.without_query_params(*ours) if ours else target
        return self._signed(target.without_query_params("code", "key"))

    def _on_instance(self, target: URL) -> bool:
        base = self._base
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            return False
        prefix = base.raw_path.rstrip("/")
        return not prefix or target.raw_path == prefix or target.raw_path.startswith(prefix + "/")

    def _signed(self, url: URL) -> URL:
        signed = _sign(url, self._base, self._key)
        self._codes.append(signed.query["code"])
        return signed


def _sign(url: URL, base: URL, key: str) -> URL:
    """RSSHub hashes the percent-encoded path it receives, without the instance's own prefix
    (a reverse proxy serving RSSHub under `/rsshub` strips it), so the hash is taken over the
    encoded path yarl will put on the wire."""
    seen = url.raw_path[len(base.raw_path.rstrip("/")):] or "/"
    code = hashlib.md5((seen + key).encode("utf-8")).hexdigest()
    return url.update_query(code=code)


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
