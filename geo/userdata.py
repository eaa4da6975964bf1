"""The user's own articles and dates, kept in the user data folder across restarts.

``<home>/articles/*.txt``  uploaded or pasted articles (processed like the seeds)
``<home>/dates.json``      publication dates the user gave to undated articles

The dashboard calls these; they never raise on bad input, they return a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from geo import articles as articles_mod
from geo.paths import home, user_articles_dir

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A plain ``.txt`` file name from whatever the browser sent (no paths, no dot-files)."""
    base = Path(name.replace("\\", "/")).name
    stem = _SAFE.sub("-", Path(base).stem).strip("-.")[:80] or "article"
    return f"{stem}.txt"


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def save_article(name: str, raw: bytes) -> tuple[str | None, str | None]:
    """Validate and keep one article. Returns (saved name, None) or (None, reason)."""
    fname = safe_name(name)
    if not name.lower().endswith(".txt"):
        return None, f"{name}: not a .txt file"
    article, problems = articles_mod.parse_bytes(fname, raw)
    if article is None:
        reasons = "; ".join(p.reason for p in problems) or "unreadable"
        return None, f"{name}: {reasons}"
    folder = user_articles_dir()
    target = folder / fname
    if target.exists() and target.read_bytes() != raw:
        h = hashlib.sha256(raw).hexdigest()[:8]
        target = folder / f"{Path(fname).stem}-{h}.txt"
    _write_atomic(target, raw)
    return target.name, None


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
    return sorted(p.name for p in user_articles_dir().glob("*.txt"))


def remove_article(name: str) -> bool:
    target = user_articles_dir() / safe_name(name)
    if target.name != name or not target.exists():
        return False
    target.unlink()
    overrides = load_dates()
    if overrides.pop(name, None) is not None:
        save_dates(overrides)
    return True


def _dates_file() -> Path:
    return home() / "dates.json"


def load_dates() -> dict[str, str]:
    try:
        data = json.loads(_dates_file().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def save_dates(dates: dict[str, str]) -> None:
    _write_atomic(_dates_file(), json.dumps(dates, indent=1, sort_keys=True).encode("utf-8"))


def set_date(article: str, date: dt.date | None) -> None:
    dates = load_dates()
    if date is None:
        dates.pop(article, None)
    else:
        dates[article] = date.isoformat()
    save_dates(dates)


def signature() -> str:
    """Changes whenever the user's articles or dates change (a cache key)."""
    h = hashlib.sha256()
    for p in sorted(user_articles_dir().glob("*.txt")):
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    h.update(json.dumps(load_dates(), sort_keys=True).encode())
    return h.hexdigest()
