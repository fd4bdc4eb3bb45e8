"""The fixture catalog (tests/fixtures/rsshub/namespace.json): a selection of the real RSSHub's `/api/namespace`.

No business logic. The fast catalog tests (tests/catalog, tests/importers) read this file instead of starting
Node; it is cut from the real catalog, entries verbatim, so it has the real shape (radar rules, `apiRoutes`,
`requireConfig` lists, paths without a leading slash or `''`, namespace-level categories, nsfw routes) and
only routes RSSHub really serves. tests/rsshub/test_fixture_catalog.py checks it against the real server;
after an RSSHub upgrade, regenerate it::

    python -m tests.rsshub.fixture_catalog

What the real server can never show (malformed entries, unknown categories) is made up in
tests/catalog/conftest.py, apart from this file.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rsshub" / "namespace.json"

# namespace → the route keys kept (None: all of them), in the real catalog's order.
SELECTION: dict[str, tuple[str, ...] | None] = {
    "zhihu": ("/hot/:category?", "/pin/hotlist", "/people/pins/:id", "/people/activities/:id", "/timeline", "/daily"),
    "oschina": None,
    "36kr": None,  # one route, seven names, a catch-all `/:category/:subCategory?/:keyword?`
    "juejin": ("/books", "/category/:category", "/trending/:category/:type"),
    "bilibili": ("/app/:id?", "/user/video/:uid/:embed?", "/live/room/:roomID", "/ranking/:rid?/:embed?/:redirect1?/:redirect2?",
                 "/weekly/:embed?"),
    "weibo": ("/keyword/:keyword/:routeParams?", "/search/hot/:fulltext?", "/user/:uid/:routeParams?"),
    "github": ("/file/:user/:repo/:branch/:filepath{.+}", "/issue/:user/:repo/:state?/:labels?",
               "/pull/:user/:repo/:state?/:labels?", "/trending/:since/:language/:spoken_language?"),
    "v2ex": None,
    "sspai": ("/index", "/series/:id", "/series"),
    "ithome": None,  # `/:caty` beside static routes
    "douban": ("/book/rank/:type?", "/doulist/:id", "/explore/column/:id", "/:id/discussion", "/movie/playing",
               "/movie/playing/:score"),  # a route listed once per path; one with no example or categories
    "hackernews": None,  # every segment optional
    "test": None,
    "anime1": None,  # paths without a leading slash
    "sehuatang": None,  # nsfw; a path list holding ''
    "tmtpost": ("/nictation", "/new"),  # namespace-level categories; radar as one object
    "capitalmind": None,  # routes without categories of their own
    "atptour": None,  # the `sport` category
    "bangumi.moe": None,  # a dot in the key; a `/*` wildcard
    "cneb": None,  # `/yjxx/*`
    "buaa": ("/lib/space/:path{newbook.*}",),  # a constrained parameter
}


def select(namespace_json: dict) -> dict:
    """The SELECTION cut from a real `/api/namespace` payload, every kept entry unchanged."""
    out = {}
    for key, keep in SELECTION.items():
        namespace = dict(namespace_json[key])
        routes = namespace["routes"]
        missing = set(keep or ()) - set(routes)
        if missing:
            raise KeyError(f"{key}: the real catalog has no route {sorted(missing)}; update SELECTION")
        namespace["routes"] = {k: v for k, v in routes.items() if keep is None or k in keep}
        out[key] = namespace
    return out


def render(namespace_json: dict) -> str:
    return json.dumps(select(namespace_json), ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    from tests.rsshub_server import RealRSSHub

    with tempfile.TemporaryDirectory() as work:
        server = RealRSSHub.start(Path(work))
        try:
            with urllib.request.urlopen(server.url("/api/namespace"), timeout=120) as resp:
                real = json.loads(resp.read())
        finally:
            server.stop()
    FIXTURE.write_text(render(real), encoding="utf-8")
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size:,} bytes) from the real RSSHub's /api/namespace")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
