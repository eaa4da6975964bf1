"""A saved or fetched HTML page -> one Article: main text, title, date, canonical URL, outlet.

trafilatura finds the main text and leaves menus, promos, captions and related links out;
htmldate finds the publication date (the original one, not the last update). Both were
chosen over newspaper4k and readability-lxml by measuring on saved pages
(``bench/bench_web.py``, results in bench/README.md).

Bad pages are Problems, never exceptions: not HTML, no article text, a paywall teaser only.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from dataclasses import dataclass

from geo.dates import in_range
from geo.links import host_of, safe_url
from geo.models import Article, Problem

log = logging.getLogger(__name__)

MIN_WORDS = 40  # fewer words of main text: a teaser, an index page or an error page
MAX_NAME_CHARS = 110
HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_PAYWALL = re.compile(r"\b(subscribe (now )?to (continue|keep) reading|subscribers only|"
                      r"this (article|story) is for subscribers|already a subscriber|"
                      r"to continue reading,? (please )?(subscribe|log in|sign in))\b", re.I)
_CTA = re.compile(r"\b(subscri(be|ber|bers|ption)|sign in|log in|unlimited access|"
                  r"a month|per month)\b", re.I)


@dataclass(frozen=True)
class Page:
    """What was read from one page, before it became an Article."""

    text: str
    title: str | None
    date: str | None  # YYYY-MM-DD, the page's own publication date
    url: str | None  # canonical, http(s) only
    outlet: str | None
    paywalled: bool = False


def decode(raw: bytes, charset: str | None = None) -> str:
    """HTML bytes as text: the HTTP header's charset, else a BOM, else the page's ``<meta>``
    charset, else UTF-8 if it is valid, else Windows-1252 (what browsers do for latin-1)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", "replace")
    for candidate in (charset, *_meta_charsets(raw[:4096])):
        if not candidate:
            continue
        try:
            codec = codecs.lookup(candidate.decode() if isinstance(candidate, bytes)
                                  else candidate)
        except (LookupError, UnicodeDecodeError):
            continue
        name = "cp1252" if codec.name in ("latin-1", "iso8859-1", "ascii") else codec.name
        return raw.decode(name, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _meta_charsets(head: bytes) -> list[bytes]:
    return [m.group(1) for m in _META_CHARSET.finditer(head)]


def parse(html: str, url: str | None = None) -> Page:
    """The main text and metadata of one page (trafilatura, htmldate)."""
    import htmldate
    import trafilatura

    options = dict(url=url, with_metadata=True, include_comments=False, include_tables=False,
                   include_images=False)  # deduplicate: a cache across pages, not wanted
    doc = trafilatura.bare_extraction(html, **options)
    if doc is None or len((doc.text or "").split()) < MIN_WORDS:
        # old table layouts: the balanced setting finds nothing, recall finds the story
        # with some of the menu (bench/README.md, "Reading web pages")
        doc = trafilatura.bare_extraction(html, favor_recall=True, **options) or doc
    text = (doc.text or "").strip() if doc is not None else ""
    title = (doc.title or "").strip() or None if doc is not None else None
    text = _without_headline(text, title)
    sitename = (doc.sitename or "").strip() or None if doc is not None else None
    canonical = _link(safe_url(doc.url) if doc is not None and doc.url else None, url)
    try:
        date = htmldate.find_date(html, url=canonical, original_date=True,
                                  extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a date parser's bug is no date, never a lost page
        log.warning("htmldate failed on %s", url or "a page", exc_info=True)
        date = None
    if date and not in_range(date):
        date = None
    outlet = sitename or (host_of(canonical) if canonical else None)
    paywalled = bool(_PAYWALL.search(html))
    if paywalled:  # the subscription box is not the article
        text = "\n".join(line for line in text.split("\n") if not _CTA.search(line))
    # one paragraph a line in trafilatura's text; a blank line between them, as in the .txt
    # articles, so that a standfirst without a full stop is not joined to the next paragraph
    # (the extractor rejoins hard-wrapped lines)
    text = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    return Page(text=text, title=title, date=date, url=canonical, outlet=outlet,
                paywalled=paywalled)


def _without_headline(text: str, title: str | None) -> str:
    """The body without its headline line: the title is kept apart (the article's name),
    and the extractor was built on article bodies (bench/real), where a headline's present
    tense ("Protesters attack embassy after coup") reads as one more, undated, event."""
    first, sep, rest = text.partition("\n")
    if title and sep and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.strip()
    return text


def _link(canonical: str | None, fetched: str | None) -> str | None:
    """The address the article links to: where it was read from, or the page's canonical
    address when that is on the same host (it drops tracking parameters and mobile
    prefixes). A canonical address on another host is not trusted: any page can claim to
    be another outlet's story. A saved file has only its canonical address."""
    fetched = safe_url(fetched)
    if fetched is None:
        return canonical
    if canonical and host_of(canonical) == host_of(fetched):
        return canonical
    return fetched


def article_name(page: Page, fallback: str) -> str:
    """The article's name (what filters and sources show): "outlet: title" when the page has
    both, else the host and path, else ``fallback`` (the file name)."""
    if page.title and page.outlet:
        name = f"{page.outlet}: {page.title}"
    elif page.url:
        name = page.url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    else:
        name = page.title or fallback
    name = " ".join(name.split())
    if len(name) > MAX_NAME_CHARS:
        name = name[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return name


def to_article(raw: bytes, *, label: str, url: str | None = None, charset: str | None = None,
               fallback_date: str | None = None) -> tuple[Article | None, list[Problem]]:
    """One page as an Article, or (None, [why]) when it holds no article to read.

    ``label`` names the input in problems (the URL or the file name). ``fallback_date``
    (a feed entry's published date) is used when the page states none."""
    if not raw.strip():
        return None, [Problem(label, "empty page")]
    if b"\x00" in raw[:8192]:
        return None, [Problem(label, "binary file (contains NUL bytes), not a web page")]
    html = decode(raw, charset)
    try:
        page = parse(html, url)
    except Exception as exc:  # noqa: BLE001 - one page's failure is that page's problem
        log.warning("%s: page extraction failed", label, exc_info=True)
        return None, [Problem(label, f"could not read the page ({type(exc).__name__})")]
    words = len(page.text.split())
    if words < MIN_WORDS:
        why = ("only a subscriber teaser: the article is behind a paywall" if page.paywalled
               else "no article text found on the page (an index, error or script-only page?)")
        return None, [Problem(label, f"{why} ({words} words)")]
    problems = []
    if page.paywalled:
        problems.append(Problem(label, "the page looks paywalled: only its free part was read",
                                skipped=False))
    date, source, note = page.date, "page", "publication date from the page"
    if date is None and fallback_date and in_range(fallback_date):
        date, source, note = fallback_date, "feed", "publication date from the feed entry"
    if date is None:
        source, note = "none", ""
    article = Article(
        name=article_name(page, label), text=page.text, date=date, date_source=source,
        date_note=note, sha256=hashlib.sha256(page.text.encode("utf-8")).hexdigest(),
        url=page.url or safe_url(url), outlet=page.outlet,
    )
    return article, problems
