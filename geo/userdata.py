"""The user's own articles and dates, kept in the user data folder across restarts.

``<home>/articles/*.txt``  uploaded or pasted articles (processed like the seeds)
``<home>/dates.json``      publication dates the user gave to undated articles
``<home>/web/*.json``      articles read from links and feeds (see the end of this module)
``<home>/feeds.json``      the feeds the dashboard watches

The dashboard calls these; they never raise on bad input or a faulty home, they return a
reason. Saves are race-free across sessions and processes: an article is written to a
temporary file and then hard-linked to its name, which fails instead of replacing a file
that appeared meanwhile; dates.json is changed under a lock file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from geo import articles as articles_mod
from geo.models import Article
from geo.paths import HomeUnusable, home, user_articles_dir, writable_home

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_TRIES = 100  # stem.txt, stem-<hash>.txt, stem-<hash>-2.txt, ...


def safe_name(name: str) -> str:
    """A plain ``.txt`` file name from whatever the browser sent (no paths, no dot-files)."""
    base = Path(name.replace("\\", "/")).name
    stem = _SAFE.sub("-", Path(base).stem).strip("-.")[:80] or "article"
    return f"{stem}.txt"


def _why(exc: OSError) -> str:
    return str(exc) if isinstance(exc, HomeUnusable) else (exc.strerror or str(exc))


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


def _create_new(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` whole, or return False if the name exists. Never
    replaces: ``os.link`` fails on an existing name (rename would overwrite it)."""
    tmp = _temp_with(path.parent, data)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError:  # no hard links here (some network/FUSE file systems)
        return _create_exclusive(path, data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _create_exclusive(path: Path, data: bytes) -> bool:
    """Fallback without hard links: O_EXCL still never replaces, but a reader may briefly
    see a partial file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return True


def _holds(path: Path, data: bytes) -> bool | None:
    """Does ``path`` hold exactly ``data``? None when it is gone (or unreadable)."""
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return None


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


STALE_TEMP_S = 3600.0


def _sweep_temps(folder: Path) -> None:
    """Remove temporary files a killed save left behind (they are hidden and never read)."""
    now = time.time()
    for tmp in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_TEMP_S:
                tmp.unlink()


def _store(fname: str, raw: bytes) -> Saved:
    """Keep ``raw`` under ``fname`` or the first free variant; same text = same file."""
    folder = writable_home() / "articles"
    folder.mkdir(exist_ok=True)
    _sweep_temps(folder)
    for cand in _candidates(fname, raw):
        target = folder / cand
        for _ in range(3):  # a file removed between our two looks: try the name again
            if _create_new(target, raw):
                return Saved(cand)
            same = _holds(target, raw)
            if same is not None:
                break
        if same:
            return Saved(cand, existed=True)
    return Saved(None, f"{fname}: no free file name after {MAX_NAME_TRIES} tries")


def save(name: str, raw: bytes) -> Saved:
    """Validate and keep one article; never raises."""
    fname = safe_name(name)
    if not name.lower().endswith(".txt"):
        return Saved(None, f"{name}: not a .txt file")
    article, problems = articles_mod.parse_bytes(fname, raw)
    if article is None:
        reasons = "; ".join(p.reason for p in problems) or "unreadable"
        return Saved(None, f"{name}: {reasons}")
    try:
        return _store(fname, raw)
    except OSError as exc:
        return Saved(None, f"{name}: cannot save ({_why(exc)})")


def save_article(name: str, raw: bytes) -> tuple[str | None, str | None]:
    """Validate and keep one article. Returns (saved name, None) or (None, reason); the
    same text saved twice is one file (see :func:`save` for "already there")."""
    saved = save(name, raw)
    return saved.name, saved.reason


def save_pasted(
    text: str, title: str = "", date: dt.date | None = None
) -> tuple[str | None, str | None]:
    """A pasted article: optional title for the file name, optional publication date."""
    body = text.strip()
    if not body:
        return None, "pasted text is empty"
    h = hashlib.sha256(body.encode("utf-8")).hexdigest()[:8]
    stem = _SAFE.sub("-", title.strip().lower()).strip("-.")[:60] if title.strip() else "pasted"
    raw = (f" date {date.isoformat()} " if date else "") + body + "\n"
    return save_article(f"{stem}-{h}.txt", raw.encode("utf-8"))


def list_articles() -> list[str]:
    try:
        return sorted(p.name for p in user_articles_dir().glob("*.txt"))
    except OSError:
        return []


def remove_article(name: str) -> bool:
    """Delete one of the user's articles (and its date). False if not there or not allowed."""
    try:
        target = writable_home() / "articles" / safe_name(name)
        if target.name != name or not target.exists():
            return False
        target.unlink()
    except OSError:
        return False
    _update_dates(lambda dates: dates.pop(name, None))
    return True


def _dates_file() -> Path:
    return home() / "dates.json"


def _valid_dates(data: object) -> dict[str, str]:
    """Only ``{name: "YYYY-MM-DD"}`` pairs survive a hand-edited or damaged file."""
    if not isinstance(data, dict):
        return {}
    out = {}
    for k, v in data.items():
        if isinstance(k, str) and isinstance(v, str) and articles_mod._parse_iso(v):
            out[k] = v
    return out


def load_dates() -> dict[str, str]:
    try:
        return _valid_dates(json.loads(_dates_file().read_text("utf-8")))
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _dates_lock(folder: Path) -> Iterator[None]:
    """Exclusive across threads and processes (flock on a side file), so two sessions
    setting dates at once do not lose one update."""
    with open(folder / "dates.json.lock", "a+b") as f:
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


def _update_dates(change) -> str | None:
    """Read, ``change(dates)``, write back, all under the lock. Returns a reason on failure."""
    try:
        folder = writable_home()
        with _dates_lock(folder):
            path = folder / "dates.json"
            try:
                dates = _valid_dates(json.loads(path.read_text("utf-8")))
            except (OSError, ValueError):
                dates = {}
            change(dates)
            tmp = _temp_with(folder, json.dumps(dates, indent=1, sort_keys=True).encode())
            os.replace(tmp, path)
    except OSError as exc:
        return f"cannot save the date ({_why(exc)})"
    return None


def save_dates(dates: dict[str, str]) -> str | None:
    """Replace every date. Returns None, or why it could not."""
    new = _valid_dates(dates)
    return _update_dates(lambda d: (d.clear(), d.update(new)))


def set_date(article: str, date: dt.date | None) -> str | None:
    """Give (or with None, take back) an article's date. Returns None, or why it could not."""
    if date is None:
        return _update_dates(lambda d: d.pop(article, None))
    return _update_dates(lambda d: d.__setitem__(article, date.isoformat()))


def signature() -> str:
    """Changes whenever the user's articles or dates change (a cache key)."""
    h = hashlib.sha256()
    try:
        folder = user_articles_dir()
        h.update(str(folder).encode())
        for p in sorted(folder.glob("*.txt")):
            try:
                st = p.stat()
            except OSError:  # removed meanwhile
                continue
            h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    except OSError:
        h.update(b"unreadable")
    h.update(json.dumps(load_dates(), sort_keys=True).encode())
    h.update(web_signature().encode())
    return h.hexdigest()


# ---- articles read from the web, and the feeds to watch --------------------------------
#
# ``<home>/web/<key>.json``  one article read from a URL (text, date, url, outlet, when it
#                            was read and from which feed); the same URL read again
#                            replaces its file (a live blog that grew), atomically
# ``<home>/feeds.json``      the feed and page addresses the dashboard's watch polls

WEB_DIR = "web"


def _web_key(article: Article) -> str:
    return hashlib.sha256((article.url or article.sha256).encode()).hexdigest()[:24]


def save_web_article(article: Article, feed: str | None = None) -> Saved:
    """Keep an article read from the web; never raises. ``existed``: the same text was
    already kept for that URL (nothing changed)."""
    try:
        folder = writable_home() / WEB_DIR
        folder.mkdir(exist_ok=True)
        _sweep_temps(folder)
        path = folder / f"{_web_key(article)}.json"
        old = _read_web(path)
        if old is not None and old[0].text == article.text and old[0].date == article.date:
            return Saved(old[0].name, existed=True)
        record = {
            "name": article.name, "text": article.text, "date": article.date,
            "date_source": article.date_source, "date_note": article.date_note,
            "sha256": article.sha256, "url": article.url, "outlet": article.outlet,
            "fetched": time.time(), "feed": feed,
        }
        tmp = _temp_with(folder, json.dumps(record, ensure_ascii=False, indent=1).encode())
        os.replace(tmp, path)
        return Saved(article.name)
    except OSError as exc:
        return Saved(None, f"{article.name}: cannot save ({_why(exc)})")


def _read_web(path: Path) -> tuple[Article, float, str | None] | None:
    """(article, read at, feed) from one kept file; None when damaged or not ours."""
    try:
        d = json.loads(path.read_text("utf-8"))
        text, name = d["text"], d["name"]
        if not (isinstance(text, str) and text.strip() and isinstance(name, str) and name):
            return None
        date = articles_mod._parse_iso(d.get("date") or "")
        from geo.links import safe_url

        article = Article(
            name=name, text=text, date=date,
            date_source=str(d.get("date_source") or "none") if date else "none",
            date_note=str(d.get("date_note") or "") if date else "",
            sha256=str(d.get("sha256") or hashlib.sha256(text.encode()).hexdigest()),
            url=safe_url(d.get("url")), outlet=str(d["outlet"]) if d.get("outlet") else None,
        )
        fetched = float(d.get("fetched") or 0.0)
        feed = d.get("feed") if isinstance(d.get("feed"), str) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return article, fetched, feed


@dataclass(frozen=True)
class WebArticle:
    article: Article
    fetched: float  # time.time() when it was read
    feed: str | None  # the feed it came from (the watch), or None (added by hand)


def web_articles() -> list[WebArticle]:
    """Every kept web article, oldest first; damaged files are skipped. Two files with
    the same name (two outlets' same headline) get " (2)" so names stay unique."""
    try:
        files = sorted((home() / WEB_DIR).glob("*.json"))
    except OSError:
        return []
    found = [w for w in (_read_web(p) for p in files) if w is not None]
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
                (writable_home() / WEB_DIR / f"{_web_key(w.article)}.json").unlink()
            except OSError:
                return False
            _update_dates(lambda dates: dates.pop(name, None))
            return True
    return False


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
    try:
        for p in sorted((home() / WEB_DIR).glob("*.json")):
            with contextlib.suppress(OSError):
                st = p.stat()
                h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    except OSError:
        h.update(b"unreadable")
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
