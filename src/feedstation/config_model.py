"""The config file's model (pydantic, `extra="forbid"`): every section and key with its default, and the
text that explains a validation error. Imported only when a config is parsed, not when one comes from
the parse cache (config_cache.py), so a cached run never imports pydantic (issue 19 goal 5)."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from feedstation.config import instance_access_keys
from feedstation.errors import ConfigError

DEFAULT_USER_AGENT = "feedstation/0.1 (+https://pypi.org/project/feedstation/)"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteSection(_Section):
    """The website's identity and paging."""

    title: str = Field("feedstation", description="site title, shown in pages and output feeds")
    url: str = Field("https://example.com", description="public base URL of the site (for feeds and sitemap)")
    language: str = Field("zh-CN", description="`lang` of the pages; also picks catalog category names")
    timezone: str = Field("Asia/Shanghai", description="IANA time zone in which dates are shown")
    description: str = Field("", description="one line under the title and in output feeds")
    page_size: int = Field(50, ge=1, le=1000, description="items per list page")
    feed_items: int = Field(50, ge=1, le=1000, description="items per output feed")
    theme: str | None = Field(None, description="folder of templates that override the built-in ones by name")
    layout: Literal["board", "stream"] = Field("board", description="home page: `board` (a card of newest titles "
                                               "per channel, grouped by category) or `stream` (newest items)")
    board_items: int = Field(8, ge=1, le=50, description="titles per channel card on the board home page")
    icons: bool = Field(False, description="fetch each site's icon (apple-touch-icon / favicon of its items' home "
                                           "page) weekly through the fetcher into the data folder; the site serves "
                                           "them itself")
    dedupe: bool = Field(True, description="show a story that several feeds carry once on list pages and in the "
                                           "site and section feeds, with \"also from\" links to the other copies "
                                           "(each copy keeps its channel page and item page)")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai or UTC") from None
        return value


class RouteEntry(_Section):
    path: str
    category: str | None = None
    site: str | None = None
    channel: str | None = None


class RsshubInstance(_Section):
    """One RSSHub instance with an access key (its `ACCESS_KEY`)."""

    url: str
    key: str | None = Field(None, repr=False)  # never in a repr, so never in a log line or traceback
    key_env: str | None = None  # name of the environment variable holding the key (keeps it out of the file)


class RsshubSection(_Section):
    """RSSHub instances, tried in order, and routes placed in the tree by the catalog."""

    instances: list[str | RsshubInstance] = Field(
        default_factory=lambda: ["https://rsshub.app"],
        description="RSSHub instances tried in order for every rsshub: source; "
                    "`{url, key_env: VAR}` (or `key`) for one that sets ACCESS_KEY")
    routes: list[str | RouteEntry] = Field(default_factory=list,
                                           description="route paths placed in the tree by `feedstation routes update`'s catalog")
    strategy: Literal["failover", "spread"] = Field(
        "failover", description="`failover`: every route tries the instances in order; `spread`: each route "
                                "gets its own stable order (hashing), so the instances share the load")

    @field_validator("instances")
    @classmethod
    def _http_instances(cls, value: list[str | RsshubInstance]) -> list[str | RsshubInstance]:
        out: list[str | RsshubInstance] = []
        for entry in value:
            url = entry if isinstance(entry, str) else entry.url
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"each instance must be an http(s) URL, got {url!r}")
            if isinstance(entry, RsshubInstance):
                if entry.key and entry.key_env:
                    raise ValueError(f"instance {url}: give `key` or `key_env`, not both")
                out.append(entry.model_copy(update={"url": url.rstrip("/")}))
            else:
                out.append(url.rstrip("/"))
        return out

    @property
    def urls(self) -> list[str]:
        """The instance URLs in order (no keys)."""
        return [entry if isinstance(entry, str) else entry.url for entry in self.instances]

    def instance_keys(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """(url, key, key_env) of every instance, in config order (no key: both None)."""
        return tuple((entry, None, None) if isinstance(entry, str) else (entry.url, entry.key, entry.key_env)
                     for entry in self.instances)

    def access_keys(self, environ: dict[str, str] | None = None) -> dict[str, str]:
        """Instance URL → access key, reading `key_env` variables from `environ` (default: os.environ).

        Raises ValueError naming the variable when one is not set.
        """
        import os

        return instance_access_keys(self.instance_keys(), os.environ if environ is None else environ)


class FetchSection(_Section):
    """HTTP behaviour."""

    concurrency: int = Field(64, ge=1, le=1024, description="requests in flight at once, in all")
    per_host: int = Field(6, ge=1, le=256, description="requests in flight at once to one host")
    timeout: float = Field(20, gt=0, le=600, description="seconds a request may take in all (connect + every read)")
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="largest accepted body, counted after decompression")
    retries: int = Field(3, ge=0, le=10, description="retries of a transient failure (timeouts, 5xx, 429) within a run")
    allow_private_addresses: bool = Field(False, description="allow loopback/private addresses (off: SSRF guard)")
    user_agent: str = Field(DEFAULT_USER_AGENT, description="User-Agent header sent with every request")
    executor: Literal["local", "celery"] = Field(
        "local", description="`local`: `run`/`fetch` fetch every feed in this process; `celery`: they enqueue the "
                             "due feeds, a batch per host, for `feedstation worker` processes and wait for them")
    broker: str = Field("redis://127.0.0.1:6379/0",
                        description="with `executor: celery`: the Redis URL of the task queue (runs and workers)")
    redelivery_after: int = Field(
        300, ge=2, le=86400,
        description="with `executor: celery`: seconds after which the batch of a worker that died is given to "
                    "another worker (the Redis visibility timeout); a batch still running is never started twice")

    @field_validator("broker")
    @classmethod
    def _redis_broker(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"the broker must be a Redis URL (redis://host:6379/0, rediss://, unix://), got {value!r}")
        return value


class OutputSection(_Section):
    """Where the publishers write; set a key to null to switch that output off."""

    site: str | None = Field("public", description="folder of the static website (`feedstation build`)")
    hexo: str | None = Field(None, description="folder of Hexo posts, e.g. source/_posts (`feedstation export hexo`)")


class HexoKeep(_Section):
    """The Hexo window: newest `posts` and/or the last `days` (both limits apply when both are set)."""

    posts: int | None = Field(None, ge=1, description="export only the newest N items")
    days: int | None = Field(None, ge=1, description="export only the items published in the last D days")


_FRONT_MATTER_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")


class HexoSection(_Section):
    """Hexo export options."""

    disable_nunjucks: bool = Field(False, description="add `disableNunjucks: true` to every exported post")
    theme: Literal["volantis6"] | None = Field(
        None, description="add the front matter this theme needs (`volantis6`: `title_display: true`, else no title shows)")
    extra_front_matter: dict[str, str | int | bool] = Field(
        default_factory=dict, description="more front-matter keys for every post, e.g. `{comments_display: false}`")
    date_format: Literal["rfc822", "local"] = Field(
        "rfc822", description="`rfc822`: the reference's GMT dates; `local`: wall time in `hexo.timezone`, "
                              "read right by Hexo on a machine in any time zone")
    timezone: str | None = Field(
        None, description="time zone of `date_format: local`; must equal Hexo's own `timezone` (default: site.timezone)")
    keep: HexoKeep | None = Field(
        None, description="window `{posts: N, days: D}`: export only those; posts feedstation exported earlier "
                          "that fell out are removed (history stays in the database and the site)")
    dedupe: bool = Field(False, description="export one post per story: a story several feeds carry is exported "
                                            "from its earliest copy only (off: one post per stored item, the "
                                            "reference format)")

    @field_validator("extra_front_matter")
    @classmethod
    def _own_keys(cls, value: dict[str, str | int | bool]) -> dict[str, str | int | bool]:
        from feedstation.publish.hexo_post import RESERVED_KEYS

        for key in value:
            if not _FRONT_MATTER_KEY.match(key):
                raise ValueError(f"front-matter key {key!r} must be a plain name (letters, digits, _ and -)")
            if key in RESERVED_KEYS:
                raise ValueError(f"front-matter key {key!r} is written by the post format itself; pick another")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else SiteSection._known_zone(value)


class RetentionSection(_Section):
    """Explicit opt-in deletion; without it history is kept forever."""

    max_age_days: int | None = Field(None, ge=1, description="delete items older than this many days")
    max_items_per_feed: int | None = Field(None, ge=1, description="keep only the newest N items of each feed")


class ConfigModel(_Section):
    site: SiteSection = Field(default_factory=SiteSection)
    rsshub: RsshubSection = Field(default_factory=RsshubSection)
    fetch: FetchSection = Field(default_factory=FetchSection)
    storage: str = Field("feedstation.db", description="SQLite file (relative to the config) or a SQLAlchemy URL")
    output: OutputSection = Field(default_factory=OutputSection)
    hexo: HexoSection = Field(default_factory=HexoSection)
    retention: RetentionSection = Field(default_factory=RetentionSection)
    sources: dict[str, Any] | str | None = Field(None, description="the tree: category → site → channel → feed (or an OPML list's location)")
    diy: list[Any] | None = Field(None, description="the reference's flat list of {categories, source_parent, source_child, link}")
    filters: dict[str, Any] | None = Field(
        None, description="`{include, exclude, rewrite, fields}` rules for every feed; a category, site or "
                          "`{url, filters}` leaf in `sources` may add its own (README: Filters)")



def validated_model(raw: dict, where: Callable[[str], str]) -> ConfigModel:
    """The model of a config file's data; ConfigError naming `where(key)` (file:line), the key and the fix."""
    try:
        return ConfigModel.model_validate(raw)
    except ValidationError as exc:
        error = _most_useful(exc.errors())
        key = _dotted(error["loc"])
        raise ConfigError(where(key), key, _without_access_keys(_explain(error), raw)) from None


_UNION_MODELS = {"RouteEntry", "RsshubInstance"}  # pydantic's names for the mapping branch of `str | Model`


def _most_useful(errors: list[dict]) -> dict:
    # For `str | RouteEntry` (and `str | RsshubInstance`), pydantic reports both branches; a mapping's
    # real problem is in the model's branch, not "must be text".
    for error in errors:
        if _UNION_MODELS & set(error["loc"]) and isinstance(error.get("input"), (dict, list, str, int, float)):
            if error["type"] != "model_type":
                return error
    return errors[0]


def _without_access_keys(message: str, raw: dict) -> str:
    """A config error never repeats an RSSHub access key written in the file (`instances: [{url, key}]`)."""
    rsshub = raw.get("rsshub")
    instances = rsshub.get("instances") if isinstance(rsshub, dict) else None
    secrets: list[str] = []

    def collect(value: Any) -> None:  # a key of the wrong shape ([key], {k: key}) is still a secret
        if isinstance(value, str | int | float) and str(value).strip():
            secrets.append(str(value))
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    for entry in instances if isinstance(instances, list) else []:
        if isinstance(entry, dict):
            collect(entry.get("key"))
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "<access key>")
    return message


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "str" or part in _UNION_MODELS:
            continue  # pydantic names the union branch; users don't need it
        else:
            out += f".{part}" if out else str(part)
    return out


def _explain(error: dict) -> str:
    kind, value = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key(error["loc"])
    if kind == "missing":
        return "is required"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number, got {value!r}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number, got {value!r}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, got {value!r}"
    if kind in ("string_type",):
        return f"must be text, got {value!r}"
    if kind in ("list_type",):
        return f"must be a list, got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of keys, got {value!r}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": "at least", "greater_than": "more than",
                "less_than_equal": "at most", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()))
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"must be {word} {limit}, got {value!r}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg']}, got {value!r}"


def _unknown_key(loc: tuple) -> str:
    model: type[BaseModel] = ConfigModel
    for part in loc[:-1]:
        if part in _UNION_MODELS:
            model = RouteEntry if part == "RouteEntry" else RsshubInstance
            continue
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = field.annotation if field else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key; {hint}known keys here: {', '.join(known)}"
