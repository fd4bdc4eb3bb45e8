"""Loading `feedstation.yaml`: the loaded `Config`, YAML 1.2 parsing with line numbers, and the parse cache.

The model itself (pydantic sections, error explanations) is in config_model.py and is imported only when a
file is parsed. A config that loaded cleanly is kept in the parse cache (config_cache.py), and a `Config`
from there builds its pydantic parts on first use: a run that only fetches never imports pydantic or ruamel.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feedstation.errors import ConfigError
from feedstation.models import FetchSettings, SiteSettings, Source

if TYPE_CHECKING:
    from feedstation.config_model import ConfigModel
    from feedstation.filters import FilterSet
    from feedstation.publish.hexo_post import HexoOptions
    from feedstation.publish.hexo_window import HexoWindow
    from feedstation.source_tree import OpmlGraft

DEFAULT_CONFIG = "feedstation.yaml"

# The parts of a Config that are pydantic models (or built from them); see Config.__getattr__.
_MODEL_PARTS = frozenset({"model", "site", "rsshub", "fetch", "hexo", "retention", "filters"})

# (instance URL, key, key_env) for each RSSHub instance that has an access key.
InstanceKey = tuple[str, "str | None", "str | None"]


def __getattr__(name: str) -> Any:
    # The model's names, for callers that still import them from here (PEP 562: only on first use).
    if name in ("ConfigModel", "DEFAULT_USER_AGENT"):
        from feedstation import config_model

        return getattr(config_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class FetchConfig:
    """What the fetch stage reads from the config, as plain values: a `Config` from the parse cache
    fetches without building its pydantic model (issue 19 goal 5)."""

    settings: FetchSettings  # without RSSHub access keys: those are read at each run (`key_env`)
    executor: str
    instance_keys: tuple[InstanceKey, ...]
    routes: tuple[tuple[str, str | None, str | None, str | None], ...]  # rsshub.routes: path, category, site, channel
    language: str
    icons: bool
    max_age_days: int | None
    max_items_per_feed: int | None

    @classmethod
    def from_model(cls, model: ConfigModel) -> FetchConfig:
        f, rsshub = model.fetch, model.rsshub
        settings = FetchSettings(concurrency=f.concurrency, per_host=f.per_host, timeout=f.timeout,
                                 connect_timeout=min(10.0, f.timeout), read_timeout=min(15.0, f.timeout),
                                 max_bytes=f.max_bytes, retries=f.retries,
                                 allow_private_addresses=f.allow_private_addresses, user_agent=f.user_agent,
                                 rsshub_instances=tuple(rsshub.urls), rsshub_strategy=rsshub.strategy,
                                 trusted_hosts=tuple(_host(url) for url in rsshub.urls))
        routes = tuple((r, None, None, None) if isinstance(r, str) else (r.path, r.category, r.site, r.channel)
                       for r in rsshub.routes)
        return cls(settings=settings, executor=f.executor, instance_keys=rsshub.instance_keys(), routes=routes,
                   language=model.site.language, icons=model.site.icons,
                   max_age_days=model.retention.max_age_days,
                   max_items_per_feed=model.retention.max_items_per_feed)


def instance_access_keys(instances: Sequence[InstanceKey], environ: Mapping[str, str]) -> dict[str, str]:
    """Instance URL → access key, reading `key_env` variables from `environ`.

    Raises ValueError naming the variable when one is not set. `instances` holds every instance in
    config order (`(url, None, None)` for one without a key), so the message can number it.
    """
    keys: dict[str, str] = {}
    for n, (url, key, key_env) in enumerate(instances):
        if key_env:
            value = environ.get(key_env, "")
            if not value:
                raise ValueError(f"the environment variable {key_env} (key_env of instance {n + 1}, {url}) "
                                 "is not set; export it with that instance's ACCESS_KEY (in GitHub Actions: "
                                 "a repository secret passed as env)")
            keys[url] = value
        elif key:
            keys[url] = key
    return keys


class Config:
    """A loaded, validated config with paths resolved against the config file's folder.

    One from the parse cache (config_cache.py) holds the model as plain data and builds its pydantic
    parts (`model`, `site`, `rsshub`, `fetch`, `hexo`, `retention`, `filters`) on first use; the fetch
    stage reads only `fetch_config`, `sources()` and the paths, so it never builds them.
    """

    def __init__(self, path: Path, model: ConfigModel, tree_sources: list[Source | OpmlGraft],
                 filters: FilterSet | None = None):
        self.path = path
        self.base_dir = path.parent
        if filters is None:
            from feedstation.filters import FilterSet

            filters = FilterSet()
        self._set_model(model, filters)
        self.fetch_config = FetchConfig.from_model(model)
        self.output = _ResolvedOutput(self._resolve(model.output.site), self._resolve(model.output.hexo))
        self.storage: str | Path = model.storage if "://" in model.storage else self._resolve(model.storage)
        self._tree_sources = tree_sources
        self._sources: list[Source] | None = None
        # The file's name as the user gave it and each key's line: filter rules name where they are
        # (`feedstation filters test`), also when a cached Config builds them again.
        self._display_name = str(path)
        self._lines: dict[str, int] = {}
        # A digest of the bytes (and path, home, Python, code) this config was loaded from (config_cache.py);
        # None when it was not loaded from a file. The site's build stamp names the config by it: the file may
        # be edited while a run goes on, and a stamp must describe what the run read.
        self.source_key: str | None = None

    def _set_model(self, model: ConfigModel, filters: FilterSet) -> None:
        self.model = model
        self.filters = filters  # compiled once, at load
        self.site = model.site
        self.rsshub = model.rsshub
        self.fetch = model.fetch
        self.hexo = model.hexo
        self.retention = model.retention

    def __getstate__(self) -> dict[str, Any]:
        """The parse cache's copy: the model as plain data, sources not yet worked out (OPML lists and
        the route catalog are read again by each run)."""
        state = {k: v for k, v in self.__dict__.items() if k not in _MODEL_PARTS}
        state["_model_data"] = self.model.model_dump() if "model" in self.__dict__ else self._model_data
        state["_sources"] = None
        if "filters" in self.__dict__:
            state["_no_filter_rules"] = not self.filters
        return state

    def __getattr__(self, name: str) -> Any:
        # Only reached when `name` is not set: a cached Config builds its model parts on first use. The
        # data passed validation when the file was parsed, so validating it again cannot fail.
        if name == "filters" and self.__dict__.get("_no_filter_rules"):
            # A config with no filter rules needs no model to say so (a publish asks for its filters).
            from feedstation.filters.rules import FilterSet

            self.filters = FilterSet()
            return self.filters
        if name in _MODEL_PARTS and "_model_data" in self.__dict__:
            from feedstation.config_model import ConfigModel
            from feedstation.filters import build_filter_set

            model = ConfigModel.model_validate(self.__dict__["_model_data"])
            where = functools.partial(_where, self._display_name, self._lines)
            self._set_model(model, build_filter_set(model.filters, model.sources, where))
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _resolve(self, value: str | None) -> Path | None:
        if value is None:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def data_dir(self) -> Path:
        """Folder for feedstation's own files (the DB's folder for SQLite files)."""
        return self.storage.parent if isinstance(self.storage, Path) else self.base_dir

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "rsshub-routes.json"

    @property
    def lock_path(self) -> Path:
        name = self.storage.name if isinstance(self.storage, Path) else "feedstation"
        return self.data_dir / f"{name}.lock"

    @property
    def opml_cache_dir(self) -> Path:
        """Last good copies of the remote OPML lists named in `sources`."""
        return self.data_dir / "opml-lists"

    def opml_grafts(self) -> list[OpmlGraft]:
        return [item for item in self._tree_sources if not isinstance(item, Source)]

    def sources_read(self) -> bool:
        """Whether `sources()` has already read the OPML lists and the route catalog (if any) in this process."""
        return self._sources is not None

    def sources(self) -> list[Source]:
        """Every leaf: the tree and `diy` list (OPML lists expanded), plus `rsshub.routes` placed by the route catalog.

        Worked out once per loaded config (the catalog file is read once, not per stage);
        `forget_sources` makes the next call read the OPML lists again.
        """
        if self._sources is None:
            self._sources = self._place_sources()
        return list(self._sources)

    def forget_sources(self) -> None:
        self._sources = None

    def _place_sources(self) -> list[Source]:
        sources = [item for item in self._tree_sources if isinstance(item, Source)]
        if len(sources) != len(self._tree_sources):
            sources = self._expand_opml(sources)
        plain = self.fetch_config
        if plain.routes:
            from feedstation.catalog import RouteSpec, load_catalog, place_routes

            specs = [RouteSpec(path=path, category=category, site=site, channel=channel)
                     for path, category, site, channel in plain.routes]
            explicit = {s.tree for s in sources}
            placed = place_routes(specs, load_catalog(self.catalog_path), language=plain.language)
            sources += [s for s in placed if s.tree not in explicit]  # explicit tree entries win
        return sources

    def _expand_opml(self, explicit: list[Source]) -> list[Source]:
        """Config order, each OPML list's feeds in its place; explicit leaves win names and locations."""
        from feedstation.importers.opml_sources import expand_graft

        taken = {s.tree for s in explicit}
        urls = {s.url for s in explicit}
        out: list[Source] = []
        for item in self._tree_sources:
            if isinstance(item, Source):
                out.append(item)
                continue
            grafted = expand_graft(item, self.opml_cache_dir, str(self.path), taken=taken, known_urls=urls)
            taken.update(s.tree for s in grafted)
            urls.update(s.url for s in grafted)
            out += grafted
        return out

    def site_settings(self) -> SiteSettings:
        # A cached Config reads its validated `site:` values as they were kept: building the model for them cost
        # each publish 0.2 s (importing pydantic and validating every source again).
        kept = self.__dict__.get("_model_data")
        site = SimpleNamespace(**kept["site"]) if "site" not in self.__dict__ and kept is not None else self.site
        theme = str(self._resolve(site.theme)) if site.theme else None
        return SiteSettings(title=site.title, url=site.url, language=site.language, timezone=site.timezone,
                            description=site.description, page_size=site.page_size, feed_items=site.feed_items,
                            theme_dir=theme, layout=site.layout, board_items=site.board_items,
                            dedupe=site.dedupe)

    def hexo_options(self) -> HexoOptions:
        """How Hexo posts are written (`hexo:`); the defaults give the reference format."""
        from feedstation.publish.hexo_post import HexoOptions, front_matter_additions

        h = self.hexo
        return HexoOptions(disable_nunjucks=h.disable_nunjucks, date_format=h.date_format,
                           timezone=h.timezone or self.site.timezone,
                           extra_front_matter=front_matter_additions(h.theme, h.extra_front_matter))

    def hexo_window(self) -> HexoWindow | None:
        from feedstation.publish.hexo_window import HexoWindow

        keep = self.hexo.keep
        return None if keep is None else HexoWindow(posts=keep.posts, days=keep.days)

    def fetch_settings(self) -> FetchSettings:
        return replace(self.fetch_config.settings, rsshub_keys=tuple(self.rsshub_access_keys().items()))

    def rsshub_access_keys(self) -> dict[str, str]:
        """Instance URL → access key (from the config or its environment variable); ConfigError if one is unset."""
        import os

        try:
            return instance_access_keys(self.fetch_config.instance_keys, os.environ)
        except ValueError as exc:
            raise ConfigError(str(self.path), "rsshub.instances", str(exc)) from None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class _ResolvedOutput:
    def __init__(self, site: Path | None, hexo: Path | None):
        self.site = site
        self.hexo = hexo


def load_config(path: str | Path | None = None, *, without_sources: bool = False) -> Config:
    """Read and validate a config file (default `./feedstation.yaml`); raise ConfigError on any mistake.

    A file whose bytes loaded cleanly before comes from the parse cache in the data folder (config_cache.py).
    `without_sources` leaves `sources`, `diy` and `filters` unread, for a command that needs only the
    instance, fetch and storage settings (`routes update`): a mistake in the tree must not block the
    catalog download that helps fix it.
    """
    path = Path(path or DEFAULT_CONFIG)
    name = str(path)
    if not path.exists():
        hint = "run `feedstation init` to write a starter config" if path.name == DEFAULT_CONFIG else "check the path"
        raise ConfigError(name, None, f"no such config file; {hint}")
    try:
        data = path.read_bytes()
        # As read_text does: universal newlines, so line numbers and values match a text read.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(name, None, f"cannot read the file: {exc}") from exc
    from feedstation import config_cache

    resolved = path.resolve()
    cached = config_cache.load_cached(data, resolved)
    if cached is not None:
        cached._display_name = name
        cached.source_key = config_cache.key_digest(data, resolved)
        return cached
    raw, lines = _load_yaml(text, name)
    config = config_from_data(raw, resolved, lines=lines, display_name=name, without_sources=without_sources)
    config.source_key = config_cache.key_digest(data, resolved)
    if not without_sources:  # only a config read whole is one a later load may take instead of reading
        config_cache.save(data, config)
    return config


def config_from_data(raw: Any, path: Path, *, lines: dict[str, int] | None = None, display_name: str | None = None,
                     without_sources: bool = False) -> Config:
    from feedstation.config_model import validated_model
    from feedstation.filters import build_filter_set
    from feedstation.source_tree import TreeError, UnfilledRouteError, parse_diy, parse_tree

    name = display_name or str(path)
    lines = lines or {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(name, None, "the file must hold a mapping of keys (site, fetch, sources, ...)")
    model = validated_model(raw, lambda key: _where(name, lines, key))
    if without_sources:
        return Config(path, model, [])
    try:
        tree = parse_tree(model.sources, path.parent) + parse_diy(model.diy, path.parent)
        filters = build_filter_set(model.filters, model.sources, lambda key: _where(name, lines, key))
    except UnfilledRouteError as exc:
        message = _unfilled_with_example(exc, Config(path, model, []).catalog_path)
        raise ConfigError(_where(name, lines, exc.key), exc.key, message) from None
    except TreeError as exc:
        raise ConfigError(_where(name, lines, exc.key), exc.key, exc.message) from None
    _check_duplicates([s for s in tree if isinstance(s, Source)], name, lines)
    config = Config(path, model, tree, filters)
    config._display_name, config._lines = name, lines
    return config


def _unfilled_with_example(error, catalog_path: Path) -> str:
    """The leaf's message (an UnfilledRouteError's) with the route's example from the cached catalog, when
    there is one."""
    from feedstation.catalog import load_catalog, unfilled_route_message
    from feedstation.errors import CatalogError

    try:
        catalog = load_catalog(catalog_path)
    except CatalogError:
        return error.message
    return unfilled_route_message(catalog, error.path, error.unfilled)


def _check_duplicates(sources: list[Source], name: str, lines: dict[str, int]) -> None:
    seen: set[tuple[str, str, str]] = set()
    for source in sources:
        if source.tree in seen:
            key = "sources." + ".".join(source.tree)
            raise ConfigError(_where(name, lines, key), key,
                              "this category › site › channel is defined twice (tree and diy list?); names must be unique")
        seen.add(source.tree)


def _load_yaml(text: str, name: str) -> tuple[Any, dict[str, int]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")  # round-trip loader: YAML 1.2 (`yes` stays text) and line numbers for errors
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ConfigError(where, None, f"invalid YAML: {problem} (line {mark.line + 1 if mark else '?'}, column {mark.column + 1 if mark else '?'})") from None
    except YAMLError as exc:
        raise ConfigError(name, None, f"invalid YAML: {exc}") from None
    lines: dict[str, int] = {}
    return _plain(data, "", lines), lines


def _plain(node: Any, prefix: str, lines: dict[str, int]) -> Any:
    """ruamel's round-trip nodes → plain dict/list/str, recording each key's line number."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            text_key = str(key)
            dotted = f"{prefix}.{text_key}" if prefix else text_key
            try:
                lines[dotted] = node.lc.key(key)[0] + 1
            except (AttributeError, KeyError, TypeError):
                pass
            out[text_key] = _plain(value, dotted, lines)
        return out
    if isinstance(node, list):
        for index in range(len(node)):
            try:
                lines[f"{prefix}[{index}]"] = node.lc.item(index)[0] + 1
            except (AttributeError, KeyError, TypeError):
                pass
        return [_plain(v, f"{prefix}[{i}]", lines) for i, v in enumerate(node)]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def _where(name: str, lines: dict[str, int], key: str | None) -> str:
    while key:
        if key in lines:
            return f"{name}:{lines[key]}"
        key = key[: key.rindex("[")] if key.endswith("]") else key.rpartition(".")[0]
    return name


