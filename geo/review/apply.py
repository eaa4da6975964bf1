"""Corrections on top of an extraction: a pure function, run after every extraction.

Nothing here reads or writes: the same (events, corrections, article hashes) always give
the same reviewed events. A correction whose event the extractor no longer produces is
returned in ``unmatched``, never dropped in silence.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from geo.models import Event, Place, Source
from geo.review.corrections import EDITABLE, Correction, EventKey, event_keys, fold, place_hint


@dataclass
class Reviewed:
    events: list[Event]
    unmatched: list[Correction] = field(default_factory=list)
    removed: list[tuple[Event, Correction]] = field(default_factory=list)  # removed, merged
    history: dict[str, list[Correction]] = field(default_factory=dict)  # event id -> its own


def active(corrections: Iterable[Correction]) -> list[Correction]:
    """The corrections still in force, oldest first: an undo cancels its target (an undone
    undo cancels nothing, so undoing an undo redoes)."""
    ordered = sorted(corrections, key=lambda c: c.id or 0)
    cancelled: set[int] = set()
    for c in reversed(ordered):
        if c.kind == "undo" and c.id not in cancelled:
            target = c.details.get("target")
            if isinstance(target, int):
                cancelled.add(target)
    return [c for c in ordered if c.kind != "undo" and c.id not in cancelled]


def _place(value) -> Place | None:
    return Place.from_dict(value) if isinstance(value, dict) else None


def _value(e: Event, name: str):
    value = getattr(e, name)
    return value.to_dict() if isinstance(value, Place) else value


def _set(e: Event, name: str, value) -> None:
    setattr(e, name, _place(value) if name == "place" else value)


def added_event(c: Correction) -> Event:
    d = c.details
    digest = hashlib.sha1(repr(sorted(c.key.to_dict().items())).encode()).hexdigest()[:10]
    return Event(
        id=f"u-{digest}", date=d.get("date") or None, date_precision=d.get("date_precision"),
        status=d.get("status") or "occurred", category=d.get("category") or "protest",
        title=d.get("title") or "Event", mention=None,
        sources=[Source(d.get("article") or "", c.key.sentence)], place=_place(d.get("place")),
        review_status="added", review_key=c.key.to_dict(),
    )


class _Index:
    """Events by (article hash, sentence, family); removed ones are skipped."""

    def __init__(self, events: Sequence[Event], hashes: dict[str, str]):
        self.by_key: dict[tuple, list[Event]] = defaultdict(list)
        self.gone: set[int] = set()
        for e in events:
            for k in event_keys(e, hashes):
                self.add(k, e)

    def add(self, key: EventKey, e: Event) -> None:
        bucket = self.by_key[key.match]
        if all(x is not e for x in bucket):
            bucket.append(e)

    def find(self, key: EventKey) -> Event | None:
        found = [e for e in self.by_key.get(key.match, ()) if id(e) not in self.gone]
        if len(found) > 1 and key.place_hint:
            found = [e for e in found if place_hint(e) == key.place_hint] or found
        return found[0] if found else None


def apply(events: Sequence[Event], corrections: Iterable[Correction],
          hashes: dict[str, str]) -> Reviewed:
    """The reviewed events, with ``review_status`` and ``original`` set, removed and merged
    ones left out, added ones appended. The input is not changed: an event a correction
    touches is copied first, the others are passed through as they are (10,000 events and
    a few corrections cost a few copies, not 10,000)."""
    todo = active(corrections)
    if not todo:  # (columnar events, geo.columnar: read-only, kept as they are)
        return Reviewed(events if getattr(events, "columnar", False) else list(events))
    out = list(events)
    index = _Index(out, hashes)
    copies: dict[int, Event] = {}

    def touch(e: Event) -> Event:
        got = copies.get(id(e))
        if got is None:
            got = copies[id(e)] = replace(e, sources=list(e.sources))
        return got

    reviewed = Reviewed(out)
    for c in todo:
        if c.kind == "add":
            new = added_event(c)
            copies[id(new)] = new
            out.append(new)
            index.add(c.key, new)
            reviewed.history.setdefault(new.id, []).append(c)
            continue
        found = index.find(c.key)
        if found is None:
            reviewed.unmatched.append(c)
            continue
        e = touch(found)
        if c.kind == "merge":
            into_key = c.details.get("into")
            target = index.find(EventKey.from_dict(into_key)) if isinstance(
                into_key, dict) else None
            if target is None or target is found:
                reviewed.unmatched.append(c)
                continue
            into = touch(target)
            for s in e.sources:
                if s not in into.sources:
                    into.sources.append(s)
            for k in event_keys(e, hashes):
                index.add(k, target)
            into.review_note = (into.review_note + f" merged from {e.id};").strip()
            reviewed.history.setdefault(into.id, []).append(c)
        e.review_key = e.review_key or c.key.to_dict()
        reviewed.history.setdefault(e.id, []).append(c)
        if c.kind in ("remove", "merge"):
            index.gone.add(id(found))
            reviewed.removed.append((e, c))
        elif c.kind == "confirm":
            if e.review_status == "auto":
                e.review_status = "confirmed"
        elif c.kind == "edit":
            _edit(e, c.details)
    reviewed.events = [copies.get(id(e), e) for e in out if id(e) not in index.gone]
    return reviewed


def _edit(e: Event, details: dict) -> None:
    original = dict(e.original or {})
    for name in EDITABLE:
        if name not in details:
            continue
        if e.review_status != "added":
            original.setdefault(name, _value(e, name))
        _set(e, name, details[name])
    if "date" in details and e.review_status != "added":
        original.setdefault("date_inferred", e.date_inferred)
        e.date_inferred = False
    if "title" in details:
        e.title = fold(str(details["title"])) or e.title
    e.original = original or None
    if e.review_status != "added":
        e.review_status = "edited"
