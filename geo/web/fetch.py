"""A polite HTTP client for news pages and feeds.

Polite because the people whose sites we read did not ask for us: every request says who we
are (:data:`USER_AGENT`), waits its turn per host (:class:`HostRateLimit`), asks robots.txt
first (RFC 9309: a 4xx robots.txt allows everything, a 5xx or unreachable one forbids
everything), gives up after a timeout and a size cap, follows at most a few redirects, and
sends ``If-None-Match`` / ``If-Modified-Since`` when it has seen the resource before.

Every failure is one precise exception, a subclass of :class:`FetchError` that also inherits
the matching builtin (``TimeoutError``, ``ConnectionError``, ``PermissionError``,
``ValueError``), like geopy's: callers catch what they can handle and report the rest with
``exc.reason``, a short sentence for the user.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import http.cookiejar
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib import robotparser
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from geo.links import safe_url

USER_AGENT = ("news-event-map/0.1 (local news-event map for analysts; reads a page only when "
              "its user asks; respects robots.txt)")
ROBOTS_AGENT = "news-event-map"  # the product token robots.txt rules name
MAX_BYTES = 5_000_000  # a news page is 50 kB-2 MB of HTML; beyond this it is not one
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
DEADLINE_S = 30.0  # a whole response, however slowly it drips
MIN_INTERVAL_S = 1.0  # between two requests to one host
MAX_REDIRECTS = 5
ROBOTS_TTL_S = 3600.0


class FetchError(Exception):
    """Base class: ``url`` could not be read; ``reason`` says why in plain words."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class BadURL(FetchError, ValueError):
    """Not an http(s) address with a host."""


class NetworkDown(FetchError, ConnectionError):
    """No network: the host name does not resolve or there is no route. Offline, every URL
    fails with this one, so the caller can say "the network is down" once."""


class Unreachable(FetchError, ConnectionError):
    """The host answered with a refusal or a reset: the site is down, not the network."""


class FetchTimeout(FetchError, TimeoutError):
    """No answer within the connect/read timeout, or the whole response took too long."""


class HTTPStatusError(FetchError):
    """The server answered 4xx or 5xx; ``status`` is the code."""

    def __init__(self, url: str, status: int, phrase: str = ""):
        super().__init__(url, f"HTTP {status}" + (f" {phrase}" if phrase else ""))
        self.status = status

    @property
    def transient(self) -> bool:
        """Worth trying again later (server errors, rate limits), unlike a 404."""
        return self.status >= 500 or self.status in (408, 429)


class RateLimited(HTTPStatusError):
    """HTTP 429 or 503 with ``Retry-After``: the site asked us to wait until ``retry_at``
    (``time.time()``). Until then every request to that host fails at once with this,
    without asking the site again."""

    def __init__(self, url: str, status: int, retry_at: float):
        super().__init__(url, status)
        self.retry_at = retry_at
        self.reason = (f"HTTP {status}: the site asked us to wait until "
                       f"{time.strftime('%H:%M', time.localtime(retry_at))}")


class TooLarge(FetchError, ValueError):
    """The body is bigger than the size cap (announced or as it arrived)."""


class TooManyRedirects(FetchError):
    """More than ``MAX_REDIRECTS`` redirects, or a redirect back to an address seen."""


class RobotsDisallowed(FetchError, PermissionError):
    """robots.txt does not let us read this address (or could not be read: RFC 9309)."""


TRANSIENT = (NetworkDown, Unreachable, FetchTimeout)  # try again later; HTTP 5xx/429 too


def is_transient(exc: FetchError) -> bool:
    return isinstance(exc, TRANSIENT) or (isinstance(exc, HTTPStatusError) and exc.transient)


@dataclass(frozen=True)
class Response:
    """What came back. ``not_modified``: a 304 to a conditional request (``body`` empty)."""

    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    not_modified: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class HostRateLimit:
    """At most one request per ``min_interval`` seconds to each host, across threads.

    A caller reserves the host's next free slot under the lock and sleeps outside it, so
    requests to other hosts are not held up."""

    def __init__(self, min_interval: float = MIN_INTERVAL_S, clock=time.monotonic,
                 sleep=time.sleep):
        self.min_interval = min_interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self, host: str) -> None:
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + self.min_interval
        if at > now:
            self._sleep(at - now)


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _cause_chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _connection_error(url: str, exc: BaseException) -> FetchError:
    """requests' ConnectionError says little; its causes say whether the network is down."""
    host = urlsplit(url).hostname or url
    for cause in _cause_chain(exc):
        if isinstance(cause, socket.gaierror):
            return NetworkDown(url, f"cannot resolve {host}: the network is down or the "
                                    "name does not exist")
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                                          errno.ENETDOWN):
            return NetworkDown(url, f"no route to {host}: the network is down")
        if isinstance(cause, ConnectionRefusedError):
            return Unreachable(url, f"connection refused by {host}")
        if isinstance(cause, ConnectionResetError):
            return Unreachable(url, f"connection reset by {host}")
        if isinstance(cause, TimeoutError | socket.timeout):
            return FetchTimeout(url, f"no answer from {host} in time")
    text = str(exc)
    if "NameResolutionError" in text or "Name or service not known" in text:
        return NetworkDown(url, f"cannot resolve {host}: the network is down or the name "
                                "does not exist")
    return Unreachable(url, f"cannot connect to {host}")


class Fetcher:
    """GET with manners. One instance per run (the CLI) or per app (the dashboard): the rate
    limit and the robots.txt cache live in it. Thread-safe."""

    def __init__(self, *, user_agent: str = USER_AGENT, min_interval: float = MIN_INTERVAL_S,
                 connect_timeout: float = CONNECT_TIMEOUT_S,
                 read_timeout: float = READ_TIMEOUT_S, deadline: float = DEADLINE_S,
                 max_bytes: int = MAX_BYTES, max_redirects: int = MAX_REDIRECTS,
                 respect_robots: bool = True):
        self.user_agent = user_agent
        self.timeout = (connect_timeout, read_timeout)
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self.limit = HostRateLimit(min_interval)
        self._robots: dict[str, tuple[float, robotparser.RobotFileParser | None, str]] = {}
        self._robots_lock = threading.Lock()
        self._local = threading.local()  # one requests.Session per thread
        self._blocked: dict[str, float] = {}  # host -> time.time() its Retry-After ends

    @classmethod
    def from_env(cls, **kw) -> Fetcher:
        """The app's client; ``NEWSMAP_FETCH_INTERVAL`` (seconds between two requests to
        one host, default 1) and ``NEWSMAP_FETCH_TIMEOUT`` (read timeout, default 15 s) are
        for your own servers and the tests, not for other people's sites."""
        for var, arg in (("NEWSMAP_FETCH_INTERVAL", "min_interval"),
                         ("NEWSMAP_FETCH_TIMEOUT", "read_timeout")):
            value = os.environ.get(var, "")
            with contextlib.suppress(ValueError):
                if value and float(value) >= 0:
                    kw.setdefault(arg, float(value))
        return cls(**kw)

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = self.user_agent
            s.trust_env = False  # no proxies or .netrc credentials picked up behind our back
            # no cookies kept or sent back: a reader, not a visitor to be followed
            s.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            self._local.session = s
        return s

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
            ) -> Response:
        """The resource at ``url`` (following redirects), or a :class:`FetchError`."""
        url = _checked(url)
        seen = {url}
        for _ in range(self.max_redirects + 1):
            with self._robots_lock:
                blocked = self._blocked.get(_host_key(url), 0.0)
            if blocked > time.time():
                raise RateLimited(url, 429, blocked)
            self._check_robots(url)
            headers = {"Accept": accept}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            resp = self._request(url, headers, self.max_bytes)
            if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                nxt = _checked(urljoin(url, resp.headers["location"]), original=url)
                if nxt in seen:
                    raise TooManyRedirects(url, f"redirect loop (back to {nxt})")
                seen.add(nxt)
                url = nxt
                continue
            if resp.status == 304:
                return Response(url, 304, resp.headers, b"", not_modified=True)
            if resp.status in (429, 503) and resp.headers.get("retry-after"):
                wait = _retry_after(resp.headers["retry-after"])
                if wait is not None:
                    retry_at = time.time() + wait
                    with self._robots_lock:
                        self._blocked[_host_key(url)] = retry_at
                    raise RateLimited(url, resp.status, retry_at)
            if resp.status >= 400:
                raise HTTPStatusError(url, resp.status, resp.headers.get("x-reason", ""))
            return resp
        raise TooManyRedirects(url, f"more than {self.max_redirects} redirects")

    def _request(self, url: str, headers: dict[str, str], cap: int) -> Response:
        """One GET, no redirects followed, body read up to ``cap`` bytes in ``deadline``."""
        self.limit.wait(_host_key(url))
        started = time.monotonic()
        try:
            r = self._session().get(url, headers=headers, timeout=self.timeout, stream=True,
                                    allow_redirects=False)
        except requests.exceptions.Timeout:
            raise FetchTimeout(url, f"no answer in {self.timeout[1]:g} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise _connection_error(url, exc) from None
        except requests.exceptions.RequestException as exc:
            raise Unreachable(url, f"request failed ({type(exc).__name__})") from None
        with r:
            head = {k.lower(): v for k, v in r.headers.items()}
            head.setdefault("x-reason", r.reason or "")
            if r.status_code >= 300:  # redirects, 304 and errors: the body is not needed
                return Response(url, r.status_code, head)
            announced = head.get("content-length", "")
            if announced.isdigit() and int(announced) > cap:
                raise TooLarge(url, f"too large ({int(announced):,} bytes; limit {cap:,})")
            chunks, size = [], 0
            try:
                for chunk in _arriving(r):
                    size += len(chunk)
                    if size > cap:
                        raise TooLarge(url, f"too large (over {cap:,} bytes; stopped reading)")
                    if time.monotonic() - started > self.deadline:
                        raise FetchTimeout(url, f"the page took over {self.deadline:g} s to "
                                                "arrive")
                    chunks.append(chunk)
            except requests.exceptions.Timeout:
                raise FetchTimeout(url, f"the page stopped arriving ({self.timeout[1]:g} s "
                                        "without data)") from None
            except requests.exceptions.RequestException as exc:
                raise Unreachable(url, f"the connection broke while reading "
                                       f"({type(exc).__name__})") from None
        return Response(url, r.status_code, head, b"".join(chunks))

    # ---- robots.txt --------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        if not self.respect_robots:
            return
        key = _host_key(url)
        with self._robots_lock:
            got = self._robots.get(key)
        if got is None or time.monotonic() - got[0] > ROBOTS_TTL_S:
            got = (time.monotonic(), *self._load_robots(key))
            with self._robots_lock:
                self._robots[key] = got
        _at, rules, why = got
        if rules is None and why:
            raise RobotsDisallowed(url, why)
        if rules is not None and not rules.can_fetch(ROBOTS_AGENT, url):
            raise RobotsDisallowed(url, "robots.txt of the site does not allow reading it")

    def _load_robots(self, key: str) -> tuple[robotparser.RobotFileParser | None, str]:
        """(rules, "") or (None, "") for allow-all or (None, why) for disallow-all."""
        robots_url = key + "/robots.txt"
        try:
            resp = self._request(robots_url, {"Accept": "text/plain"}, ROBOTS_MAX_BYTES)
            hops = 0
            while resp.status in (301, 302, 303, 307, 308) and hops < MAX_REDIRECTS:
                robots_url = _checked(urljoin(robots_url, resp.headers.get("location", "")))
                resp = self._request(robots_url, {"Accept": "text/plain"}, ROBOTS_MAX_BYTES)
                hops += 1
        except (NetworkDown, Unreachable, FetchTimeout):
            raise  # say what is really wrong, not "robots.txt"
        except (BadURL, TooLarge):
            return None, ""  # RFC 9309: an unparsable robots.txt is treated as absent
        except FetchError as exc:
            return None, f"robots.txt could not be read ({exc.reason}); not reading the site"
        if 400 <= resp.status < 500:
            return None, ""  # no robots.txt: everything is allowed
        if resp.status >= 300:
            return None, f"robots.txt could not be read (HTTP {resp.status}); not reading the site"
        rules = robotparser.RobotFileParser(robots_url)
        rules.parse(resp.body.decode("utf-8", "replace").splitlines())
        return rules, ""


def _arriving(r: requests.Response):
    """The body as it arrives: each chunk is what one read from the socket gave (urllib3's
    ``read1``), so a page that drips a few bytes at a time still meets the deadline check
    between chunks (``iter_content`` would wait to fill each 64 kB chunk)."""
    read1 = getattr(r.raw, "read1", None)
    if read1 is None:
        yield from r.iter_content(65536)
        return
    while True:
        try:
            chunk = read1(65536, decode_content=True)
        except Exception as exc:  # noqa: BLE001 - urllib3's errors, as requests maps them
            if "timed out" in str(exc).lower():
                raise requests.exceptions.Timeout(str(exc)) from exc
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        if not chunk:
            return
        yield chunk


MAX_RETRY_AFTER_S = 24 * 3600.0


def _retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), at most a day."""
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return min(max(0.0, when.timestamp() - time.time()), MAX_RETRY_AFTER_S)


def _checked(url: str, original: str | None = None) -> str:
    """``url`` without its fragment when it is http(s) with a host; else :class:`BadURL`."""
    if safe_url(url) is None:
        where = original or url
        what = f"redirected to {url!r}, " if original else ""
        raise BadURL(where, f"{what}not an http(s) address")
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))
