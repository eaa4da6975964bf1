"""URLs, feeds and saved .html files -> Articles, with one Problem per input that failed.

What the CLI (``python -m geo extract URL... FILE.html...``) and the dashboard call. A
page that fails is reported with its reason and the others are kept; offline, every URL
fails with "the network is down" and ``Read.offline`` says so once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo.models import Article, Problem
from geo.web import feeds, page
from geo.web.fetch import Fetcher, FetchError, NetworkDown, RateLimited, is_transient

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MAX_FILE_BYTES = 5_000_000  # as fetch.MAX_BYTES: a saved page is held to the same cap
MAX_FEED_ENTRIES = 50  # pages read from one feed by ``extract`` (newest first, as listed)


@dataclass
class Read:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    offline: bool = False  # some URL failed because the network is down
    retry: bool = False  # a failure worth trying again later (timeout, 5xx, offline)
    deferred: bool = False  # the site asked us to wait (Retry-After): no one's failure

    def extend(self, other: Read) -> None:
        self.articles.extend(other.articles)
        self.problems.extend(other.problems)
        self.offline = self.offline or other.offline
        self.retry = self.retry or other.retry
        self.deferred = self.deferred or other.deferred


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def is_web_input(text: str) -> bool:
    """A URL or a saved page (by its suffix): what this module reads instead of geo.articles."""
    return is_url(text) or str(text).lower().endswith(HTML_SUFFIXES)


def split_urls(text: str) -> list[str]:
    """The URLs in pasted text: one per line or separated by spaces; duplicates once."""
    return list(dict.fromkeys(w for w in text.split() if w))


def _failed(label: str, exc: FetchError) -> Read:
    return Read(problems=[Problem(label, exc.reason)], offline=isinstance(exc, NetworkDown),
                retry=is_transient(exc), deferred=isinstance(exc, RateLimited))


def read_url(url: str, fetcher: Fetcher, *, fallback_date: str | None = None,
             follow_feeds: bool = True) -> Read:
    """One page (or, for a feed, the pages of its entries) as articles."""
    url = url.strip()
    try:
        resp = fetcher.get(url)
    except FetchError as exc:
        return _failed(url, exc)
    return read_response(url, resp, fetcher, fallback_date=fallback_date,
                         follow_feeds=follow_feeds)


def read_response(url: str, resp, fetcher: Fetcher, *, fallback_date: str | None = None,
                  follow_feeds: bool = True) -> Read:
    """What :func:`read_url` does once the response is in (the watch fetches itself)."""
    if feeds.looks_like_feed(resp.content_type, resp.body):
        if not follow_feeds:
            return Read(problems=[Problem(url, "a feed, not a page")])
        return read_feed_response(url, resp.body, resp.content_type, fetcher)
    if resp.content_type not in page.HTML_TYPES and not resp.content_type.startswith("text/"):
        return Read(problems=[Problem(url, f"not a web page ({resp.content_type})")])
    art, problems = page.to_article(resp.body, label=url, url=resp.url, charset=resp.charset,
                                    fallback_date=fallback_date)
    return Read(articles=[art] if art else [], problems=problems)


def read_feed_response(url: str, raw: bytes, content_type: str, fetcher: Fetcher,
                       limit: int = MAX_FEED_ENTRIES) -> Read:
    try:
        feed = feeds.parse(raw, url, content_type)
    except feeds.NotAFeed as exc:
        return Read(problems=[Problem(url, str(exc))])
    out = Read()
    for entry in feed.entries[:limit]:
        out.extend(read_url(entry.link, fetcher, fallback_date=entry.published,
                            follow_feeds=False))
    if len(feed.entries) > limit:
        out.problems.append(Problem(url, f"only the first {limit} of {len(feed.entries)} "
                                         "entries were read", skipped=False))
    return out


def read_file(path: str | Path) -> Read:
    """A saved page (.html / .htm)."""
    p = Path(path)
    label = p.name
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            return Read(problems=[Problem(label, f"too large ({p.stat().st_size:,} bytes; "
                                                 f"limit {MAX_FILE_BYTES:,})")])
        raw = p.read_bytes()
    except FileNotFoundError:
        return Read(problems=[Problem(str(p), "no such file or directory")])
    except OSError as exc:
        return Read(problems=[Problem(label, f"unreadable ({exc.strerror or exc})")])
    return read_bytes(label, raw)


def read_bytes(label: str, raw: bytes) -> Read:
    """An uploaded page: its own canonical URL, if it states one, becomes the link."""
    if len(raw) > MAX_FILE_BYTES:
        return Read(problems=[Problem(label, f"too large ({len(raw):,} bytes; "
                                             f"limit {MAX_FILE_BYTES:,})")])
    art, problems = page.to_article(raw, label=label)
    return Read(articles=[art] if art else [], problems=problems)


def read_inputs(items: Iterable[str], fetcher: Fetcher | None = None,
                progress: Callable[[int, int, str], object] | None = None) -> Read:
    """URLs (pages or feeds) and .html files, in order; the same article once.

    ``progress(done, total, next_item)`` is called before each item and once at the end
    (with an empty item): a polite fetch waits a second a site, so a list takes a while."""
    out = Read()
    fetcher = fetcher or Fetcher()
    items = list(items)
    for i, item in enumerate(items):
        if progress is not None:
            progress(i, len(items), item)
        out.extend(read_url(item, fetcher) if is_url(item) else read_file(item))
    if progress is not None:
        progress(len(items), len(items), "")
    out.articles = dedupe(out.articles, out.problems)
    return out


def dedupe(articles: list[Article], problems: list[Problem]) -> list[Article]:
    """One article per canonical URL (or text), and unique names ("name (2)")."""
    kept: list[Article] = []
    seen: dict[str, str] = {}
    names: set[str] = set()
    for a in articles:
        key = a.url or a.sha256
        if key in seen:
            problems.append(Problem(a.name, f"same article as {seen[key]}; read once",
                                    skipped=False))
            continue
        name, n = a.name, 2
        while name in names:
            name, n = f"{a.name} ({n})", n + 1
        if name != a.name:
            from dataclasses import replace

            a = replace(a, name=name)
        seen[key] = a.name
        names.add(a.name)
        kept.append(a)
    return kept
