"""Read the news where it lives: web pages, RSS/Atom feeds and a live watch of them.

  fetch.py  the polite HTTP client (user agent, per-host rate limit, robots.txt, timeouts,
            size cap, conditional requests) and its exception hierarchy
  page.py   HTML -> Article (trafilatura for the text and metadata, htmldate for the date)
  feeds.py  RSS / Atom -> entries (feedparser)
  read.py   URLs and .html files -> Articles and per-input Problems (what the CLI and the
            dashboard call)
  watch.py  poll feeds, read only new entries, keep the state in the user data folder

Everything here is an input stage: it ends in :class:`geo.models.Article` like the text
files do, and the rest of the pipeline does not know the web exists.
"""
