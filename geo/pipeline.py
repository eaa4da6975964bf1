"""Wire the stages together: read articles, extract events, merge them, resolve places.

Extraction is a pure function of (article text, article date, extractor version), so its
output is cached on disk by that hash: a restart over an unchanged corpus does no work twice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo import articles as articles_mod
from geo import events as events_mod
from geo.models import Article, Event, Problem
from geo.paths import cache_dir


@dataclass
class Result:
    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@functools.cache
def extractor_fingerprint() -> str:
    """Hash of the code and data extraction depends on: any edit invalidates the cache."""
    h = hashlib.sha256(events_mod.EXTRACTOR_VERSION.encode())
    here = Path(__file__).resolve().parent
    files = [here / f"{m}.py" for m in ("events", "mentions", "dates", "gazetteer", "models")]
    files += sorted((here / "data").glob("*.csv"))
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


def _cache_key(article: Article) -> str:
    h = hashlib.sha256()
    for part in (extractor_fingerprint(), article.date or "", article.text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class ExtractionCache:
    """One JSON file per article, named by content hash; writes are atomic renames."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory if directory is not None else cache_dir() / "extract"
        self.directory.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> list[Event] | None:
        path = self.directory / f"{key}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        try:
            return [Event.from_dict(d) for d in data]
        except (TypeError, KeyError):
            return None

    def put(self, key: str, events: Sequence[Event]) -> None:
        payload = json.dumps([e.to_dict() for e in events], ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(payload)
        os.replace(tmp, self.directory / f"{key}.json")


def extract_all(
    articles: Sequence[Article], cache: ExtractionCache | None = None
) -> list[Event]:
    """Per-article extraction (cached), then one cross-article merge."""
    per_article: list[Event] = []
    for article in articles:
        key = _cache_key(article)
        found = cache.get(key) if cache else None
        if found is None:
            found = events_mod.extract(article)
            if cache:
                cache.put(key, found)
        per_article.extend(found)
    return events_mod.merge(per_article)


def run(
    paths: Iterable[str | Path],
    *,
    online: bool | None = None,
    extra_articles: Sequence[Article] = (),
    date_overrides: dict[str, str] | None = None,
    geocoder=None,
    use_cache: bool = True,
) -> Result:
    """Everything the CLI and the dashboard need, from files to located events.

    ``date_overrides`` maps an article name to a user-given ``YYYY-MM-DD`` publication date.
    ``geocoder`` defaults to ``geo.geocode.Geocoder(online=online)``; ``online=None`` follows
    the ``NEWSMAP_ONLINE`` environment variable.
    """
    loaded, problems = articles_mod.read_paths(paths)
    loaded.extend(extra_articles)
    loaded = articles_mod.apply_overrides(loaded, date_overrides or {})
    loaded = articles_mod.infer_missing_dates(loaded)
    cache = ExtractionCache() if use_cache else None
    events = extract_all(loaded, cache)
    if geocoder is None:
        from geo.geocode import Geocoder

        geocoder = Geocoder(online=online)
    events = geocoder.locate_events(events)
    return Result(articles=loaded, events=events, problems=problems)
