"""`feedstation init --github-actions`: a scheduled GitHub Actions workflow that keeps the site up to date."""

from __future__ import annotations

from pathlib import Path

from feedstation.errors import FeedstationError

WORKFLOW_PATH = Path(".github/workflows/feedstation.yml")

_HEADER = """\
# Written by `feedstation init --github-actions`. Runs feedstation on a schedule and publishes
# the result. The SQLite database (your history) and the built site live in the Actions cache
# between runs: every run restores the newest copies and saves new ones, even when some feeds
# failed. With the last site restored, a run renders only the pages that changed.
name: feedstation

on:
  schedule:
    - cron: "CRON"
  workflow_dispatch: {}

# One run at a time: a scheduled run never overlaps a manual one on the same database.
concurrency:
  group: feedstation
  cancel-in-progress: false
"""

_BUILD_STEPS = """\
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install feedstation
        run: python -m pip install feedstation
      - name: Restore the database (history) and the last site
        uses: actions/cache/restore@v4
        with:
          path: |
            DB
            SITE
          key: feedstation-db-${{ github.run_id }}
          restore-keys: feedstation-db-
      - name: Fetch feeds and publish
        run: feedstation run --config CONFIG
        env:
          # For an RSSHub instance that sets ACCESS_KEY: add the repository secret RSSHUB_ACCESS_KEY
          # and list the instance as {url: ..., key_env: RSSHUB_ACCESS_KEY}. Unset secrets are empty.
          RSSHUB_ACCESS_KEY: ${{ secrets.RSSHUB_ACCESS_KEY }}
      - name: Save the database and the site
        if: always()
        uses: actions/cache/save@v4
        with:
          path: |
            DB
            SITE
          key: feedstation-db-${{ github.run_id }}
"""

_PAGES = """\
permissions:
  contents: read
  pages: write
  id-token: write

jobs:
  build:
    runs-on: ubuntu-latest
BUILD_STEPS\
      - uses: actions/configure-pages@v5
      - name: Upload the site
        uses: actions/upload-pages-artifact@v3
        with:
          path: SITE
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"""

_HEXO_BRANCH = """\
permissions:
  contents: write

jobs:
  build:
    runs-on: ubuntu-latest
BUILD_STEPS\
      - name: Commit the Hexo posts to the BRANCH branch
        run: |
          git config user.name "feedstation"
          git config user.email "feedstation@users.noreply.github.com"
          posts="$(mktemp -d)"
          cp -a HEXO/. "$posts/"
          git fetch origin BRANCH || true
          git checkout -B BRANCH "origin/BRANCH" 2>/dev/null || git checkout --orphan BRANCH
          git rm -rq --ignore-unmatch . >/dev/null
          mkdir -p HEXO && cp -a "$posts/." HEXO/
          git add HEXO
          git commit -qm "feedstation: update posts" || echo "no changes"
          git push origin BRANCH
"""


def render_workflow(*, cron: str = "17 * * * *", config: str = "feedstation.yaml", db: str = "feedstation.db",
                    site: str = "public", hexo: str = "source/_posts", hexo_branch: str | None = None) -> str:
    """The workflow text: GitHub Pages deploy by default, or Hexo posts committed to a branch."""
    body = _HEXO_BRANCH if hexo_branch else _PAGES
    text = _HEADER.replace("CRON", cron) + "\n" + body.replace("BUILD_STEPS", _BUILD_STEPS)
    replacements = {"CONFIG": config, "DB": db, "SITE": site, "HEXO": hexo, "BRANCH": hexo_branch or ""}
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


def write_github_workflow(folder: Path, *, force: bool = False, hexo_branch: str | None = None) -> Path:
    target = folder / WORKFLOW_PATH
    if target.exists() and not force:
        raise FeedstationError(f"{target} already exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_workflow(hexo_branch=hexo_branch), encoding="utf-8")
    return target
