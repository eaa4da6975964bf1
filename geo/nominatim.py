"""A small, polite client for OpenStreetMap's Nominatim, built on geopy.

* One process-wide rate limiter (:data:`SHARED_LIMITER`): every client in the process waits
  its turn, so the whole app sends at most one request per second, from any thread.
* No hidden retries: geopy's HTTP adapter is built with ``max_retries=0``, so every request
  that leaves the process went through the limiter.
* An identifying User-Agent, a realistic timeout, ``countrycodes`` and a bounded
  ``viewbox`` around the city when known, and a check that the answer is in the expected
  country (and near the expected city).
* Every failure is one precise exception, a subclass of :class:`NominatimError`, mirroring
  geopy's own hierarchy (``geopy.exc``): timeout, unavailable (refused, offline, 5xx),
  rate-limited (429), forbidden (401/403), bad response (malformed JSON), query error (400),
  no result, wrong country.
* A circuit breaker per server (:class:`CircuitBreaker`): after a few timeouts or 5xx in a
  row the client stops asking for a while, so a hanging server costs seconds, not minutes.
* ``NEWSMAP_NOMINATIM_URL`` (``http://127.0.0.1:8080`` or ``https://host/path``) points the
  client at another server: a local one for tests, or the user's own instance.

Answers must be shown with :data:`ATTRIBUTION` (ODbL).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from geopy import exc as gexc
from geopy.adapters import RequestsAdapter
from geopy.geocoders import Nominatim

from geo.gazetteer import haversine_km

log = logging.getLogger(__name__)

USER_AGENT = "news-event-map/0.1 (local analyst tool)"
ATTRIBUTION = "© OpenStreetMap contributors"
DEFAULT_DOMAIN = "nominatim.openstreetmap.org"
DEFAULT_TIMEOUT_S = 5.0
URL_ENV = "NEWSMAP_NOMINATIM_URL"
MAX_DISPLAY_NAME = 300  # characters kept of an answer's display_name
BREAKER_FAILURES = 3  # consecutive timeouts / unavailable before the client stops asking
BREAKER_COOLDOWN_S = 120.0
# Nominatim usage policy: an absolute maximum of 1 request per second. The 5% margin keeps
# requests >= 1 s apart at the server too, despite jitter in connection set-up.
MIN_INTERVAL_S = 1.05


class NominatimError(Exception):
    """Base of every failure. ``kind`` is a short machine-readable label."""

    kind = "error"

    def __init__(self, message: str = "", *, query: str = ""):
        super().__init__(message or self.kind)
        self.query = query


class NominatimTimeout(NominatimError):
    kind = "timeout"


class NominatimUnavailable(NominatimError):
    """Connection refused, no network, DNS failure, HTTP 5xx."""

    kind = "unavailable"


class NominatimPaused(NominatimUnavailable):
    """Not asked at all: the circuit breaker is open after repeated failures."""

    kind = "paused"


class NominatimConfigError(NominatimError):
    """``NEWSMAP_NOMINATIM_URL`` is not a usable http(s) URL."""

    kind = "bad-setting"


class NominatimRateLimited(NominatimError):
    """HTTP 429 (or a local queue too long to wait for)."""

    kind = "rate-limited"

    def __init__(self, message: str = "", *, query: str = "", retry_after: float | None = None):
        super().__init__(message, query=query)
        self.retry_after = retry_after


class NominatimForbidden(NominatimError):
    """HTTP 401/403: the service refuses us (blocked user agent, policy)."""

    kind = "forbidden"


class NominatimBadResponse(NominatimError):
    """The body was not the JSON Nominatim sends (or not the shape it has)."""

    kind = "bad-response"


class NominatimQueryError(NominatimError):
    """HTTP 400 and friends: the query itself was refused."""

    kind = "query-error"


class NominatimNoResult(NominatimError):
    kind = "no-result"


class NominatimWrongPlace(NominatimError):
    """A result, but in another country or too far from the city it must be in."""

    kind = "wrong-place"


#: Failures that say nothing about the query (so must never be cached as an answer).
TRANSIENT = (NominatimTimeout, NominatimUnavailable, NominatimRateLimited, NominatimForbidden,
             NominatimBadResponse)


class RateLimiter:
    """Thread-safe: successive :meth:`wait` calls return at least ``min_interval`` apart.

    Each caller reserves the next free slot under the lock, then sleeps outside it, so
    concurrent callers queue up in order instead of bursting.
    """

    def __init__(self, min_interval: float = MIN_INTERVAL_S, lock_file=None):
        self.min_interval = float(min_interval)
        self._lock = threading.Lock()
        self._next = 0.0
        # Optional: a file (or a callable giving one) that other processes of the app share,
        # so a CLI run next to the dashboard does not double the rate.
        self._lock_file = lock_file
        self._file_warned = False

    def reserve(self, max_wait: float | None = None) -> float:
        """Reserve a slot; returns how long to sleep. Raises if the wait exceeds ``max_wait``."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            delay = start - now
            if max_wait is not None and delay > max_wait:
                raise NominatimRateLimited(
                    f"local queue: next request slot in {delay:.1f} s", retry_after=delay
                )
            self._next = start + self.min_interval
        return delay

    def wait(self, max_wait: float | None = None) -> None:
        delay = self.reserve(max_wait)
        if delay > 0:
            time.sleep(delay)
        if self._lock_file is not None:
            self._wait_across_processes()

    def _wait_across_processes(self) -> None:
        """Hold an exclusive lock on the shared file while keeping the interval to the last
        request any process of the app made (the file holds its wall-clock time)."""
        try:
            import fcntl
        except ImportError:  # not on POSIX: the in-process limit still holds
            return
        try:
            path = self._lock_file() if callable(self._lock_file) else self._lock_file
            with open(path, "a+b") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                f.seek(0)
                try:
                    last = float(f.read().decode() or 0.0)
                except ValueError:
                    last = 0.0
                gap = last + self.min_interval - time.time()
                if gap > 0:
                    time.sleep(min(gap, self.min_interval))
                f.seek(0)
                f.truncate()
                f.write(repr(time.time()).encode())
                f.flush()
        except OSError as exc:
            if not self._file_warned:
                self._file_warned = True
                log.warning("cross-process rate limit file unusable (%s); "
                            "limiting this process only", exc)

    def push_back(self, seconds: float) -> None:
        """Keep every caller quiet for ``seconds`` (after a 429 with Retry-After)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


class CircuitBreaker:
    """Stop asking a failing server: after ``threshold`` consecutive timeouts/unavailable,
    every call fails fast for ``cooldown_s`` (logged once per opening); any answer from the
    server (even "no result") closes it again."""

    def __init__(self, threshold: int = BREAKER_FAILURES, cooldown_s: float = BREAKER_COOLDOWN_S,
                 name: str = "Nominatim"):
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.name = name
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0

    def check(self, query: str = "") -> None:
        """Raise :class:`NominatimPaused` while open."""
        with self._lock:
            left = self._open_until - time.monotonic()
        if left > 0:
            raise NominatimPaused(f"{self.name} not asked for another {left:.0f} s after "
                                  f"{self.threshold} failures in a row", query=query)

    def failure(self, kind: str) -> None:
        with self._lock:
            self._failures += 1
            if self._failures < self.threshold or self._open_until > time.monotonic():
                return
            self._open_until = time.monotonic() + self.cooldown_s
            self._failures = 0
        log.warning("%s: %d failures in a row (last: %s); not asking for %.0f s",
                    self.name, self.threshold, kind, self.cooldown_s)

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = 0.0


_BREAKERS: dict[str, CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(endpoint: str) -> CircuitBreaker:
    """The process-wide breaker of one server (every client of it shares what it learned)."""
    with _BREAKERS_LOCK:
        if endpoint not in _BREAKERS:
            _BREAKERS[endpoint] = CircuitBreaker(name=f"Nominatim at {endpoint}")
        return _BREAKERS[endpoint]


def endpoint_from_url(url: str) -> tuple[str, str]:
    """``http://127.0.0.1:8080/nominatim`` -> (``"http"``, ``"127.0.0.1:8080/nominatim"``),
    geopy's scheme and domain (it appends ``/search``). Raises NominatimConfigError."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise NominatimConfigError(f"{URL_ENV}={url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NominatimConfigError(f"{URL_ENV}={url!r}: want http(s)://host[:port][/path]")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise NominatimConfigError(f"{URL_ENV}={url!r}: no user, query or fragment allowed")
    path = parts.path.rstrip("/")
    if path.endswith("/search"):
        path = path[: -len("/search")]
    return parts.scheme, parts.netloc + path


def endpoint_from_env() -> tuple[str, str]:
    """(scheme, domain) from ``NEWSMAP_NOMINATIM_URL``, else the public server."""
    url = os.environ.get(URL_ENV, "").strip()
    return endpoint_from_url(url) if url else ("https", DEFAULT_DOMAIN)


def _shared_lock_file():
    from geo.paths import cache_dir

    return cache_dir() / "nominatim-rate.lock"


#: The one limiter every client uses by default: in-process, plus a lock file in the cache
#: directory shared with the app's other processes.
SHARED_LIMITER = RateLimiter(MIN_INTERVAL_S, lock_file=_shared_lock_file)


@dataclass(frozen=True)
class NominatimResult:
    lat: float
    lon: float
    display_name: str
    country_code: str | None  # ISO2 upper, from addressdetails
    osm_class: str = ""
    osm_type: str = ""  # Nominatim "type": "embassy", "city", "bridge", ...
    addresstype: str = ""
    importance: float = 0.0
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_settlement(self) -> bool:
        return (self.osm_class == "place" and self.osm_type in {
            "city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood"}) or (
            self.addresstype in {"city", "town", "village", "suburb"})

    @property
    def is_admin_area(self) -> bool:
        return self.osm_class == "boundary" or self.addresstype in {"state", "country", "region"}


def viewbox_around(lat: float, lon: float, radius_km: float = 25.0) -> tuple[tuple, tuple]:
    """A (south-west, north-east) box of about ``radius_km`` around a point."""
    dlat = radius_km / 111.32
    dlon = radius_km / (111.32 * max(0.01, math.cos(math.radians(lat))))
    return ((max(-90.0, lat - dlat), max(-180.0, lon - dlon)),
            (min(90.0, lat + dlat), min(180.0, lon + dlon)))


class NominatimClient:
    """geopy's Nominatim behind the shared limiter, with precise exceptions.

    ``domain``/``scheme`` point it elsewhere (tests use ``"127.0.0.1:PORT"``, ``"http"``);
    by default they come from ``NEWSMAP_NOMINATIM_URL``, else the public server.
    ``max_wait`` bounds how long a call may queue for its slot before giving up.
    """

    def __init__(
        self,
        domain: str | None = None,
        scheme: str | None = None,
        user_agent: str = USER_AGENT,
        timeout: float = DEFAULT_TIMEOUT_S,
        limiter: RateLimiter | None = None,
        max_wait: float | None = 30.0,
        breaker: CircuitBreaker | None = None,
    ):
        if domain is None:
            env_scheme, domain = endpoint_from_env()
            scheme = scheme or env_scheme
        scheme = scheme or "https"
        self.domain = domain
        self.timeout = timeout
        self.limiter = limiter or SHARED_LIMITER
        self.max_wait = max_wait
        self.breaker = breaker or breaker_for(f"{scheme}://{domain}")
        self._geocoder = Nominatim(
            user_agent=user_agent,
            domain=domain,
            scheme=scheme,
            timeout=timeout,
            adapter_factory=lambda proxies, ssl_context: RequestsAdapter(
                proxies=proxies, ssl_context=ssl_context, max_retries=0
            ),
        )

    def search(
        self,
        query: str,
        *,
        country_code: str | None = None,
        countries: Sequence[str] = (),
        near: tuple[float, float] | None = None,
        radius_km: float = 25.0,
        max_distance_km: float | None = None,
    ) -> NominatimResult:
        """The best match for ``query``. Raises a :class:`NominatimError` subclass otherwise.

        ``country_code`` (or, without it, any of ``countries``) restricts the search
        (``countrycodes``) and is checked on the answer; ``near`` bounds it to a viewbox of
        ``radius_km`` and, with ``max_distance_km``, rejects answers farther than that.
        """
        allowed = [country_code.upper()] if country_code else [c.upper() for c in countries]
        kwargs: dict = {"exactly_one": True, "addressdetails": True, "language": "en"}
        if allowed:
            kwargs["country_codes"] = [c.lower() for c in allowed]
        if near is not None:
            kwargs["viewbox"] = viewbox_around(near[0], near[1], radius_km)
            kwargs["bounded"] = True
        self.breaker.check(query)
        self.limiter.wait(self.max_wait)
        try:
            location = self._ask(query, kwargs)
        except (NominatimTimeout, NominatimUnavailable) as e:
            self.breaker.failure(e.kind)
            raise
        self.breaker.success()
        if location is None:
            raise NominatimNoResult(f"no result for {query!r}", query=query)
        result = self._result(location, query)
        if allowed and result.country_code not in allowed:
            where = result.country_code or "no country"
            raise NominatimWrongPlace(
                f"result {result.display_name!r} is in {where}, not {'/'.join(allowed)}",
                query=query)
        if near is not None and max_distance_km is not None:
            d = haversine_km(near[0], near[1], result.lat, result.lon)
            if d > max_distance_km:
                raise NominatimWrongPlace(
                    f"result {result.display_name!r} is {d:.0f} km from the expected place",
                    query=query)
        return result

    def _ask(self, query: str, kwargs: dict):
        """One request through geopy, its exceptions mapped to ours."""
        try:
            return self._geocoder.geocode(query, **kwargs)
        except gexc.GeocoderRateLimited as e:
            if e.retry_after:
                self.limiter.push_back(float(e.retry_after))
            raise NominatimRateLimited(str(e), query=query, retry_after=e.retry_after) from e
        except (gexc.GeocoderInsufficientPrivileges, gexc.GeocoderAuthenticationFailure) as e:
            raise NominatimForbidden(str(e), query=query) from e
        except gexc.GeocoderTimedOut as e:  # also what geopy makes of 503/504
            raise NominatimTimeout(str(e), query=query) from e
        except gexc.GeocoderUnavailable as e:
            raise NominatimUnavailable(str(e), query=query) from e
        except gexc.GeocoderParseError as e:
            raise NominatimBadResponse(str(e), query=query) from e
        except gexc.GeocoderQueryError as e:
            raise NominatimQueryError(str(e), query=query) from e
        except gexc.GeocoderServiceError as e:  # other HTTP errors, 500 and 502 among them
            raise NominatimUnavailable(str(e), query=query) from e
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:  # odd JSON
            raise NominatimBadResponse(f"unexpected response: {e}", query=query) from e

    @staticmethod
    def _result(location, query: str) -> NominatimResult:
        raw = location.raw if isinstance(getattr(location, "raw", None), dict) else {}
        try:
            lat, lon = float(location.latitude), float(location.longitude)
        except (TypeError, ValueError) as e:
            raise NominatimBadResponse(f"result without coordinates: {e}", query=query) from e
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
                and -180 <= lon <= 180):
            raise NominatimBadResponse(f"coordinates out of range: {lat}, {lon}", query=query)
        address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
        cc = address.get("country_code")
        try:
            importance = float(raw.get("importance") or 0.0)
        except (TypeError, ValueError):
            importance = 0.0
        name = raw.get("display_name") or location.address or query
        name = name if isinstance(name, str) else query
        if len(name) > MAX_DISPLAY_NAME:
            name = name[: MAX_DISPLAY_NAME - 1] + "…"
        return NominatimResult(
            lat=lat,
            lon=lon,
            display_name=name,
            country_code=cc.upper() if isinstance(cc, str) and cc else None,
            osm_class=str(raw.get("class") or raw.get("category") or ""),
            osm_type=str(raw.get("type") or ""),
            addresstype=str(raw.get("addresstype") or ""),
            importance=importance,
            raw={k: v for k, v in raw.items() if k != "display_name"},
        )
