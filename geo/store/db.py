"""Open the user's database, migrate it, and run each write as one transaction.

Why SQLite in WAL mode: several Streamlit sessions and CLI runs share the file; readers
never block the writer, and a write is one ``BEGIN IMMEDIATE ... COMMIT``, so a process
killed at any moment leaves either the whole action or none of it (``synchronous=FULL``:
a commit that returned is on disk). The schema version is ``PRAGMA user_version``; each
migration runs in the transaction that also bumps it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from geo.store.errors import StoreCorrupt, StoreError, StoreTooNew, StoreUnavailable

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024  # the WAL shrinks back to this after a big cache write
SQLITE_HEADER = b"SQLite format 3\x00"

# MIGRATIONS[n] takes a database from version n to n + 1. Never edit a shipped one: add one.
MIGRATIONS: list[str] = [
    # 0 -> 1: the user's corrections, an append-only log (undo is a row too, so two
    # sessions editing at once only ever add rows and lose nothing)
    """
    CREATE TABLE corrections (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        created      TEXT NOT NULL,
        kind         TEXT NOT NULL
                     CHECK (kind IN ('confirm', 'edit', 'remove', 'merge', 'add', 'undo')),
        article_hash TEXT NOT NULL DEFAULT '',
        sentence     TEXT NOT NULL DEFAULT '',
        family       TEXT NOT NULL DEFAULT '',
        place_hint   TEXT NOT NULL DEFAULT '',
        payload      TEXT NOT NULL DEFAULT '{}',   -- JSON: the kind's details
        author       TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX corrections_key ON corrections (article_hash, sentence, family);
    """,
    # 1 -> 2: the caches move in (they were per-article JSON files, pickles and a separate
    # geocode SQLite file). Safe to lose: a missing row costs a recomputation.
    """
    CREATE TABLE IF NOT EXISTS answers (        -- geo.geocache: online geocoding answers
        key       TEXT PRIMARY KEY,
        status    TEXT NOT NULL CHECK (status IN ('ok', 'negative')),
        place     TEXT,
        reason    TEXT NOT NULL DEFAULT '',
        provider  TEXT NOT NULL DEFAULT '',
        created   REAL NOT NULL,
        expires   REAL
    );
    CREATE TABLE extraction_cache (             -- geo.pipeline.ExtractionCache
        key     TEXT PRIMARY KEY,               -- text + date + extractor + method
        events  TEXT NOT NULL,                  -- JSON list of Event.to_dict()
        created REAL NOT NULL
    );
    CREATE TABLE run_cache (                    -- geo.pipeline.RunCache
        key     TEXT PRIMARY KEY,
        result  BLOB NOT NULL,                  -- a pickled Result (written by this app only)
        created REAL NOT NULL
    );
    """,
    # 2 -> 3: the user's own articles and dates move in (they were files: articles/*.txt,
    # web/*.json and dates.json; geo.userdata imports them once and renames them aside).
    # The user's own data: written durably, like the corrections.
    """
    CREATE TABLE user_articles (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('upload', 'paste', 'web')),
        text        TEXT NOT NULL,
        raw         BLOB,                       -- upload/paste: the bytes as given
        date        TEXT,                       -- YYYY-MM-DD from the article itself
        date_source TEXT NOT NULL DEFAULT 'none',
        date_note   TEXT NOT NULL DEFAULT '',
        url         TEXT,
        outlet      TEXT,
        feed        TEXT,                       -- web: the watched feed it came from
        web_key     TEXT,                       -- web: one row per URL (a re-read replaces)
        added       REAL NOT NULL,              -- time.time() when added (web: when read)
        sha256      TEXT NOT NULL               -- of the text: corrections are keyed by it
    );
    CREATE UNIQUE INDEX user_articles_file_name ON user_articles (name) WHERE kind != 'web';
    CREATE UNIQUE INDEX user_articles_web_key ON user_articles (web_key) WHERE kind = 'web';
    CREATE TABLE user_dates (                   -- publication dates the user gave
        name  TEXT PRIMARY KEY,
        date  TEXT NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

CORRUPT_ADVICE = ("Move the file aside (or restore a backup with `python -m geo db import "
                  "BACKUP`); until then the app opens on the articles without your corrections.")


def translate(exc: sqlite3.Error, path: Path) -> StoreError:
    """The StoreError that says in plain words what a sqlite3 error means for the user."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.DatabaseError) and any(
            w in text for w in ("malformed", "not a database", "corrupt", "encrypted")):
        return StoreCorrupt(path, f"the database is damaged ({exc})", CORRUPT_ADVICE)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(path, f"the database is busy ({exc})",
                                "Another program holds it; try again in a moment.")
    return StoreUnavailable(path, f"the database cannot be used ({exc})",
                            "Check that the user data folder is writable and the disk not full.")


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreUnavailable(path, f"cannot read the database ({exc.strerror or exc})",
                               "Check the file's permissions.") from exc
    if head and head != SQLITE_HEADER:
        raise StoreCorrupt(path, "the file is not an SQLite database", CORRUPT_ADVICE)


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (we open transactions ourselves), WAL, durable."""
    _check_header(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _wal(conn)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path) from exc
    return conn


def _wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (once per file: it is persistent). Switching takes a lock
    for which SQLite does not wait: processes opening a brand-new file at the same moment
    get "database is locked" at once, so retry within the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; refuse a newer one. Returns the version
    found before."""
    try:
        found = schema_version(conn)
        if found > SCHEMA_VERSION:
            raise StoreTooNew(path, found, SCHEMA_VERSION)
        if found == SCHEMA_VERSION:
            return found
        conn.execute("BEGIN IMMEDIATE")
        try:
            now = schema_version(conn)  # another process may have migrated meanwhile
            if now > SCHEMA_VERSION:
                raise StoreTooNew(path, now, SCHEMA_VERSION)
            for version in range(now, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if now < SCHEMA_VERSION:
            log.info("database %s migrated from version %d to %d", path, now, SCHEMA_VERSION)
        return found
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line.split("--")[0] + ("\n" if "--" in line else "")
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


POOL_SIZE = 4  # idle connections kept; Streamlit runs each rerun in a new thread


class Database:
    """The user's database at ``path``: checked and migrated on open, every write one
    transaction (:meth:`write`).

    Connections come from a small pool, not one per thread: Streamlit runs every rerun in
    a thread of its own, so per-thread connections would pile up (one open file per rerun).
    A connection serves one thread at a time (borrowed, then given back)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(self.path, f"cannot create its folder ({exc.strerror})",
                                   "Check NEWSMAP_HOME or the user data folder.") from exc
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._opened = 0  # connections made (a leak shows here; tests read it)
        self._main: sqlite3.Connection | None = None
        with self.connection() as conn:
            migrate(conn, self.path)

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread until the block ends."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = connect(self.path)
            with self._lock:
                self._opened += 1
        try:
            yield conn
        finally:
            with self._lock:
                if len(self._idle) < POOL_SIZE:
                    self._idle.append(conn)
                    conn = None
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()

    def conn(self) -> sqlite3.Connection:
        """One long-lived connection (backups, tools, tests); not for concurrent threads."""
        with self._lock:
            if self._main is None:
                self._main = connect(self.path)
                self._opened += 1
            return self._main

    @contextlib.contextmanager
    def write(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside commits together or not at all.

        ``durable=False`` (caches): the commit survives a killed process but not a power
        cut (``synchronous=NORMAL``), and costs no fsync; the user's own work is durable."""
        with self.connection() as conn:
            try:
                if not durable:
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise translate(exc, self.path) from exc
                raise
            finally:
                if not durable:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("PRAGMA synchronous=FULL")

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self.connection() as conn:
            try:
                return conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc

    def close(self) -> None:
        with self._lock:
            conns = [*self._idle, *([self._main] if self._main is not None else [])]
            self._idle, self._main = [], None
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


_open: dict[str, Database] = {}
_open_lock = threading.Lock()


def open_database(path: Path | str | None = None) -> Database:
    """The process's Database for ``path`` (default: the user data folder's); raises a
    :class:`StoreError` subclass that says what to do."""
    if path is None:
        from geo.paths import database_path

        path = database_path()
    key = str(Path(path).resolve())
    with _open_lock:
        db = _open.get(key)
        if db is None or not Path(key).exists():  # first use, or the file was deleted
            if db is not None:
                db.close()
            db = _open[key] = Database(key)
        return db


def forget_open() -> None:
    """Close every cached Database (tests, and `db import` replacing the file)."""
    with _open_lock:
        for db in _open.values():
            db.close()
        _open.clear()
