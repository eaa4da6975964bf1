"""The user's own articles and dates, kept in the user's database across restarts.

The articles the user added (uploaded ``.txt``, pasted text, articles read from links and
feeds) and the publication dates they gave live in the database (:mod:`geo.store`, tables
``user_articles`` and ``user_dates``); every save is one durable transaction, like a
correction. This module is a thin layer over it.

``<home>/feeds.json``    the feeds the dashboard watches (a file, as before)
``<home>/looked.json``   when the user last marked the watch's articles as seen

Older versions kept the articles as files (``<home>/articles/*.txt``, ``<home>/web/*.json``)
and the dates in ``<home>/dates.json``. They are imported on the first open of the database
and renamed aside (``articles.imported``, ...), never deleted; a damaged file is reported
(:func:`problems`) and the rest imported. While the database cannot be used (damaged,
newer, a read-only home) those files are still read as they are, and saving says why not.

The dashboard calls these; they never raise on bad input or a faulty home, they return a
reason. Saves are race-free across sessions and processes: each is one ``BEGIN IMMEDIATE``
transaction, so two sessions saving one name at once get two names.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from geo import articles as articles_mod
from geo.models import Article, Problem
from geo.paths import HomeUnusable, home, writable_home
from geo.store import Database, StoreError, open_database

log = logging.getLogger(__name__)

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_TRIES = 100  # stem.txt, stem-<hash>.txt, stem-<hash>-2.txt, ...

ARTICLES_DIR = "articles"  # the files of older versions (imported, then renamed aside)
WEB_DIR = "web"
DATES_FILE = "dates.json"
IMPORTED = ".imported"


def safe_name(name: str) -> str:
    """A plain ``.txt`` name from whatever the browser sent (no paths, no dot-files)."""
    base = Path(name.replace("\\", "/")).name
    stem = _SAFE.sub("-", Path(base).stem).strip("-.")[:80] or "article"
    return f"{stem}.txt"


def _why(exc: BaseException) -> str:
    if isinstance(exc, HomeUnusable | StoreError):
        return str(exc)
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _temp_with(folder: Path, data: bytes) -> str:
    """A hidden temporary file in ``folder`` holding ``data``, flushed to disk."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _candidates(fname: str, raw: bytes) -> Iterator[str]:
    stem = Path(fname).stem
    h = hashlib.sha256(raw).hexdigest()[:8]
    yield fname
    yield f"{stem}-{h}.txt"
    for n in range(2, MAX_NAME_TRIES):
        yield f"{stem}-{h}-{n}.txt"


@dataclass(frozen=True)
class Saved:
    """What a save did: ``name`` kept (``existed``: that exact text was already there) or
    ``reason`` it was not."""

    name: str | None
    reason: str | None = None
    existed: bool = False

    @property
    def message(self) -> str:
        if self.reason:
            return f"Not added: {self.reason}"
        return f"Already there: {self.name}" if self.existed else f"Added {self.name}"


# ---- the database, and the one-time import of the older files ---------------------------

_problems: dict[str, list[Problem]] = {}  # per database (tests use many homes)
_problems_lock = threading.Lock()


def problems() -> list[Problem]:
    """What the import of older files reported in this process (damaged files, kept aside
    in ``*.imported``), and why the database cannot be used if it cannot."""
    out, key = [], ""
    try:
        key = str(_database().path)
    except (OSError, StoreError) as exc:
        out.append(Problem("your articles", f"not read from the database: {_why(exc)}"))
    with _problems_lock:
        return [*_problems.get(key, []), *out]


def _report(db: Database, problem: Problem) -> None:
    log.warning("%s", problem)
    with _problems_lock:
        got = _problems.setdefault(str(db.path), [])
        if problem not in got:
            got.append(problem)


def _database(write: bool = False) -> Database:
    """The user's database, older files imported; raises OSError/StoreError with why.
    ``write``: the home must be writable (a read-only one says so, as before)."""
    if write:
        writable_home()
    db = open_database()
    _import_old_files(db)
    return db


def _aside(path: Path) -> None:
    """Rename ``path`` to ``path.imported`` (or ``.imported-2``, ...): never deleted."""
    target, n = path.with_name(path.name + IMPORTED), 2
    while target.exists():
        target, n = path.with_name(f"{path.name}{IMPORTED}-{n}"), n + 1
    with contextlib.suppress(FileNotFoundError):  # another process renamed it first
        path.rename(target)


def _old_files(folder: Path) -> tuple[Path, Path, Path]:
    return folder / ARTICLES_DIR, folder / WEB_DIR, folder / DATES_FILE


def _has_entries(d: Path) -> bool:
    try:
        return d.is_dir() and any(d.iterdir())
    except OSError:
        return False


_import_lock = threading.Lock()


def _import_old_files(db: Database) -> None:
    """Import the files of an older version once (a few stats when there are none)."""
    try:
        folder = writable_home()
    except OSError:
        return  # read-only: the files are read as they are (see _old_articles)
    art_dir, web_dir, dates_file = _old_files(folder)
    if not (_has_entries(art_dir) or _has_entries(web_dir) or dates_file.exists()):
        return
    with _import_lock:
        _import_now(db, art_dir, web_dir, dates_file)


def _import_now(db: Database, art_dir: Path, web_dir: Path, dates_file: Path) -> None:
    files, webs, dates = [], [], {}
    for f in sorted(art_dir.glob("*.txt")) if art_dir.is_dir() else []:
        try:
            raw, added = f.read_bytes(), f.stat().st_mtime
        except OSError as exc:
            _report(db, Problem(f.name, f"not imported: unreadable ({_why(exc)}); kept in "
                                    f"{ARTICLES_DIR}{IMPORTED}"))
            continue
        article, found = articles_mod.parse_bytes(f.name, raw)
        if article is None:
            reasons = "; ".join(p.reason for p in found) or "unreadable"
            _report(db, Problem(f.name, f"not imported: {reasons}; kept in "
                                    f"{ARTICLES_DIR}{IMPORTED}"))
            continue
        files.append((f.name, raw, article, added))
    for p in sorted(web_dir.glob("*.json")) if web_dir.is_dir() else []:
        got = _read_web(p)
        if got is None:
            _report(db, Problem(f"{WEB_DIR}/{p.name}", "not imported: damaged or not an "
                                                       f"article; kept in {WEB_DIR}{IMPORTED}"))
            continue
        webs.append(got)
    if dates_file.exists():
        try:
            data = json.loads(dates_file.read_text("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a {name: date} object")
            dates = _valid_dates(data)
        except (OSError, ValueError) as exc:
            _report(db, Problem(DATES_FILE, f"not imported: damaged ({_why(exc)}); kept as "
                                        f"{DATES_FILE}{IMPORTED}"))
    try:
        with db.write() as conn:
            for name, raw, a, added in files:
                conn.execute(
                    "INSERT OR IGNORE INTO user_articles (name, kind, text, raw, date, "
                    "date_source, date_note, url, outlet, added, sha256) VALUES "
                    "(?, 'upload', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, a.text, raw, a.date, a.date_source, a.date_note, a.url, a.outlet,
                     added, a.sha256))
            for a, fetched, feed in webs:
                _put_web(conn, a, fetched, feed, replace_newer=False)
            for name, date in dates.items():  # a date set since (a crash mid-import) wins
                conn.execute("INSERT OR IGNORE INTO user_dates (name, date) VALUES (?, ?)",
                             (name, date))
    except (OSError, StoreError) as exc:
        log.warning("older user files not imported (%s); read as they are", exc)
        return
    for path in (art_dir, web_dir):
        if _has_entries(path):
            _aside(path)
    if dates_file.exists():
        _aside(dates_file)
    if files or webs or dates:
        log.info("imported %d articles, %d web articles and %d dates into %s",
                 len(files), len(webs), len(dates), db.path)


def _old_articles() -> list[tuple[str, bytes]]:
    """(name, bytes) of an older version's files that are not imported (the database or
    the home cannot be used): read as they are, as before."""
    folder = home() / ARTICLES_DIR
    out = []
    try:
        for p in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            with contextlib.suppress(OSError):
                out.append((p.name, p.read_bytes()))
    except OSError:
        pass
    return out


# ---- uploaded and pasted articles ------------------------------------------------------


def _store(fname: str, raw: bytes, article: Article, kind: str) -> Saved:
    """Keep ``raw`` under ``fname`` or the first free variant; same text = same article.
    One transaction: two sessions saving one name at once get two names."""
    db = _database(write=True)
    with db.write() as conn:
        for cand in _candidates(fname, raw):
            row = conn.execute("SELECT raw FROM user_articles WHERE name = ? AND kind != 'web'",
                               (cand,)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO user_articles (name, kind, text, raw, date, date_source, "
                    "date_note, url, outlet, added, sha256) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cand, kind, article.text, raw, article.date, article.date_source,
                     article.date_note, article.url, article.outlet, time.time(),
                     article.sha256))
                return Saved(cand)
            if bytes(row[0] or b"") == raw:
                return Saved(cand, existed=True)
    return Saved(None, f"{fname}: no free name after {MAX_NAME_TRIES} tries")


def _save(name: str, raw: bytes, kind: str) -> Saved:
    fname = safe_name(name)
    if not name.lower().endswith(".txt"):
        return Saved(None, f"{name}: not a .txt file")
    article, found = articles_mod.parse_bytes(fname, raw)
    if article is None:
        reasons = "; ".join(p.reason for p in found) or "unreadable"
        return Saved(None, f"{name}: {reasons}")
    try:
        return _store(fname, raw, article, kind)
    except (OSError, StoreError) as exc:
        return Saved(None, f"{name}: cannot save ({_why(exc)})")


def save(name: str, raw: bytes) -> Saved:
    """Validate and keep one uploaded article; never raises."""
    return _save(name, raw, "upload")


def save_article(name: str, raw: bytes) -> tuple[str | None, str | None]:
    """Validate and keep one article. Returns (saved name, None) or (None, reason); the
    same text saved twice is one article (see :func:`save` for "already there")."""
    saved = save(name, raw)
    return saved.name, saved.reason


def save_pasted(
    text: str, title: str = "", date: dt.date | None = None
) -> tuple[str | None, str | None]:
    """A pasted article: optional title for its name, optional publication date."""
    body = text.strip()
    if not body:
        return None, "pasted text is empty"
    h = hashlib.sha256(body.encode("utf-8")).hexdigest()[:8]
    stem = _SAFE.sub("-", title.strip().lower()).strip("-.")[:60] if title.strip() else "pasted"
    raw = (f" date {date.isoformat()} " if date else "") + body + "\n"
    saved = _save(f"{stem}-{h}.txt", raw.encode("utf-8"), "paste")
    return saved.name, saved.reason


def _rows(sql: str, args: tuple = ()) -> list[tuple] | None:
    """Rows from the database, or None when it cannot be used (then older files are read)."""
    try:
        return _database().query(sql, args)
    except (OSError, StoreError) as exc:
        log.debug("user data not read from the database: %s", exc)
        return None


def list_articles() -> list[str]:
    """The names of the user's uploaded and pasted articles."""
    rows = _rows("SELECT name FROM user_articles WHERE kind != 'web'") or []
    names = {r[0] for r in rows} | {name for name, _ in _old_articles()}
    return sorted(names)


def raw_article(name: str) -> bytes | None:
    """The bytes of one uploaded or pasted article as it was given (None: not there)."""
    rows = _rows("SELECT raw FROM user_articles WHERE name = ? AND kind != 'web'", (name,))
    if rows:
        return bytes(rows[0][0] or b"")
    return dict(_old_articles()).get(name)


def all_user_articles() -> list[Article]:
    """The user's uploaded and pasted articles, then those read from the web (what the
    dashboard runs the pipeline with besides the corpus)."""
    return [*user_articles(), *(w.article for w in web_articles())]


def user_articles() -> list[Article]:
    """The user's uploaded and pasted articles, parsed exactly as their files would be
    (same text, date line and hash: corrections keyed by the hash still apply)."""
    rows = _rows("SELECT name, raw FROM user_articles WHERE kind != 'web' ORDER BY name") or []
    got = {name: bytes(raw or b"") for name, raw in rows}
    for name, raw in _old_articles():
        got.setdefault(name, raw)
    out = []
    for name in sorted(got):
        article, _found = articles_mod.parse_bytes(name, got[name])
        if article is not None:
            out.append(article)
    return out


def remove_article(name: str) -> bool:
    """Remove one of the user's articles (and its date). False if not there or not allowed."""
    try:
        db = _database(write=True)
        with db.write() as conn:
            gone = conn.execute("DELETE FROM user_articles WHERE name = ? AND kind != 'web'",
                                (name,)).rowcount
            if gone:
                conn.execute("DELETE FROM user_dates WHERE name = ?", (name,))
    except (OSError, StoreError):
        return False
    return bool(gone)


# ---- the dates the user gave -----------------------------------------------------------


def _valid_dates(data: object) -> dict[str, str]:
    """Only ``{name: "YYYY-MM-DD"}`` pairs survive a hand-edited or damaged file."""
    if not isinstance(data, dict):
        return {}
    out = {}
    for k, v in data.items():
        if isinstance(k, str) and isinstance(v, str) and articles_mod._parse_iso(v):
            out[k] = v
    return out


def _old_dates() -> dict[str, str]:
    try:
        return _valid_dates(json.loads((home() / DATES_FILE).read_text("utf-8")))
    except (OSError, ValueError):
        return {}


def load_dates() -> dict[str, str]:
    dates = _old_dates()  # none once imported
    dates.update(_valid_dates(dict(_rows("SELECT name, date FROM user_dates") or [])))
    return dates


def _update_dates(change) -> str | None:
    """``change(conn)`` in one transaction. Returns a reason on failure."""
    try:
        db = _database(write=True)
        with db.write() as conn:
            change(conn)
    except (OSError, StoreError) as exc:
        return f"cannot save the date ({_why(exc)})"
    return None


def save_dates(dates: dict[str, str]) -> str | None:
    """Replace every date. Returns None, or why it could not."""
    new = _valid_dates(dates)

    def change(conn) -> None:
        conn.execute("DELETE FROM user_dates")
        conn.executemany("INSERT INTO user_dates (name, date) VALUES (?, ?)", new.items())

    return _update_dates(change)


def set_date(article: str, date: dt.date | None) -> str | None:
    """Give (or with None, take back) an article's date. Returns None, or why it could not."""
    if date is None:
        return _update_dates(lambda conn: conn.execute(
            "DELETE FROM user_dates WHERE name = ?", (article,)))
    return _update_dates(lambda conn: conn.execute(
        "INSERT OR REPLACE INTO user_dates (name, date) VALUES (?, ?)",
        (article, date.isoformat())))


def _rows_signature(h, sql: str) -> None:
    rows = _rows(sql)
    if rows is None:
        h.update(b"database unusable")
        return
    for row in rows:
        h.update(("|".join(map(str, row)) + "\n").encode())


def signature() -> str:
    """Changes whenever the user's articles or dates change (a cache key)."""
    h = hashlib.sha256()
    _rows_signature(h, "SELECT id, name, sha256, date FROM user_articles WHERE kind != 'web' "
                       "ORDER BY id")
    for name, raw in _old_articles():
        h.update(f"old {name}|{hashlib.sha256(raw).hexdigest()}\n".encode())
    h.update(json.dumps(load_dates(), sort_keys=True).encode())
    h.update(web_signature().encode())
    return h.hexdigest()


# ---- articles read from the web, and the feeds to watch --------------------------------
#
# A web article is one row per URL (kind 'web'): text, date, url, outlet, when it was read
# and from which feed; the same URL read again replaces its row (a live blog that grew).
# ``<home>/feeds.json``      the feed and page addresses the dashboard's watch polls


def _web_key(article: Article) -> str:
    return hashlib.sha256((article.url or article.sha256).encode()).hexdigest()[:24]


def _put_web(conn, article: Article, fetched: float, feed: str | None,
             replace_newer: bool = True) -> None:
    key = _web_key(article)
    if not replace_newer and conn.execute(
            "SELECT 1 FROM user_articles WHERE kind = 'web' AND web_key = ?", (key,)).fetchone():
        return
    conn.execute("DELETE FROM user_articles WHERE kind = 'web' AND web_key = ?", (key,))
    conn.execute(
        "INSERT INTO user_articles (name, kind, text, date, date_source, date_note, url, "
        "outlet, feed, web_key, added, sha256) VALUES (?, 'web', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article.name, article.text, article.date, article.date_source, article.date_note,
         article.url, article.outlet, feed, key, fetched, article.sha256))


def save_web_article(article: Article, feed: str | None = None) -> Saved:
    """Keep an article read from the web; never raises. ``existed``: the same text was
    already kept for that URL (nothing changed)."""
    try:
        db = _database(write=True)
        with db.write() as conn:
            old = conn.execute("SELECT name, text, date FROM user_articles WHERE kind = 'web' "
                               "AND web_key = ?", (_web_key(article),)).fetchone()
            if old is not None and old[1] == article.text and old[2] == article.date:
                return Saved(old[0], existed=True)
            _put_web(conn, article, time.time(), feed)
        return Saved(article.name)
    except (OSError, StoreError) as exc:
        return Saved(None, f"{article.name}: cannot save ({_why(exc)})")


def _read_web(path: Path) -> tuple[Article, float, str | None] | None:
    """(article, read at, feed) from one file of an older version; None when damaged."""
    try:
        d = json.loads(path.read_text("utf-8"))
        return _web_from(d["name"], d["text"], d.get("date"), d.get("date_source"),
                         d.get("date_note"), d.get("sha256"), d.get("url"), d.get("outlet"),
                         d.get("fetched"), d.get("feed"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _web_from(name, text, date, date_source, date_note, sha256, url, outlet, fetched,
              feed) -> tuple[Article, float, str | None] | None:
    from geo.links import safe_url

    if not (isinstance(text, str) and text.strip() and isinstance(name, str) and name):
        return None
    date = articles_mod._parse_iso(date or "")
    article = Article(
        name=name, text=text, date=date,
        date_source=str(date_source or "none") if date else "none",
        date_note=str(date_note or "") if date else "",
        sha256=str(sha256 or hashlib.sha256(text.encode()).hexdigest()),
        url=safe_url(url), outlet=str(outlet) if outlet else None,
    )
    return article, float(fetched or 0.0), feed if isinstance(feed, str) else None


@dataclass(frozen=True)
class WebArticle:
    article: Article
    fetched: float  # time.time() when it was read
    feed: str | None  # the feed it came from (the watch), or None (added by hand)


_WEB_COLUMNS = "name, text, date, date_source, date_note, sha256, url, outlet, added, feed"


def _old_web() -> list[tuple[Article, float, str | None]]:
    folder = home() / WEB_DIR
    try:
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError:
        return []
    return [w for w in map(_read_web, files) if w is not None]


def web_articles() -> list[WebArticle]:
    """Every kept web article, oldest first. Two with the same name (two outlets' same
    headline) get " (2)" so names stay unique."""
    rows = _rows(f"SELECT {_WEB_COLUMNS} FROM user_articles WHERE kind = 'web'") or []
    found = [w for w in (_web_from(*r) for r in rows) if w is not None]
    keys = {_web_key(a) for a, _, _ in found}
    found += [w for w in _old_web() if _web_key(w[0]) not in keys]
    found.sort(key=lambda w: (w[1], w[0].name))
    out, names = [], set()
    for article, fetched, feed in found:
        name, n = article.name, 2
        while name in names:
            name, n = f"{article.name} ({n})", n + 1
        names.add(name)
        out.append(WebArticle(replace(article, name=name), fetched, feed))
    return out


def remove_web_article(name: str) -> bool:
    for w in web_articles():
        if w.article.name == name:
            try:
                db = _database(write=True)
                with db.write() as conn:
                    gone = conn.execute("DELETE FROM user_articles WHERE kind = 'web' AND "
                                        "web_key = ?", (_web_key(w.article),)).rowcount
                    conn.execute("DELETE FROM user_dates WHERE name = ?", (name,))
            except (OSError, StoreError):
                return False
            return bool(gone)
    return False


@contextlib.contextmanager
def _dates_lock(folder: Path) -> Iterator[None]:
    """Exclusive across threads and processes (flock on a side file), so two sessions
    changing the feed list at once do not lose one update."""
    with open(folder / "feeds.json.lock", "a+b") as f:
        try:
            import fcntl
        except ImportError:  # not POSIX: writes are still atomic, just not serialized
            yield
            return
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _feeds_file() -> Path:
    return home() / "feeds.json"


def load_feeds() -> list[str]:
    from geo.links import safe_url

    try:
        data = json.loads(_feeds_file().read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [u for u in data if safe_url(u)] if isinstance(data, list) else []


def _update_feeds(change) -> str | None:
    try:
        folder = writable_home()
        with _dates_lock(folder):
            feeds = load_feeds()
            feeds = change(feeds)
            tmp = _temp_with(folder, json.dumps(feeds, indent=1).encode())
            os.replace(tmp, folder / "feeds.json")
    except OSError as exc:
        return f"cannot save the feed list ({_why(exc)})"
    return None


def add_feed(url: str) -> str | None:
    """Add a feed (or page) to watch. Returns None, or why not."""
    from geo.links import safe_url

    url = url.strip()
    if safe_url(url) is None:
        return f"{url or 'an empty address'}: not an http(s) address"
    return _update_feeds(lambda feeds: feeds if url in feeds else [*feeds, url])


def remove_feed(url: str) -> str | None:
    return _update_feeds(lambda feeds: [f for f in feeds if f != url])

def web_signature() -> str:
    """Changes whenever a web article is added, replaced or removed."""
    h = hashlib.sha256()
    _rows_signature(h, "SELECT id, sha256, date, added FROM user_articles WHERE kind = 'web' "
                       "ORDER BY id")
    for a, fetched, _feed in _old_web():
        h.update(f"old {_web_key(a)}|{a.sha256}|{fetched}\n".encode())
    return h.hexdigest()


def _looked_file() -> Path:
    return home() / "looked.json"


def looked_at() -> float:
    """When the user last marked the watch's articles as seen (time.time()). The first
    call starts the clock now: what was there before the watch is not "new"."""
    try:
        value = json.loads(_looked_file().read_text("utf-8")).get("at")
        if isinstance(value, int | float):
            return float(value)
    except (OSError, ValueError, AttributeError):
        pass
    now = time.time()
    mark_looked(now)
    return now


def mark_looked(at: float | None = None) -> str | None:
    """Everything read so far is no longer new. Returns None, or why it could not."""
    try:
        folder = writable_home()
        tmp = _temp_with(folder, json.dumps({"at": time.time() if at is None else at}).encode())
        os.replace(tmp, folder / "looked.json")
    except OSError as exc:
        return f"cannot save it ({_why(exc)})"
    return None


def new_article_names(web: list[WebArticle], since: float) -> set[str]:
    """The watch's articles read after ``since``: what "new since you looked" marks."""
    return {w.article.name for w in web if w.feed and w.fetched > since}
