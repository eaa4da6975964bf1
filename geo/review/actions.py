"""From what the user typed to a Correction: parse and check dates, resolve places through
the geocoder, refuse what cannot be right with a message that says why.

Places are resolved here, when the user acts, and the answer is stored in the correction,
so applying corrections later (:mod:`geo.review.apply`) is pure and works offline.
"""

from __future__ import annotations

import math
import re

from geo import merge
from geo.models import CATEGORIES, Event, Place
from geo.review.corrections import REMOVE_REASONS, Correction, EventKey, event_key, fold

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISIONS = ("day", "month", "year")
STATUSES = ("occurred", "planned")


class InvalidCorrection(ValueError):
    """What the user asked cannot be saved; ``str(exc)`` says why, in plain words."""


def parse_date(text: str, precision: str | None = None) -> tuple[str, str]:
    """``"2023-07-20"`` -> (date, "day"); ``"2023-07"`` month; ``"2023"`` year. With a
    coarser ``precision`` than the text, the date is cut to it ("2023-07-20", "month")."""
    text = (text or "").strip()
    m = _DATE.match(text)
    if not m:
        raise InvalidCorrection(f"date {text!r}: write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.groups()
    if not 1800 <= int(year) <= 2200:
        raise InvalidCorrection(f"date {text!r}: the year must be between 1800 and 2200")
    if month and not 1 <= int(month) <= 12:
        raise InvalidCorrection(f"date {text!r}: no month {month}")
    if day:
        import datetime as dt

        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise InvalidCorrection(f"date {text!r}: no such day") from None
    found = "day" if day else "month" if month else "year"
    precision = precision or found
    if precision not in PRECISIONS:
        raise InvalidCorrection(f"precision {precision!r}: one of {', '.join(PRECISIONS)}")
    if PRECISIONS.index(precision) < PRECISIONS.index(found):
        raise InvalidCorrection(f"date {text!r} is not precise to the {precision}")
    return text[: {"day": 10, "month": 7, "year": 4}[precision]], precision


def place_by_name(name: str, geocoder, near: str | None = None) -> Place:
    """The geocoder's answer for ``name`` (offline unless the geocoder is online)."""
    name = fold(name or "")
    if not name:
        raise InvalidCorrection("type a place name")
    place = geocoder.geocode_query(name, near=near or None)
    if place.lat is None or place.lon is None:
        raise InvalidCorrection(f"could not place {name!r}"
                                + (f" near {near}" if near else "")
                                + "; try another spelling, add the country, or give a point")
    note = (place.note + "; " if place.note else "") + f"set by the user as {name!r}"
    return Place(**{**place.to_dict(), "note": note})


def place_by_point(lat: float, lon: float, name: str = "",
                   precision: str = "landmark") -> Place:
    """A point the user picked or typed, at the precision they say it has."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidCorrection("latitude and longitude must be numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        raise InvalidCorrection(f"({lat}, {lon}) is not a point on Earth")
    if precision not in ("landmark", "city", "region", "country"):
        raise InvalidCorrection(f"place precision {precision!r}: landmark, city, region "
                                "or country")
    return Place(name=fold(name) or f"{lat:.5f}, {lon:.5f}", lat=round(lat, 6),
                 lon=round(lon, 6), precision=precision, source="user", confidence=1.0,
                 note="point set by the user")


def _category(category: str) -> str:
    if category not in CATEGORIES:
        raise InvalidCorrection(f"category {category!r}: one of {', '.join(CATEGORIES)}")
    return category


def confirm(e: Event, hashes: dict[str, str]) -> Correction:
    return Correction("confirm", event_key(e, hashes))


def edit(e: Event, hashes: dict[str, str], *, date: str | None = None,
         date_precision: str | None = None, place: Place | None = None,
         category: str | None = None, status: str | None = None,
         title: str | None = None) -> Correction:
    """Only what differs from the event is recorded (an unchanged field is no edit)."""
    details: dict = {}
    if date is not None:
        d, p = parse_date(date, date_precision)
        if (d, p) != (e.date, e.date_precision):
            details["date"], details["date_precision"] = d, p
    if place is not None and place != e.place:
        details["place"] = place.to_dict()
    if category is not None and category != e.category:
        details["category"] = _category(category)
    if status is not None and status != e.status:
        if status not in STATUSES:
            raise InvalidCorrection(f"status {status!r}: occurred or planned")
        details["status"] = status
    if title is not None and fold(title) != e.title:
        if not fold(title):
            raise InvalidCorrection("the title cannot be empty")
        details["title"] = fold(title)[:300]
    if not details:
        raise InvalidCorrection("nothing changed")
    return Correction("edit", event_key(e, hashes), details)


def remove(e: Event, hashes: dict[str, str], reason: str) -> Correction:
    if reason not in REMOVE_REASONS:
        raise InvalidCorrection(f"reason {reason!r}: one of {', '.join(REMOVE_REASONS)}")
    return Correction("remove", event_key(e, hashes), {"reason": reason})


def merge_into(e: Event, into: Event, hashes: dict[str, str]) -> Correction:
    if into is e or into.id == e.id:
        raise InvalidCorrection("an event cannot be merged into itself")
    return Correction("merge", event_key(e, hashes), {"into": event_key(into, hashes).to_dict(),
                                                      "into_id": into.id})


def add(article: str, sentence: str, hashes: dict[str, str], *, date: str | None,
        date_precision: str | None = None, place: Place | None, category: str,
        title: str, status: str = "occurred") -> Correction:
    """An event the extractor missed, from its evidence sentence in ``article``."""
    sentence = fold(sentence)
    if not sentence:
        raise InvalidCorrection("select or type the evidence sentence")
    if article not in hashes:
        raise InvalidCorrection(f"no article named {article!r}")
    details: dict = {"article": article, "category": _category(category),
                     "title": fold(title)[:300] or f"{category.capitalize()} (added)",
                     "status": status if status in STATUSES else "occurred",
                     "date": None, "date_precision": None,
                     "place": place.to_dict() if place else None}
    if date:
        details["date"], details["date_precision"] = parse_date(date, date_precision)
    probe = Event(id="", date=details["date"], date_precision=details["date_precision"],
                  status=details["status"], category=category, title="", mention=None)
    key = EventKey(hashes[article], sentence, merge.family(probe),
                   fold(place.name).lower() if place else "")
    return Correction("add", key, details)


def undo(target: Correction) -> Correction:
    """Take ``target`` back (undoing an undo redoes what it took back)."""
    if target.id is None:
        raise InvalidCorrection("only a saved correction can be undone")
    return Correction("undo", target.key, {"target": target.id})
