"""Web pages as articles, against a real HTTP server on 127.0.0.1 (tests/web_stub.py).

Saved pages of several layouts (a news site with nav, promos, captions and related links; a
live blog; an old table layout in windows-1252; a blog whose date is only in its address; a
paywall stub), and every way a fetch fails: 404, 500, a slow answer, a dripping body, a huge
page (announced and not), a redirect loop, robots.txt, not a page, offline.
"""

from __future__ import annotations

import email.utils
import socket
import time

import pytest
from web_stub import (
    BOGOTA,
    BOGOTA_HEADER,
    DATA,
    KARACHI,
    MOROCCO,
    NIAMEY,
    PAYWALL,
    UNDATED,
)

from geo import links
from geo.mapview import card_html, source_html
from geo.models import Article, Event, Source
from geo.timeline import card
from geo.web import feeds, page, read
from geo.web.fetch import (
    USER_AGENT,
    BadURL,
    Fetcher,
    FetchError,
    FetchTimeout,
    HostRateLimit,
    HTTPStatusError,
    NetworkDown,
    RateLimited,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    Unreachable,
)


def one(got: read.Read) -> Article:
    assert not [p for p in got.problems if p.skipped], got.problems
    assert len(got.articles) == 1, got.articles
    return got.articles[0]


# ---- the text, title, date and address of each layout ------------------------------------


def test_news_page_keeps_the_story_and_drops_the_furniture(web_site, fetcher):
    a = one(read.read_url(web_site.url(NIAMEY), fetcher))
    assert a.name == "The Daily Courier: Protesters attack French embassy in Niamey after coup"
    assert a.outlet == "The Daily Courier"
    assert not a.text.startswith("Protesters attack")  # the headline is the name, not text
    assert a.text.startswith("NIAMEY, Niger — Thousands of supporters")
    assert a.text.count("\n\n") == 5  # six paragraphs, a blank line apart as in .txt files
    assert a.url == web_site.url(NIAMEY)  # the address it was read from, on that host
    assert a.date == "2023-07-30" and a.date_source == "page"  # published, not "Updated" 31st
    for kept in ("marched on the French embassy in Niamey on Sunday",
                 "Macron said France would respond",
                 "suspended budget support and security cooperation"):
        assert kept in a.text
    for furniture in ("We use cookies", "Subscribe for $1", "BREAKING", "Sign up for our Africa",
                      "Smoke rises near the French embassy",  # the photo caption
                      "Niger's coup explained", "General Tchiani declares",  # related links
                      "Cup final", "All rights reserved", "Share on Facebook", "dataLayer"):
        assert furniture not in a.text, furniture


def test_live_blog_keeps_every_post_and_its_first_date(web_site, fetcher):
    a = one(read.read_url(web_site.url(MOROCCO), fetcher))
    assert a.date == "2023-09-09"
    for post in ("at least 2,012 people had been killed", "village of Moulay Brahim",
                 "three days of national mourning", "epicentre was near the town of Ighil"):
        assert post in a.text
    assert "Residents search the rubble" not in a.text  # caption
    assert "Storm Daniel" not in a.text and "More live coverage" not in a.text


def test_blog_date_comes_from_its_address_and_comments_stay_out(web_site, fetcher):
    a = one(read.read_url(web_site.url(KARACHI), fetcher))
    assert a.date == "2023-08-22"
    assert "Heavy monsoon rain flooded large parts of Karachi" in a.text
    assert "Stay safe out there" not in a.text and "Blogroll" not in a.text


@pytest.mark.parametrize("path", [BOGOTA, BOGOTA_HEADER])
def test_windows_1252_page_is_decoded(web_site, fetcher, path):
    """Declared in its <meta> only, or as ISO-8859-1 in the header (browsers read both as
    windows-1252, whose curly quotes latin-1 lacks)."""
    a = one(read.read_url(web_site.url(path), fetcher))
    assert "centre of Bogotá on Wednesday" in a.text
    assert "“We will not let them dismantle a system that works,” said Álvaro Gómez" in a.text
    assert "government’s health reform" in a.text
    assert "\ufffd" not in a.text and "Ã" not in a.text
    assert a.date == "2023-09-14"


def test_decode_prefers_the_header_then_meta_then_utf8():
    raw = (DATA / "latin1_bogota.html").read_bytes()
    assert "Bogotá" in page.decode(raw)
    assert "Bogotá" in page.decode(raw, "iso-8859-1")
    assert page.decode("café".encode()) == "café"  # no declaration, valid UTF-8
    assert page.decode("café".encode("cp1252")) == "café"  # no declaration, not UTF-8
    assert page.decode(b"\xef\xbb\xbfcaf\xc3\xa9") == "café"  # BOM


def test_paywall_stub_is_reported_not_read(web_site, fetcher):
    got = read.read_url(web_site.url(PAYWALL), fetcher)
    assert got.articles == []
    assert "paywall" in got.problems[0].reason and got.problems[0].skipped


def test_saved_file_links_to_its_canonical_address(tmp_path):
    """An uploaded or saved page has no address of its own: its canonical one is the link."""
    got = read.read_file(DATA / "news_niamey.html")
    a = one(got)
    assert a.url == "https://dailycourier.example/world/africa/2023/07/30/niger-french-embassy-protest"
    assert a.date == "2023-07-30"


def test_a_canonical_address_on_another_host_is_not_trusted(web_site, fetcher):
    """The live blog claims atlaswire.example; read from 127.0.0.1, it links to 127.0.0.1."""
    a = one(read.read_url(web_site.url(MOROCCO), fetcher))
    assert a.url == web_site.url(MOROCCO)
    assert a.outlet == "Atlas Wire"


# ---- failures: each with its reason, the rest kept ---------------------------------------


def test_mixed_inputs_keep_the_good_and_report_each_failure(web_site, fetcher):
    items = [web_site.url(NIAMEY), web_site.url("/missing"), web_site.url("/broken"),
             web_site.url("/loop-a"), web_site.url("/private/leaked-memo"),
             web_site.url("/photo.jpg"), web_site.url("/script-only"),
             str(DATA / "liveblog_morocco.html"), str(DATA / "nope.html")]
    got = read.read_inputs(items, fetcher)
    assert sorted(a.date for a in got.articles) == ["2023-07-30", "2023-09-09"]
    reasons = {p.name.rsplit("/", 1)[-1]: p.reason for p in got.problems}
    assert reasons["missing"] == "HTTP 404 Not Found"
    assert reasons["broken"] == "HTTP 500 Internal Server Error"
    assert reasons["loop-a"].startswith("redirect loop")
    assert "robots.txt" in reasons["leaked-memo"]
    assert reasons["photo.jpg"] == "not a web page (image/jpeg)"
    assert reasons["script-only"].startswith("no article text found")
    assert reasons["nope.html"] == "no such file or directory"
    assert not got.offline


def test_slow_page_times_out(web_site, fetcher):
    t = time.monotonic()
    with pytest.raises(FetchTimeout) as exc:
        fetcher.get(web_site.url("/slow"))
    assert time.monotonic() - t < 2.0
    assert isinstance(exc.value, TimeoutError)


def test_dripping_page_meets_the_deadline(web_site, fetcher):
    """Bytes keep coming (no read timeout fires), but the whole answer has a deadline."""
    t = time.monotonic()
    with pytest.raises(FetchTimeout, match="took over"):
        fetcher.get(web_site.url("/drip"))
    assert time.monotonic() - t < fetcher.deadline + 1.0


@pytest.mark.parametrize("path", ["/huge", "/huge-chunked"])
def test_huge_page_is_capped(web_site, path):
    """Refused by its Content-Length, or cut off as it arrives when it announces none."""
    f = Fetcher(min_interval=0, max_bytes=1_000_000)
    with pytest.raises(TooLarge) as exc:
        f.get(web_site.url(path))
    assert "1,000,000" in exc.value.reason and isinstance(exc.value, ValueError)


def test_huge_page_within_a_bigger_cap_is_read(web_site):
    f = Fetcher(min_interval=0, max_bytes=7_000_000)
    assert len(f.get(web_site.url("/huge")).body) > 6_000_000


def test_redirects_are_followed_and_loops_stopped(web_site, fetcher):
    assert fetcher.get(web_site.url("/moved")).url == web_site.url(NIAMEY)
    with pytest.raises(TooManyRedirects, match="loop"):
        fetcher.get(web_site.url("/loop-a"))


def test_robots_txt_is_asked_once_per_host_and_obeyed(web_site, fetcher):
    with pytest.raises(RobotsDisallowed) as exc:
        fetcher.get(web_site.url("/private/leaked-memo"))
    assert isinstance(exc.value, PermissionError)
    fetcher.get(web_site.url(NIAMEY))
    fetcher.get(web_site.url(MOROCCO))
    assert web_site.hits("/robots.txt") == 1
    assert web_site.hits("/private/leaked-memo") == 0  # never even asked


def test_robots_can_be_switched_off_for_your_own_servers(web_site):
    f = Fetcher(min_interval=0, respect_robots=False)
    assert f.get(web_site.url("/private/leaked-memo")).status == 200
    assert web_site.hits("/robots.txt") == 0


def test_requests_say_who_we_are(web_site, fetcher):
    fetcher.get(web_site.url(NIAMEY))
    agents = {s.headers.get("User-Agent") for s in web_site.seen}
    assert agents == {USER_AGENT} and "news-event-map" in USER_AGENT


def test_retry_after_is_honoured_for_the_whole_site(web_site, fetcher):
    with pytest.raises(RateLimited) as exc:
        fetcher.get(web_site.url("/busy"))
    assert exc.value.status == 429 and exc.value.transient
    assert exc.value.retry_at == pytest.approx(time.time() + 120, abs=5)
    assert "asked us to wait until" in exc.value.reason
    with pytest.raises(RateLimited):  # the same site, another page: not even asked
        fetcher.get(web_site.url(NIAMEY))
    assert web_site.hits(NIAMEY) == 0 and web_site.hits("/busy") == 1


def test_retry_after_forms():
    from geo.web.fetch import _retry_after

    assert _retry_after("120") == 120
    assert _retry_after("99999999") == 24 * 3600
    assert _retry_after("soon") is None
    future = email.utils.formatdate(time.time() + 600, usegmt=True)
    assert _retry_after(future) == pytest.approx(600, abs=5)


def test_no_cookies_are_kept_or_sent(web_site, fetcher):
    fetcher.get(web_site.url("/cookie"))
    fetcher.get(web_site.url(NIAMEY))
    assert "Cookie" not in web_site.requests_to(NIAMEY)[-1].headers


def test_per_host_rate_limit(web_site):
    f = Fetcher(min_interval=0.3)
    for path in (NIAMEY, MOROCCO, KARACHI):
        f.get(web_site.url(path))
    times = [s.at for s in web_site.seen]  # robots.txt, then the three pages
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # requests start 0.3 s apart; the server sees them arrive give or take the machine's
    # scheduling jitter, which one gap may lose and the next regain: without the limit, all
    # four arrive within a few milliseconds
    assert times[-1] - times[0] >= 3 * 0.3 - 0.05, gaps
    assert all(g >= 0.15 for g in gaps), gaps


def test_rate_limit_is_per_host():
    slept = []
    clock = [100.0]
    limit = HostRateLimit(1.0, clock=lambda: clock[0], sleep=slept.append)
    limit.wait("http://a")
    limit.wait("http://b")  # another host: no wait
    limit.wait("http://a")  # same host at once: waits a whole interval
    assert slept == [1.0]


def test_conditional_request_gets_304(web_site, fetcher):
    first = fetcher.get(web_site.url("/feed.xml"))
    assert first.etag and first.last_modified
    again = fetcher.get(web_site.url("/feed.xml"), etag=first.etag,
                        last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    sent = web_site.requests_to("/feed.xml")[-1].headers
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified


def test_connection_refused_is_the_site_not_the_network(fetcher):
    from nominatim_stub import closed_port

    with pytest.raises(Unreachable, match="refused") as exc:
        fetcher.get(f"http://127.0.0.1:{closed_port()}/news")
    assert isinstance(exc.value, ConnectionError) and not isinstance(exc.value, NetworkDown)


def test_offline_every_url_says_the_network_is_down(monkeypatch, fetcher):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    got = read.read_inputs(["https://news.example/a", "https://other.example/feed.xml",
                            str(DATA / "news_niamey.html")], fetcher)
    assert got.offline
    assert [p.reason.split(":")[0] for p in got.problems] == ["cannot resolve news.example",
                                                             "cannot resolve other.example"]
    assert all("network is down" in p.reason for p in got.problems)
    assert len(got.articles) == 1  # the saved file is still read


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/y",
                                 "news.example/a", "http:///nohost", ""])
def test_only_http_addresses_are_fetched(bad, fetcher):
    with pytest.raises(BadURL):
        fetcher.get(bad)


def test_exceptions_are_one_family():
    for cls in (BadURL, NetworkDown, Unreachable, FetchTimeout, TooLarge, TooManyRedirects,
                RobotsDisallowed):
        assert issubclass(cls, FetchError)
    assert HTTPStatusError("u", 503).transient and not HTTPStatusError("u", 404).transient


# ---- feeds ------------------------------------------------------------------------------


def test_feed_entry_date_is_used_when_the_page_has_none(web_site, fetcher):
    web_site.add_item(UNDATED, "Floodwater in Karachi", "Tue, 22 Aug 2023 18:00:00 GMT")
    got = read.read_url(web_site.url("/feed.xml"), fetcher)
    by_url = {a.url: a for a in got.articles}
    karachi = by_url[web_site.url(UNDATED)]
    assert karachi.date == "2023-08-22" and karachi.date_source == "feed"
    assert by_url[web_site.url(NIAMEY)].date_source == "page"  # the page's own date wins


def test_atom_links_are_resolved_against_the_feed(web_site):
    raw = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
           b'<entry><id>e1</id><title>A</title><link href="/a/b"/>'
           b"<published>2023-09-09T10:00:00Z</published></entry>"
           b'<entry><id>e2</id><title>Bad</title><link href="javascript:alert(1)"/></entry>'
           b"</feed>")
    feed = feeds.parse(raw, "https://site.example/feeds/world.atom")
    assert [(e.link, e.published) for e in feed.entries] == [
        ("https://site.example/a/b", "2023-09-09")]  # the javascript: link is dropped
    assert feed.entries[0].key.endswith("e1")


def test_not_a_feed():
    with pytest.raises(feeds.NotAFeed):
        feeds.parse(b"this is not xml at all", "https://x.example/f")
    assert not feeds.looks_like_feed("text/html", b"<!DOCTYPE html><html><rss>")
    assert feeds.looks_like_feed("application/xml", b'<?xml version="1.0"?><rss version="2.0">')


# ---- the source is a link -----------------------------------------------------------------


@pytest.mark.parametrize("url,ok", [
    ("https://news.example/a?b=1#c", True), ("http://127.0.0.1:8080/x", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False), ("/relative/path", False),
    ("https://news.example/a b", False), ("https://news.example/\x00", False),
    ("https:///nohost", False), (None, False), ("https://x.example:99999/", False),
])
def test_safe_url(url, ok):
    assert (links.safe_url(url) is not None) is ok


def test_source_link_is_escaped_and_opens_safely():
    html = source_html({"article": "<b>Outlet</b>: story",
                        "url": 'https://news.example/a"onmouseover="alert(1)'})
    assert 'target="_blank" rel="noopener noreferrer"' in html
    assert '"onmouseover' not in html and "&quot;onmouseover" in html
    assert "<b>" not in html and "&lt;b&gt;Outlet" in html
    assert "href" not in source_html({"article": "x", "url": "javascript:alert(1)"})


def test_events_carry_their_articles_link_to_cards_and_exports():
    from geo import export

    art = Article(name="Wire: story", text="t", url="https://wire.example/story", outlet="Wire")
    ev = Event(id="x", date="2023-07-30", date_precision="day", status="occurred",
               category="protest", title="Protest", mention=None,
               sources=[Source("Wire: story", "People marched."), Source("seed.txt", "Also.")])
    (linked,) = links.attach([ev], [art])
    assert linked.sources[0].url == "https://wire.example/story"
    assert linked.sources[1].url is None and ev.sources[0].url is None  # a new event
    rec = export.record(linked)
    assert rec["sources"][0] == {"article": "Wire: story", "sentence": "People marched.",
                                 "url": "https://wire.example/story", "outlet": "Wire"}
    assert rec["sources"][1] == {"article": "seed.txt", "sentence": "Also."}
    assert export.csv_row(linked)["urls"] == "https://wire.example/story"
    c = card_html(card(linked))
    assert '<a class="nm-src-link" href="https://wire.example/story" target="_blank"' in c


def test_reading_a_list_of_links_reports_its_progress(web_site, fetcher):
    seen = []
    items = [web_site.url(NIAMEY), web_site.url("/missing"), web_site.url(MOROCCO)]
    got = read.read_inputs(items, fetcher, progress=lambda *a: seen.append(a))
    assert seen == [(0, 3, items[0]), (1, 3, items[1]), (2, 3, items[2]), (3, 3, "")]
    assert len(got.articles) == 2  # a failure in the middle does not stop the count
