"""Pure functions behind the dashboard: date steps, modes, filters, co-located markers, cards.

Nothing here touches Streamlit or folium, so all of it is unit-tested directly.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.links import source_record
from geo.models import CATEGORIES, Event

MODES: dict[str, str] = {
    "date": "this date only",
    "upto": "up to this date",
    "all": "all dates",
}
DEFAULT_MODE = "upto"

# Category -> (colour, glyph name in newsmap.js). Colour-blind-aware, distinct at 20 px.
STYLE: dict[str, tuple[str, str]] = {
    "riot/storming": ("#d62728", "flame"),
    "attack": ("#7b1113", "burst"),
    "coup": ("#111827", "star"),
    "protest": ("#f28e2b", "megaphone"),
    "desecration": ("#8e44ad", "book"),
    "diplomatic action": ("#1f77b4", "flag"),
    "evacuation": ("#2ca02c", "exit"),
    "sanction": ("#5a6270", "ban"),
    "election": ("#e377c2", "ballot"),
    "disaster": ("#a0522d", "warning"),
    "statement": ("#17a2a2", "speech"),
}
OTHER_STYLE = ("#4b5563", "dot")


def style(category: str) -> tuple[str, str]:
    return STYLE.get(category, OTHER_STYLE)


def ordered_categories(categories: Iterable[str]) -> list[str]:
    """Legend order: the fixed taxonomy first, then anything unexpected, alphabetically."""
    cats = set(categories)
    known = [c for c in CATEGORIES if c in cats]
    return known + sorted(cats - set(CATEGORIES))


# ---- dates -----------------------------------------------------------------------------


def date_precision(date: str | None) -> str | None:
    if not date:
        return None
    return {4: "year", 7: "month", 10: "day"}.get(len(date))


def _label(date: str | None, months, undated: str) -> str:
    if not date:
        return undated
    parts = date.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {months[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{months[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):
        return date
    return date


def date_label(date: str | None) -> str:
    """'2023-07-22' -> '22 July 2023'; '2023-07' -> 'July 2023'; '2023' -> '2023'."""
    return _label(date, calendar.month_name, "Undated")


def short_label(date: str | None) -> str:
    """'2023-07-22' -> '22 Jul 2023' (slider ticks, chart axis)."""
    return _label(date, calendar.month_abbr, "undated")


def event_dates(events: Iterable[Event]) -> list[str]:
    """The distinct event dates, oldest first: the slider's steps.

    Mixed precision sorts as strings do, which puts a coarser date before the finer ones
    inside it ('2023' < '2023-07' < '2023-07-20').
    """
    return sorted({e.date for e in events if e.date})


def neighbours(dates: Sequence[str], current: str | None) -> tuple[str | None, str | None]:
    """(previous, next) date around ``current``; None at either end."""
    if not dates:
        return None, None
    if current not in dates:
        return None, dates[0]
    i = dates.index(current)
    return (dates[i - 1] if i > 0 else None, dates[i + 1] if i + 1 < len(dates) else None)


def resolve_date(dates: Sequence[str], wanted: str | None) -> str | None:
    """A date from the URL or the session, clamped to an existing step.

    Unknown or missing -> the latest date (the newest events are what users open the map for);
    a date between steps -> the last step on or before it.
    """
    if not dates:
        return None
    if wanted in dates:
        return wanted
    if wanted and _DATE_RE.match(wanted):
        earlier = [d for d in dates if d <= wanted]
        if earlier:
            return earlier[-1]
        return dates[0]
    return dates[-1]


_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def resolve_mode(wanted: str | None) -> str:
    return wanted if wanted in MODES else DEFAULT_MODE


# ---- selection -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """An event on the map for one step; ``current`` = on the selected date (not faded)."""

    event: Event
    current: bool


def select(events: Iterable[Event], date: str | None, mode: str) -> list[Shown]:
    """The events a step shows, oldest first, current ones last (drawn on top).

    * "date": events on exactly ``date``;
    * "upto": events on or before ``date``; earlier ones are not current (faded);
    * "all":  every event, undated ones included; those on ``date`` are current.
    """
    mode = resolve_mode(mode)
    out: list[Shown] = []
    for e in events:
        if mode == "date":
            if date is not None and e.date == date:
                out.append(Shown(e, True))
        elif mode == "upto":
            if date is not None and e.date and e.date <= date:
                out.append(Shown(e, e.date == date))
        else:
            out.append(Shown(e, date is not None and e.date == date))
    out.sort(key=lambda s: (s.current, s.event.date or "", s.event.id))
    return out


def is_located(e: Event) -> bool:
    return e.place is not None and e.place.lat is not None and e.place.lon is not None


def located(shown: Iterable[Shown]) -> list[Shown]:
    return [s for s in shown if is_located(s.event)]


def event_country(e: Event) -> str | None:
    if e.place and e.place.country:
        return e.place.country
    if e.place and e.place.country_code:
        return e.place.country_code
    if e.mention and e.mention.country_code:
        return e.mention.country_code
    return None


def event_articles(e: Event) -> list[str]:
    return list(dict.fromkeys(s.article for s in e.sources))


@dataclass(frozen=True)
class Facets:
    categories: list[str]
    countries: list[str]
    articles: list[str]


def facets(events: Iterable[Event]) -> Facets:
    if _columnar(events):
        return events.facets()
    events = list(events)
    cats = ordered_categories(e.category for e in events)
    countries = sorted({c for e in events if (c := event_country(e))})
    arts = sorted({a for e in events for a in event_articles(e)})
    return Facets(cats, countries, arts)


def apply_filters(
    events: Iterable[Event],
    categories: Iterable[str] | None = None,
    countries: Iterable[str] | None = None,
    articles: Iterable[str] | None = None,
    background: bool = True,
) -> list[Event]:
    """Keep events matching every non-empty filter (an empty or None filter keeps all).

    A country filter drops events with no known country; an article filter keeps an event
    cited by any of the chosen articles; ``background=False`` drops the events told as
    background (``Event.background``: "the 1999 quake").
    """
    if _columnar(events):
        return events.filtered(categories, countries, articles, background)
    cats = set(categories or ())
    ctry = set(countries or ())
    arts = set(articles or ())
    out = []
    for e in events:
        if not background and e.background:
            continue
        if cats and e.category not in cats:
            continue
        if ctry and event_country(e) not in ctry:
            continue
        if arts and not arts.intersection(event_articles(e)):
            continue
        out.append(e)
    return out


def count_background(events: Iterable[Event]) -> int:
    """How many events are told as background (``Event.background``)."""
    if _columnar(events):
        return events.count_background()
    return sum(1 for e in events if e.background)


def _columnar(events) -> bool:
    """A :class:`geo.columnar.ColumnarEvents` (a year of news as Arrow columns)."""
    return bool(getattr(events, "columnar", False))


def step_index(events: Iterable[Event]):
    """:class:`StepIndex`, or for columnar events :class:`geo.columnar.ColumnarStepIndex`
    (the same steps, built from numpy arrays)."""
    if _columnar(events):
        from geo.columnar import ColumnarStepIndex

        return ColumnarStepIndex(events)
    return StepIndex(events)


def counts_per_date(events: Iterable[Event]) -> list[tuple[str, int]]:
    c = Counter(e.date for e in events if e.date)
    return sorted(c.items())


# ---- markers ---------------------------------------------------------------------------


def colocated_slots(events: Sequence[Event], decimals: int = 4) -> dict[str, tuple[int, int]]:
    """event id -> (slot, group size) for events at the same point (~10 m).

    Events sharing a point get slots 0..n-1 in a stable order; the map fans them out around
    the point instead of stacking them (see ``_declutter`` in newsmap.js), and popups say
    how many events share the spot.
    """
    groups: dict[tuple[float, float], list[Event]] = defaultdict(list)
    for e in events:
        if is_located(e):
            key = (round(e.place.lat, decimals), round(e.place.lon, decimals))
            groups[key].append(e)
    out: dict[str, tuple[int, int]] = {}
    for members in groups.values():
        for i, e in enumerate(members):
            out[e.id] = (i, len(members))
    return out


VERIFIED_CONFIDENCE = 0.9  # geo.geocode gives a verified gazetteer row 0.9-0.95, an estimate 0.7


def point_estimated(p) -> bool:
    """A landmark whose point the geocoder only estimated (an unverified gazetteer row, a
    loose match): it must not be called exact. Confidence 0 is "not said" (an events file
    written without it), not "unsure"."""
    return p.precision == "landmark" and (0 < p.confidence < VERIFIED_CONFIDENCE
                                          or "estimate" in (p.note or "").lower())


def precision_note(e: Event) -> str:
    """Says how exact the point is; a city-level point must never pass for the spot."""
    p = e.place
    if p is None:
        return "not located"
    if p.lat is None or p.lon is None:
        return "not located" + (f" ({p.note})" if p.note else "")
    if p.precision == "landmark":
        if point_estimated(p):
            return "landmark; its point is an estimate, not a verified position"
        return "exact place (landmark)"
    where = {"city": "the city", "region": "the region", "country": "the country"}.get(
        p.precision, p.precision
    )
    return f"approximate: point is {where}, not the exact spot"


def place_label(e: Event) -> str:
    if e.place is not None:
        parts = [e.place.name]
        for extra in (e.place.city, e.place.country):
            if extra and not any(extra in p for p in parts):
                parts.append(extra)
        return ", ".join(p for p in parts if p)
    if e.mention is not None:
        return e.mention.text
    return "unknown place"


def card(e: Event, current: bool = True) -> dict:
    """Plain (unescaped) fields of an event card; the caller escapes before rendering."""
    color, glyph = style(e.category)
    return {
        "id": e.id,
        "date": e.date,
        "date_label": date_label(e.date),
        "time_of_day": e.time_of_day,
        "title": e.title,
        "category": e.category,
        "color": color,
        "glyph": glyph,
        "status": e.status,
        "place": place_label(e),
        "precision": e.place.precision if e.place else None,
        "precision_note": precision_note(e),
        "estimated": bool(e.place) and point_estimated(e.place),
        "located": is_located(e),
        "lat": e.place.lat if is_located(e) else None,
        "lon": e.place.lon if is_located(e) else None,
        "current": current,
        "sources": [source_record(s) for s in e.sources],
        "date_inferred": e.date_inferred,
        "background": e.background,
        "review_status": e.review_status or "auto",
        "original": e.original,
    }


def mark_new(cards: list[dict], new_articles: set[str]) -> list[dict]:
    """Cards with ``new`` set when one of their articles is new since the user looked."""
    if not new_articles:
        return cards
    return [c | {"new": any(s["article"] in new_articles for s in c["sources"])}
            for c in cards]


def count_new(events: Iterable[Event], new_articles: set[str]) -> int:
    if not new_articles:
        return 0
    return sum(1 for e in events if any(s.article in new_articles for s in e.sources))


def newest_date(events: Iterable[Event], new_articles: set[str]) -> str | None:
    """The latest date with an event from a new article: where "Show the newest" goes."""
    dates = [e.date for e in events
             if e.date and any(s.article in new_articles for s in e.sources)]
    return max(dates) if dates else None


def cards_for(events: Iterable[Event], date: str | None) -> list[dict]:
    """Cards of the events on ``date`` (the feed beside the map), located ones first.
    ``StepIndex.on_date`` of a columnar index gives a sequence whose cards are made only
    when read (``cards_for(...)[:MAX_CARDS]``)."""
    if hasattr(events, "cards"):
        return events.cards()
    chosen = [e for e in events if e.date == date]
    chosen.sort(key=lambda e: (not is_located(e), e.time_of_day is None, e.id))
    return [card(e) for e in chosen]


def unlocated(events: Iterable[Event]) -> list[Event]:
    return [e for e in events if not is_located(e)]


# ---- scale: a year of news -------------------------------------------------------------

# A step whose located events exceed MAX_PINS is drawn aggregated: current events stay pins
# while there are at most MAX_PINS of them, everything else becomes at most MAX_CLUSTERS
# count bubbles. What a step sends to the browser is then bounded, whatever the corpus size.
MAX_PINS = 300
MAX_CLUSTERS = 500
MAX_CARDS = 30
_GRID_DEGREES = (None, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 90.0)


class StepIndex:
    """The events sorted by date once, so a step costs O(its own events), not O(all).

    Dated events are sorted by (date, id): "this date" is a bisected slice, "up to this date"
    a prefix. Each event also has a small integer code, ``place * n_categories + category``
    (-1 when unlocated), so the events a step aggregates are counted with one ``Counter``
    over a slice of ints instead of touching Event objects.
    """

    def __init__(self, events: Iterable[Event]):
        evs = list(events)
        self.events = evs
        self.dated = sorted((e for e in evs if e.date), key=lambda e: (e.date, e.id))
        self.keys = [e.date for e in self.dated]
        self.undated = [e for e in evs if not e.date]
        self.categories = ordered_categories(e.category for e in evs)
        self._cat = {c: i for i, c in enumerate(self.categories)}
        self.places: list[tuple[float, float, str]] = []  # (lat, lon, label)
        self._pid: dict[tuple[float, float], int] = {}
        self.codes = self._codes(self.dated)
        undated_codes = self._codes(self.undated)
        self.undated_codes = Counter(c for c in undated_codes if c >= 0)
        self.unlocated_prefix = [0, *itertools.accumulate(c < 0 for c in self.codes)]
        self.n_undated_unlocated = sum(1 for c in undated_codes if c < 0)
        self.dates = sorted(set(self.keys))
        per = Counter(self.keys)
        self.per_date = [(d, per[d]) for d in self.dates]
        self.n_located = (len(self.codes) - self.unlocated_prefix[-1]
                          + len(undated_codes) - self.n_undated_unlocated)

    def _codes(self, events: list[Event]) -> list[int]:
        """Each event's code, in order: place id x categories + category, -1 when it has
        no point (:func:`is_located`); new places join ``self.places``. One loop with its
        lookups bound (2x faster than a call per event)."""
        out = []
        pid_of, places, cat = self._pid, self.places, self._cat
        n_cat = len(self.categories)
        for e in events:
            p = e.place
            if p is None or p.lat is None or p.lon is None:
                out.append(-1)
                continue
            key = (round(p.lat, 4), round(p.lon, 4))
            pid = pid_of.get(key)
            if pid is None:
                pid = pid_of[key] = len(places)
                places.append((key[0], key[1], place_label(e)))
            out.append(pid * n_cat + cat[e.category])
        return out

    def span(self, date: str | None) -> tuple[int, int]:
        """[lo, hi) of the events on exactly ``date`` in ``self.dated``."""
        if date is None:
            return 0, 0
        return bisect.bisect_left(self.keys, date), bisect.bisect_right(self.keys, date)

    def on_date(self, date: str | None) -> list[Event]:
        lo, hi = self.span(date)
        return self.dated[lo:hi]

    def step(self, date: str | None, mode: str) -> Step:
        """What a step shows: its current events, and the rest as ranges or counts."""
        mode = resolve_mode(mode)
        lo, hi = self.span(date)
        if date is None:
            lo = hi = len(self.dated) if mode == "upto" else 0
        if mode == "date":
            rest = []
        elif mode == "upto":
            rest = [(0, lo)] if date is not None else []
        else:
            rest = [(0, lo), (hi, len(self.dated))]
        n_rest = sum(b - a for a, b in rest) + (len(self.undated) if mode == "all" else 0)
        unloc = self.unlocated_prefix
        n_unloc = unloc[hi] - unloc[lo] + sum(unloc[b] - unloc[a] for a, b in rest)
        if mode == "all":
            n_unloc += self.n_undated_unlocated
        return Step(self, date, mode, lo, hi, rest, n_rest, n_unloc)


@dataclass(frozen=True)
class Step:
    index: StepIndex
    date: str | None
    mode: str
    lo: int
    hi: int
    rest: list[tuple[int, int]]  # ranges of self.index.dated shown as not current (faded)
    n_rest: int  # events not current, undated ones included in "all" mode
    n_unlocated: int

    @property
    def n_shown(self) -> int:
        return self.hi - self.lo + self.n_rest

    @property
    def current(self) -> list[Event]:
        return self.index.dated[self.lo:self.hi]

    def n_located(self) -> int:
        return self.n_shown - self.n_unlocated

    def shown(self) -> list[Shown]:
        """Every event of the step as ``select`` would return it (use for small steps)."""
        ix = self.index
        out = [Shown(e, False) for a, b in self.rest for e in ix.dated[a:b]]
        if self.mode == "all":
            out.extend(Shown(e, False) for e in ix.undated)
        out.extend(Shown(e, True) for e in self.current)
        out.sort(key=lambda s: (s.current, s.event.date or "", s.event.id))
        return out

    def rest_counts(self) -> Counter[int]:
        """Codes of the not-current located events, counted."""
        ix = self.index
        c: Counter[int] = Counter()
        for a, b in self.rest:
            c.update(ix.codes[a:b])
        if self.mode == "all":
            c.update(ix.undated_codes)
        c.pop(-1, None)
        return c

    def current_counts(self) -> Counter[int]:
        c = Counter(self.index.codes[self.lo:self.hi])
        c.pop(-1, None)
        return c


def aggregate(index: StepIndex, counts: Counter[int], max_clusters: int = MAX_CLUSTERS,
              current: bool = False) -> list[dict]:
    """Count bubbles for coded events: one per place when that fits in ``max_clusters``,
    else one per grid cell, the grid coarsened (0.5 deg, 1, 2, ... 90) until it fits.

    Each bubble: weighted centre, total, the four biggest per-category counts (category as
    an index into ``index.categories``), the two places with most events in it (for its
    tooltip) and how many places it holds. About 0.2 kB of JSON.
    """
    ncat = len(index.categories) or 1
    per_place: dict[int, Counter[int]] = defaultdict(Counter)
    for code, n in counts.items():
        per_place[code // ncat][code % ncat] += n
    if not per_place:
        return []
    for size in _GRID_DEGREES:
        cells: dict[tuple, list[int]] = defaultdict(list)
        for pid in per_place:
            lat, lon, _ = index.places[pid]
            key = (pid,) if size is None else (math.floor(lat / size), math.floor(lon / size))
            cells[key].append(pid)
        if len(cells) <= max_clusters:
            break
    out = []
    for pids in cells.values():
        cats: Counter[int] = Counter()
        n_by_place = []
        slat = slon = 0.0
        for pid in pids:
            pc = per_place[pid]
            n = sum(pc.values())
            cats.update(pc)
            lat, lon, label = index.places[pid]
            slat += lat * n
            slon += lon * n
            n_by_place.append((n, label))
        total = sum(cats.values())
        n_by_place.sort(key=lambda t: (-t[0], t[1]))
        out.append({
            "lat": round(slat / total, 4),
            "lon": round(slon / total, 4),
            "n": total,
            "current": current,
            "cats": [[i, n] for i, n in sorted(cats.items(), key=lambda t: (-t[1], t[0]))[:4]],
            "places": [[label, n] for n, label in n_by_place[:2]],
            "n_places": len(pids),
        })
    out.sort(key=lambda c: (c["n"], c["lat"], c["lon"]))  # big bubbles drawn last, on top
    return out
