"""Links back to an event's article: which addresses may become a link, and the sources'
addresses filled in from their articles.

Pure and dependency-free, so the map, the cards and the exports can use it without the web
client (geo/web). A URL becomes a link only when it is plain http(s) with a host and no
whitespace or control characters; anything else (``javascript:``, ``data:``, a relative
path) is shown as text, never as a link.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from geo.models import Article, Event, Source

MAX_URL_CHARS = 2048


def safe_url(url: object) -> str | None:
    """``url`` when it may be a link's ``href`` (http or https, with a host), else None."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def source_record(s: Source) -> dict:
    """A source as plain JSON for exports, cards and popups: ``url`` and ``outlet`` only
    when the article came from the web (and the address is a safe link)."""
    d = {"article": s.article, "sentence": s.sentence}
    url = safe_url(s.url)
    if url:
        d["url"] = url
        d["outlet"] = s.outlet or host_of(url)
    return d


def host_of(url: str) -> str:
    """The host without ``www.``: the outlet's name when the page gives none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def attach(events: Iterable[Event], articles: Sequence[Article]) -> list[Event]:
    """The events with each source's ``url`` and ``outlet`` taken from its article.

    The extractor knows only article names; this runs after it, so the extraction cache
    and the extractor stay unaware of the web."""
    by_name = {a.name: a for a in articles if a.url}
    out = []
    for e in events:
        if by_name and any(s.article in by_name for s in e.sources):
            e = replace(e, sources=[
                replace(s, url=by_name[s.article].url, outlet=by_name[s.article].outlet)
                if s.article in by_name else s
                for s in e.sources
            ])
        out.append(e)
    return out
