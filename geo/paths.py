"""Where the app keeps state between runs. ``NEWSMAP_HOME`` overrides the base (tests use it).

None of these functions raises on a faulty home (read-only, a file, deleted mid-run): reading
and caching must go on. :func:`home`, :func:`cache_dir` and :func:`user_articles_dir` fall
back to a private temporary folder (logged once); only :func:`writable_home`, used before
saving the user's own data, raises :class:`HomeUnusable` with a reason to show.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"  # curated, shipped data files



def corpus_paths() -> list[str]:
    """What the dashboard reads: ``NEWSMAP_PATHS`` (files or folders, separated by the
    system's path separator), else the seed articles. The user's own articles come from
    the database (geo.userdata)."""
    env = os.environ.get("NEWSMAP_PATHS")
    return [p for p in env.split(os.pathsep) if p] if env else [str(SEEDS_DIR)]


_fallback: Path | None = None
_fallback_lock = threading.Lock()
_warned: set[str] = set()


class HomeUnusable(OSError):
    """The user data folder cannot be written; ``str(exc)`` says why, in plain words."""


def configured_home() -> Path:
    """The folder the user asked for (``NEWSMAP_HOME``) or the platform's data folder."""
    base = os.environ.get("NEWSMAP_HOME")
    return Path(base) if base else Path(platformdirs.user_data_dir("news-event-map"))


def _problem(path: Path, *, write: bool) -> str | None:
    """None when ``path`` is (now) a directory we can use, else why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{path} is a file, not a folder"
    except OSError as exc:
        return f"cannot create {path} ({exc.strerror or exc})"
    if not path.is_dir():
        return f"{path} is not a folder"
    if write and not os.access(path, os.W_OK | os.X_OK):
        return f"{path} is read-only"
    return None


def _warn_once(what: str) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning("%s", what)


def fallback_dir() -> Path:
    """A private temporary folder for this process (random name, mode 0700: nobody else can
    plant a cache file there, which matters because some caches are pickles)."""
    global _fallback
    with _fallback_lock:
        if _fallback is None or not _fallback.is_dir():
            _fallback = Path(tempfile.mkdtemp(prefix="news-event-map-"))
        return _fallback


def home() -> Path:
    """The user data folder if it is a folder (a read-only one still serves reads), else the
    temporary fallback."""
    path = configured_home()
    why = _problem(path, write=False)
    if why is None:
        return path
    _warn_once(f"user data folder unusable ({why}); using {fallback_dir()} for this run")
    return fallback_dir()


def writable_home() -> Path:
    """The configured user data folder, ready for writing; raises :class:`HomeUnusable`."""
    path = configured_home()
    why = _problem(path, write=True)
    if why is not None:
        raise HomeUnusable(f"the user data folder is unusable: {why}")
    return path


def _sub(name: str, *, write: bool) -> Path:
    path = home() / name
    why = _problem(path, write=write)
    if why is None:
        return path
    fallback = fallback_dir() / name
    _warn_once(f"{name} folder unusable ({why}); using {fallback} for this run")
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def cache_dir() -> Path:
    """Caches (safe to lose). Re-created when deleted; a temporary one if home is read-only."""
    return _sub("cache", write=True)


def user_articles_dir() -> Path:
    """Where older versions kept the articles the user uploaded or pasted (now rows of the
    database, :mod:`geo.userdata`, which imports this folder once). Always an existing
    folder (an empty temporary one when the home is unusable)."""
    return _sub("articles", write=False)


DATABASE_NAME = "newsmap.sqlite"


def database_path() -> Path:
    """The one SQLite database of the user's work (articles, dates, corrections, caches;
    see :mod:`geo.store`)."""
    return home() / DATABASE_NAME
