"""A local news site on 127.0.0.1 for tests: saved pages, failures, robots.txt and a feed
that grows between polls.

Paths (``SITE``): the saved pages of ``tests/data/web`` under realistic addresses, plus
``/missing`` (404), ``/broken`` (500), ``/slow`` (answers after ``slow_s``), ``/drip``
(sends its body a byte at a time), ``/huge`` (a 6 MB page, announced),
``/huge-chunked`` (the same, without Content-Length), ``/loop-a`` <-> ``/loop-b``
(redirect loop), ``/moved`` (301 to the Niamey story), ``/private/...`` (robots.txt
disallows it), ``/photo.jpg`` (not a page), ``/feed.xml`` (RSS of ``feed_items``, with an
ETag and Last-Modified; a matching conditional request gets 304) and ``/atom.xml``.

Every request is recorded (path, headers, time) in ``seen``.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import threading
import time
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

DATA = Path(__file__).resolve().parent / "data" / "web"
NIAMEY = "/world/africa/2023/07/30/niger-french-embassy-protest"
MOROCCO = "/live/2023/sep/09/morocco-earthquake-live-updates"
KARACHI = "/2023/08/22/floodwater-karachi/"
BOGOTA = "/english/bogota-health-reform-march"
BOGOTA_HEADER = "/english/bogota-latin1-header"
PAYWALL = "/business/2023/10/02/port-strike-talks"
UNDATED = "/notes/floodwater-karachi"
HUGE_BYTES = 6_000_000

SITE = {
    NIAMEY: ("news_niamey.html", "text/html; charset=utf-8"),
    MOROCCO: ("liveblog_morocco.html", "text/html; charset=UTF-8"),
    KARACHI: ("blog_karachi.html", "text/html"),
    BOGOTA: ("latin1_bogota.html", "text/html"),  # the charset only in its <meta>
    BOGOTA_HEADER: ("latin1_bogota.html", "text/html; charset=ISO-8859-1"),
    PAYWALL: ("paywall.html", "text/html; charset=utf-8"),
    "/private/leaked-memo": ("news_niamey.html", "text/html; charset=utf-8"),
    UNDATED: ("blog_karachi.html", "text/html"),  # no date in the page or its address
}
ROBOTS = "User-agent: *\nDisallow: /private/\n\nUser-agent: BadBot\nDisallow: /\n"


@dataclass
class Seen:
    at: float
    path: str
    headers: dict[str, str]


def huge_page() -> bytes:
    para = ("<p>Officials said the flooding had cut roads across the region and that more "
            "rain was expected over the coming days in the valley.</p>\n")
    body = para * (HUGE_BYTES // len(para) + 1)
    return f"<html><head><title>Huge</title></head><body>{body}</body></html>".encode()


def rss(items: list[tuple[str, str, str | None]], base: str) -> bytes:
    """An RSS 2.0 feed of (path, title, RFC 822 date or None) items, newest first."""
    parts = []
    for path, title, date in items:
        pub = f"<pubDate>{date}</pubDate>" if date else ""
        parts.append(f"<item><title>{escape(title)}</title><link>{base}{path}</link>"
                     f"<guid isPermaLink=\"true\">{base}{path}</guid>{pub}"
                     "<description>Summary only.</description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Test Wire: World</title><link>" + base + "/</link>"
            "<description>World news</description>" + "".join(parts)
            + "</channel></rss>").encode()


def atom(items: list[tuple[str, str, str | None]], base: str) -> bytes:
    entries = "".join(
        f"<entry><title>{escape(t)}</title><link href=\"{p}\"/><id>tag:test,{p}</id>"
        f"<updated>2023-09-09T10:00:00Z</updated></entry>" for p, t, _d in items)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Test Atom</title><id>tag:test,feed</id><updated>2023-09-09T10:00:00Z"
            f"</updated><link href=\"{base}/\"/>{entries}</feed>").encode()


class WebStub:
    def __init__(self, slow_s: float = 3.0) -> None:
        self.slow_s = slow_s
        self.seen: list[Seen] = []
        # the feed's items, newest first; tests append (insert at 0) to make it grow
        self.feed_items: list[tuple[str, str, str | None]] = [
            (NIAMEY, "Protesters attack French embassy in Niamey", "Sun, 30 Jul 2023 16:42:00 GMT"),
        ]
        self.feed_changed = time.time()
        self.conditional = True  # False: the feed ignores If-None-Match (a lazy server)
        self._lock = threading.Lock()
        self._huge = huge_page()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                path = urlparse(self.path).path
                with stub._lock:
                    stub.seen.append(Seen(time.monotonic(), path, dict(self.headers)))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    stub._serve(self, path)  # (else the client gave up: timeouts, size cap)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    # ---- control ----------------------------------------------------------------------

    def start(self) -> WebStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def add_item(self, path: str, title: str, date: str | None = None) -> None:
        with self._lock:
            self.feed_items.insert(0, (path, title, date))
            self.feed_changed = time.time() + 1  # a new second: Last-Modified moves on

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    # ---- serving ----------------------------------------------------------------------

    def _send(self, h, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        if length:
            h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if body:
            h.wfile.write(body)

    def _serve(self, h, path: str) -> None:
        if path == "/robots.txt":
            return self._send(h, 200, ROBOTS.encode(), "text/plain")
        if path in SITE:
            fname, ctype = SITE[path]
            return self._send(h, 200, (DATA / fname).read_bytes(), ctype)
        if path == "/missing":
            return self._send(h, 404, b"<h1>Not found</h1>")
        if path == "/broken":
            return self._send(h, 500, b"<h1>Internal error</h1>")
        if path == "/slow":
            time.sleep(self.slow_s)
            return self._send(h, 200, (DATA / "news_niamey.html").read_bytes())
        if path == "/drip":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            for _ in range(int(self.slow_s * 10)):
                h.wfile.write(b"<p>x</p>")
                h.wfile.flush()
                time.sleep(0.1)
            return None
        if path == "/huge":
            return self._send(h, 200, self._huge)
        if path == "/huge-chunked":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Connection", "close")
            h.end_headers()
            step = 256 * 1024
            for i in range(0, len(self._huge), step):
                h.wfile.write(self._huge[i:i + step])
            h.close_connection = True
            return None
        if path in ("/loop-a", "/loop-b"):
            other = "/loop-b" if path == "/loop-a" else "/loop-a"
            return self._send(h, 302, headers={"Location": other})
        if path == "/moved":
            return self._send(h, 301, headers={"Location": NIAMEY})
        if path == "/busy":
            return self._send(h, 429, b"<h1>Too many requests</h1>",
                              headers={"Retry-After": "120"})
        if path == "/cookie":
            return self._send(h, 200, (DATA / "news_niamey.html").read_bytes(),
                              headers={"Set-Cookie": "track=abc123; Path=/"})
        if path == "/photo.jpg":
            return self._send(h, 200, b"\xff\xd8\xff\xe0" + b"\0" * 100, "image/jpeg")
        if path == "/script-only":
            return self._send(h, 200, b"<html><body><div id=app></div><script>render()"
                                      b"</script></body></html>")
        if path in ("/feed.xml", "/atom.xml"):
            return self._feed(h, path)
        return self._send(h, 404, b"<h1>Not found</h1>")

    def _feed(self, h, path: str) -> None:
        with self._lock:
            items = list(self.feed_items)
            changed = self.feed_changed
        body = (rss if path == "/feed.xml" else atom)(items, self.base)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(changed, usegmt=True)
        head = {"ETag": etag, "Last-Modified": modified}
        if self.conditional and (h.headers.get("If-None-Match") == etag
                                 or (h.headers.get("If-Modified-Since") == modified
                                     and not h.headers.get("If-None-Match"))):
            return self._send(h, 304, headers=head)
        return self._send(h, 200, body, "application/rss+xml; charset=utf-8"
                          if path == "/feed.xml" else "application/atom+xml", head)
