"""The review queue: unreviewed events, the most uncertain first (what a coder checks first).

Uncertainty is what the card already warns about: a point that is only the city or the
country, a date inferred or coarse, no date, a place taken from the article's context, a
single source. Each reason carries a weight; ties go by date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.models import Event

PLACE_WEIGHT = {"country": 3.0, "region": 2.0, "city": 1.5, "landmark": 0.0}


@dataclass(frozen=True)
class Item:
    event: Event
    score: float
    reasons: tuple[str, ...]


def uncertainty(e: Event) -> tuple[float, tuple[str, ...]]:
    score, why = 0.0, []
    p = e.place
    if p is None or p.lat is None or p.lon is None:
        score, why = score + 4.0, [*why, "not located"]
    else:
        w = PLACE_WEIGHT.get(p.precision, 1.0)
        if w:
            score += w
            why.append(f"place only at {p.precision} level")
    if e.place_from_context:
        score, why = score + 1.0, [*why, "place from the article's context"]
    if not e.date:
        score, why = score + 3.0, [*why, "no date"]
    else:
        if e.date_inferred:
            score, why = score + 2.0, [*why, "date inferred"]
        if e.date_precision in ("month", "year"):
            score += 1.0 if e.date_precision == "month" else 1.5
            why.append(f"date only to the {e.date_precision}")
    if len({s.article for s in e.sources}) <= 1:
        score, why = score + 1.0, [*why, "single source"]
    return score, tuple(why)


def needs_review(e: Event) -> bool:
    return e.review_status == "auto"


def count_reviewed(events: Iterable[Event]) -> int:
    """How many events a person has reviewed (confirmed, edited, added)."""
    if getattr(events, "columnar", False):
        return int((~events.needs_review()).sum())
    return sum(1 for e in events if not needs_review(e))


def queue(events: Iterable[Event]) -> list[Item]:
    if getattr(events, "columnar", False):  # a year of news: Items for what is shown
        return events.queue()
    items = [Item(e, *uncertainty(e)) for e in events if needs_review(e)]
    items.sort(key=lambda i: (-i.score, i.event.date or "9999", i.event.id))
    return items


REVIEW_FILTERS = {"all": "All events", "needs": "Needs review", "reviewed": "Only reviewed"}


def filter_events(events: Iterable[Event], which: str) -> list[Event]:
    if getattr(events, "columnar", False):
        return events.review_filtered(which)
    if which == "needs":
        return [e for e in events if needs_review(e)]
    if which == "reviewed":
        return [e for e in events if not needs_review(e)]
    return list(events)
