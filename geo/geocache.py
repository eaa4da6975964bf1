"""Persistent geocoding cache: SQLite in WAL mode, shared by threads and processes.

Keys are built by :func:`cache_key` from the normalized query and its context (kind, city,
country, sending state), so the same words near a different city are a different question.
Only good answers are stored as such: a Place with real coordinates from a real source.
Negative answers ("Nominatim found nothing", "the result was in the wrong country") may be
stored separately, marked ``negative``, with a short expiry; network failures are never
stored at all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import threading
import time
from pathlib import Path

from geo.models import Place

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MAX_TEXT = 300  # longest name/note kept (an answer's display_name can be megabytes)
PRECISIONS = ("landmark", "city", "region", "country")
_TEXT_FIELDS = ("name", "source", "city", "country", "country_code", "attribution", "note")
DEFAULT_NEGATIVE_TTL_S = 6 * 3600.0
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key       TEXT PRIMARY KEY,
    status    TEXT NOT NULL CHECK (status IN ('ok', 'negative')),
    place     TEXT,            -- Place.to_dict() as JSON; NULL for negative answers
    reason    TEXT NOT NULL DEFAULT '',
    provider  TEXT NOT NULL DEFAULT '',
    created   REAL NOT NULL,
    expires   REAL             -- NULL: never; set for negative answers
);
"""


def cache_key(query: str, *, kind: str = "", city: str | None = None,
              country_code: str | None = None, mission_of: str | None = None) -> str:
    """The cache key for a question: normalized query plus the context that shaped it."""
    from geo.gazetteer import normalize

    parts = [normalize(query), kind or "", normalize(city or ""), (country_code or "").upper(),
             (mission_of or "").upper()]
    return "\x1f".join(parts)


def _clip(value: str | None) -> str | None:
    if value is None or len(value) <= MAX_TEXT:
        return value
    return value[: MAX_TEXT - 1] + "…"


def clipped(place: Place) -> Place:
    """``place`` with every text field at most :data:`MAX_TEXT` characters."""
    from dataclasses import replace

    return replace(place, **{f: _clip(getattr(place, f)) for f in _TEXT_FIELDS})


def place_from_json(text) -> Place | None:
    """A Place from a stored row, or None unless every field has the type it must have (a
    damaged or hand-edited row must not reach the map as a list where a name should be)."""
    try:
        d = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(d, dict) or set(d) - set(Place.__dataclass_fields__):
        return None
    if not isinstance(d.get("name"), str) or not isinstance(d.get("source"), str):
        return None
    if any(d.get(f) is not None and not isinstance(d[f], str) for f in _TEXT_FIELDS):
        return None
    if d.get("precision") not in PRECISIONS:
        return None
    conf = d.get("confidence", 0.0)
    if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 <= conf <= 1:
        return None
    try:
        return clipped(Place.from_dict(d))
    except TypeError:
        return None


def is_good_place(place: Place | None) -> bool:
    """True for a Place worth caching as an answer: finite, in-range coordinates, a source."""
    if place is None or place.source in ("", "unresolved", "cache"):
        return False
    lat, lon = place.lat, place.lon
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return False
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


class GeoCache:
    """The on-disk answer cache. Thread-safe (one connection per thread) and process-safe."""

    def __init__(self, path: Path, negative_ttl_s: float = DEFAULT_NEGATIVE_TTL_S):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # In the user's database (geo.store) the schema is the store's migrations' job; a
        # file of its own (tests, tools) still gets its table and version here.
        from geo.paths import DATABASE_NAME

        self.managed = self.path.name == DATABASE_NAME
        if self.managed:
            from geo.store import open_database

            open_database(self.path)  # migrated now; a StoreError says what is wrong
        self.negative_ttl_s = negative_ttl_s
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._conn()  # create the schema now, so errors surface here

    # -- connections ---------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("geocode cache %s: journal_mode is %s, not WAL", self.path, mode)
        conn.execute("PRAGMA synchronous=NORMAL")
        if not self.managed:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._local.conn = conn
        with self._conns_lock:
            self._conns.append(conn)
        return conn

    def journal_mode(self) -> str:
        return str(self._conn().execute("PRAGMA journal_mode").fetchone()[0]).lower()

    def close(self) -> None:
        with self._conns_lock:
            for conn in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._conns.clear()
        self._local = threading.local()

    # -- reads ---------------------------------------------------------------------------------

    def _row(self, key: str):
        try:
            return self._conn().execute(
                "SELECT status, place, reason, expires FROM answers WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as exc:
            log.warning("geocode cache read failed (%s); treating as a miss", exc)
            return None

    def get(self, key: str) -> Place | None:
        """The cached good answer for ``key``, or None."""
        row = self._row(key)
        if row is None or row[0] != "ok" or not row[1]:
            return None
        place = place_from_json(row[1])
        if place is None or not is_good_place(place):
            log.warning("geocode cache entry for %r is damaged; ignoring it", key)
            return None
        return place

    def get_negative(self, key: str) -> str | None:
        """The reason of an unexpired negative answer for ``key``, or None."""
        row = self._row(key)
        if row is None or row[0] != "negative":
            return None
        expires = row[3]
        if expires is not None and (not isinstance(expires, int | float)
                                    or expires < time.time()):
            return None  # expired, or a damaged row: ask again
        return _clip(str(row[2] or "")) or "no result"

    # -- writes --------------------------------------------------------------------------------

    def _write(self, sql: str, args: tuple) -> bool:
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(sql, args)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return True
        except sqlite3.Error as exc:
            log.warning("geocode cache write failed (%s); answer not cached", exc)
            return False

    def put(self, key: str, place: Place, provider: str = "") -> bool:
        """Store a good answer. Anything else (no coordinates, unresolved) is refused."""
        if not is_good_place(place):
            return False
        payload = json.dumps(clipped(place).to_dict(), ensure_ascii=False)
        return self._write(
            "INSERT OR REPLACE INTO answers (key, status, place, reason, provider, created, "
            "expires) VALUES (?, 'ok', ?, '', ?, ?, NULL)",
            (key, payload, provider or place.source, time.time()),
        )

    def put_negative(self, key: str, reason: str, provider: str = "",
                     ttl_s: float | None = None) -> bool:
        """Remember "asked, no usable answer" for a while. Never overwrites a good answer."""
        ttl = self.negative_ttl_s if ttl_s is None else ttl_s
        reason = _clip(reason) or ""
        now = time.time()
        return self._write(
            "INSERT INTO answers (key, status, place, reason, provider, created, expires) "
            "VALUES (?, 'negative', NULL, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET reason=excluded.reason, provider=excluded.provider, "
            "created=excluded.created, expires=excluded.expires WHERE answers.status='negative'",
            (key, reason, provider, now, now + ttl),
        )

    def import_legacy(self, legacy: Path) -> int:
        """Copy the good answers of an old separate cache file in (never over an answer we
        have), then rename the old file ``*.imported``. Returns the rows copied."""
        legacy = Path(legacy)
        if not legacy.exists():
            return 0
        try:
            old = sqlite3.connect(f"{legacy.resolve().as_uri()}?mode=ro", uri=True)
            try:
                rows = old.execute("SELECT key, status, place, reason, provider, created, "
                                   "expires FROM answers WHERE status = 'ok'").fetchall()
            finally:
                old.close()
        except sqlite3.Error as exc:
            log.warning("old geocode cache %s not imported (%s)", legacy, exc)
            return 0
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                before = conn.total_changes
                conn.executemany("INSERT OR IGNORE INTO answers (key, status, place, reason, "
                                 "provider, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 rows)
                copied = conn.total_changes - before
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            legacy.replace(legacy.with_name(legacy.name + ".imported"))
        except (sqlite3.Error, OSError) as exc:
            log.warning("old geocode cache %s not imported (%s)", legacy, exc)
            return 0
        return copied

    def stats(self) -> dict[str, int]:
        try:
            rows = self._conn().execute(
                "SELECT status, COUNT(*) FROM answers GROUP BY status"
            ).fetchall()
        except sqlite3.Error as exc:
            log.warning("geocode cache unreadable (%s)", exc)
            return {}
        return {status: n for status, n in rows}
