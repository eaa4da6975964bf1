"""RSS and Atom feeds -> their entries (feedparser), from bytes we fetched ourselves.

feedparser is never given a URL: it would fetch it without our manners (geo/web/fetch.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urljoin

from geo.dates import in_range
from geo.links import safe_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml", "application/feed+json")


@dataclass(frozen=True)
class Entry:
    """One item of a feed: the page it points to and what the feed says about it."""

    key: str  # the entry's id (guid), else its link: what "seen" remembers
    link: str  # the article's page (absolute http(s))
    title: str = ""
    published: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True)
class Feed:
    url: str
    title: str
    entries: tuple[Entry, ...]


class NotAFeed(ValueError):
    """The bytes are no RSS or Atom feed."""


def looks_like_feed(content_type: str, raw: bytes) -> bool:
    """A feed by its Content-Type, or by its first element when the type is generic."""
    if content_type in FEED_TYPES[:3]:
        return True
    head = raw[:2048].lstrip().lower()
    if head.startswith(b"<!doctype html") or b"<html" in head[:512]:
        return False
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def parse(raw: bytes, url: str, content_type: str = "") -> Feed:
    """Entries with an http(s) link; relative links are resolved against the feed."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    d = feedparser.parse(raw, response_headers=headers, sanitize_html=True)
    if not d.get("version") and not d.entries:
        why = getattr(d.get("bozo_exception"), "getMessage", lambda: "")() or "no feed found"
        raise NotAFeed(f"not an RSS or Atom feed ({why})")
    entries = []
    seen = set()
    for e in d.entries:
        link = safe_url(urljoin(url, e.get("link") or "")) if e.get("link") else None
        if link is None:
            continue
        key = str(e.get("id") or link)
        if key in seen:
            continue
        seen.add(key)
        entries.append(Entry(key=key, link=link, title=" ".join((e.get("title") or "").split()),
                             published=_day(e.get("published_parsed") or e.get("updated_parsed"))))
    return Feed(url=url, title=" ".join((d.feed.get("title") or "").split()),
                entries=tuple(entries))


def _day(parsed) -> str | None:
    if not parsed:
        return None
    try:
        day = dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
    except (ValueError, AttributeError):
        return None
    return day if in_range(day) else None
