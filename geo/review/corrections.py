"""What a correction is, and how it finds its event again after any re-extraction.

An event's id changes with the extractor (it hashes the merged date and place), so a
correction is keyed instead by what the text itself fixes: the hash of the article's text,
the evidence sentence (whitespace folded) and the event family that merging groups by
(:func:`geo.merge.family`). ``place_hint`` only breaks a tie when one sentence of one family
gives several events (a tally: "five killed in Caracas, two in Zulia").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from geo import merge
from geo.models import Article, Event

KINDS = ("confirm", "edit", "remove", "merge", "add", "undo")
REMOVE_REASONS = {
    "not-an-event": "not an event",
    "duplicate": "duplicate",
    "wrong-article": "wrong article",
}
REVIEW_STATUSES = ("auto", "confirmed", "edited", "added")
EDITABLE = ("date", "date_precision", "place", "category", "status", "title")
NAME_PREFIX = "name:"  # an article known only by name (a prepared events file)


def fold(text: str) -> str:
    return " ".join(text.split())


def text_hash(text: str) -> str:
    """The article's identity for corrections: its text (not the file name, not the date
    line), whitespace folded, so a renamed or re-dated copy keeps its corrections."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:20]


def article_hashes(articles: Iterable[Article]) -> dict[str, str]:
    return {a.name: text_hash(a.text) for a in articles}


class ArticleHashes(Mapping):
    """:func:`article_hashes` computed on first use: the dashboard needs them only when
    corrections are applied or one is made (10,000 articles: ~0.15 s a first load)."""

    def __init__(self, articles: Iterable[Article]):
        self._articles = articles
        self._done: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._done is None:
            self._done = article_hashes(self._articles)
        return self._done

    def __getitem__(self, name: str) -> str:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True)
class EventKey:
    article_hash: str
    sentence: str
    family: str
    place_hint: str = ""

    @property
    def match(self) -> tuple[str, str, str]:
        return (self.article_hash, self.sentence, self.family)

    def to_dict(self) -> dict:
        return {"article_hash": self.article_hash, "sentence": self.sentence,
                "family": self.family, "place_hint": self.place_hint}

    @classmethod
    def from_dict(cls, d: dict) -> EventKey:
        return cls(str(d["article_hash"]), str(d["sentence"]), str(d["family"]),
                   str(d.get("place_hint") or ""))


def _hash_of(article: str, hashes: dict[str, str]) -> str:
    return hashes.get(article) or NAME_PREFIX + article


def place_hint(e: Event) -> str:
    m = e.mention
    return fold(m.text).lower() if m is not None else ""


def event_keys(e: Event, hashes: dict[str, str]) -> list[EventKey]:
    """One key per source sentence: a merged event is found by any of them."""
    fam = merge.family(e)
    hint = place_hint(e)
    return [EventKey(_hash_of(s.article, hashes), fold(s.sentence), fam, hint)
            for s in e.sources]


def event_key(e: Event, hashes: dict[str, str]) -> EventKey:
    """The key a correction made on ``e`` is stored under (its first source). An added
    event keeps the key it was added with, an edited one the key it was found by."""
    if e.review_key:
        return EventKey.from_dict(e.review_key)
    keys = event_keys(e, hashes)
    if not keys:
        return EventKey(NAME_PREFIX + e.id, "", merge.family(e), place_hint(e))
    return keys[0]


@dataclass(frozen=True)
class Correction:
    """One action of the user on one event. ``details`` by kind:

    confirm  {}
    edit     any of {"date", "date_precision", "place" (Place.to_dict), "category",
             "status", "title"}
    remove   {"reason": one of REMOVE_REASONS}
    merge    {"into": EventKey.to_dict() of the event that absorbs this one}
    add      {"article", "date", "date_precision", "place", "category", "status", "title"}
             (the key holds the evidence sentence)
    undo     {"target": id of the correction it takes back}
    """

    kind: str
    key: EventKey
    details: dict = field(default_factory=dict)
    id: int | None = None  # the database row; None until saved
    created: str = ""
    author: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown correction kind {self.kind!r}; one of {', '.join(KINDS)}")

    def describe(self) -> str:
        d = self.details
        what = {
            "confirm": "confirmed",
            "edit": "edited " + ", ".join(k for k in EDITABLE if k in d),
            "remove": f"removed ({REMOVE_REASONS.get(d.get('reason'), d.get('reason'))})",
            "merge": "merged into another event",
            "add": f"added “{d.get('title', '')}”",
            "undo": f"undid #{d.get('target')}",
        }[self.kind]
        return f"#{self.id} {what}" if self.id is not None else what
