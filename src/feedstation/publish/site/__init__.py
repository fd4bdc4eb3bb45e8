"""feedstation's own static website: context → pages, feeds, search → OutputWriter; plus a local preview server."""

from feedstation.publish.site.build import MANIFEST, SiteReport, build_site
from feedstation.publish.site.serve import serve_site

__all__ = ["MANIFEST", "SiteReport", "build_site", "serve_site"]
