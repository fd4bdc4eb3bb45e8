"""Full text for summary-only feeds: fetch an item's page once, keep the article when it beats the feed's text.

`page_text.py` decodes the page's bytes (header, BOM, `<meta charset>`, else UTF-8 / GB18030),
`article.py` extracts and sanitises the article and reads the page's og:image, `step.py` is the
pipeline step: which stored items need their page, fetched through the run's Fetcher, results
stored with the items.
"""

from feedstation.full_text.step import fill_full_text

__all__ = ["fill_full_text"]
