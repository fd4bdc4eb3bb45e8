"""Test helper (no business logic): real Hexo sites from the npm toolsets, `hexo generate`, and parsed output.

A site is a folder with `_config.yml`, `package.json` (its dependencies are the plugins Hexo loads),
`node_modules` linked to an installed toolset (tests/npm_toolsets.py) and optionally a small theme.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.npm_toolsets import npm_toolset

# Hexo renders nothing without a theme; this one prints each post's source, date and path.
DATE_THEME = {
    "layout.ejs": "<%- body %>",
    "post.ejs": "<%= page.title %>",
    "index.ejs": "<% page.posts.each(function(p){ %><%= p.source %>|<%= p.date.toISOString() %>|<%= p.path %>\n<% }) %>",
}


def make_site(folder: Path, toolset: str, hexo_major: str, config: str, theme: dict[str, str] | None = None) -> Path:
    """A Hexo site in `folder` using the installed toolset; `theme` files go to themes/mini/layout/."""
    install = npm_toolset(toolset)
    (folder / "source" / "_posts").mkdir(parents=True)
    (folder / "node_modules").symlink_to(install / "node_modules", target_is_directory=True)
    package = json.loads((install / "package.json").read_text(encoding="utf-8"))
    package["hexo"] = {"version": hexo_major}  # hexo-cli only treats a folder with this as a site
    (folder / "package.json").write_text(json.dumps(package), encoding="utf-8")
    (folder / "_config.yml").write_text(config, encoding="utf-8")
    for name, text in (theme or {}).items():
        path = folder / "themes" / "mini" / "layout" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def hexo_command(site: Path) -> list[str]:
    return [str(site / "node_modules" / ".bin" / "hexo"), "generate"]


def hexo_env(site: Path, tz: str | None = None) -> dict[str, str]:
    # Volantis 6 runs `hexo -v` through the shell while it loads, so the toolset's bin must be on PATH.
    env = dict(os.environ, PATH=f"{site / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    if tz is not None:
        env["TZ"] = tz
    return env


def hexo_generate(site: Path, tz: str | None = None, timeout: float = 600) -> str:
    """Run `hexo generate` in `site` (machine time zone `tz`); return its output, failing with it on an error."""
    done = subprocess.run(hexo_command(site), cwd=site, capture_output=True, text=True, timeout=timeout,
                          env=hexo_env(site, tz))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for sign in ("Nunjucks Error", "Template render error", "TypeError", "ReferenceError", "ERROR "):
        assert sign not in output, output[-4000:]
    return output
