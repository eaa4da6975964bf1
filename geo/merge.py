"""Merge events told more than once: one happening, one event, all its sources.

ACLED-style: events of one family at one place on a compatible date are one event;
one category per location-day in a city, except that two named spots in it (the parliament
and the supreme court set on fire) stay two events; a country-level mention folds
into the city-level event of the same kind and day. Day-precise events absorb month- or
year-precise ones that fit them; within the unrest family the most severe category names the
result; "occurred" beats "planned".
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from geo import gazetteer
from geo.mentions import SPECIFICITY
from geo.models import Event, PlaceMention


def mention_key(m: PlaceMention | None) -> tuple:
    """What makes two mentions the same place for merging."""
    if m is None:
        return ("none",)
    if m.offset_km is not None:  # "50 km north of Barcelona" is not Barcelona
        return (*mention_key(replace(m, offset_km=None, bearing=None)), m.offset_km, m.bearing)
    if m.part:  # nor is "northern Peru" Peru
        return (*mention_key(replace(m, part=None)), m.part)
    if m.kind == "mission":
        return ("mission", m.mission_of, (m.city or m.country_code or "").lower())
    if m.kind == "landmark":
        return ("landmark", gazetteer.normalize(m.text), (m.city or "").lower())
    if m.kind == "country":
        return ("country", m.country_code)
    return (m.kind, (m.city or m.text).lower())


_SEVERITY = {c: i for i, c in enumerate(["protest", "desecration", "riot/storming", "attack"])}


def _family(e: Event) -> str:
    """What merges: unrest categories at one place and day are one event (ACLED); of a
    state's diplomatic acts each kind is its own (an expulsion and a summons the same day)."""
    if e.family == "diplomatic":
        return f"diplomatic:{e.kind}"
    return e.family or ("unrest" if e.category in _SEVERITY else e.category)


def family(e: Event) -> str:
    """The family an event merges in (public: corrections are keyed by it, geo.review)."""
    return _family(e)


def _dates_compatible(a: Event, b: Event) -> bool:
    if not a.date or not b.date:
        return a.date == b.date
    short, long_ = sorted((a.date, b.date), key=len)
    return long_.startswith(short)


def _same_place(a: Event, b: Event) -> bool:
    if a.actor != b.actor:
        return False  # Italy's and Jordan's evacuations from Sudan: two operations
    if mention_key(a.mention) == mention_key(b.mention):
        return True
    if not (a.mention and b.mention):
        return False
    same_city = a.mention.city is not None and a.mention.city == b.mention.city
    # one kind of unrest told for a spot and for its city on one day is one event (ACLED
    # location-day): "a Stockholm mosque" / "in Stockholm"; two named spots stay two
    if same_city and a.category == b.category and a.status == b.status and a.date == b.date:
        return not _two_sites(a.mention, b.mention)
    # one kind of event told for a country and for a city in it, on one day, is one event
    if a.category == b.category and a.status == b.status and a.date == b.date:
        kinds = {a.mention.kind, b.mention.kind}
        if "country" in kinds and kinds != {"country"} and (
                a.mention.country_code == b.mention.country_code):
            return True
    # a place taken only from the article's context joins any event in that city; a region
    # taken so, any event of its kind and day in that country ("Evacuation in North Sumatra"
    # told without a place of its own is the evacuation at Mount Sinabung)
    if a.category in ("disaster", "evacuation") and a.date == b.date and (
            a.mention.country_code == b.mention.country_code) and any(
            e.place_from_context and e.mention.kind == "region" for e in (a, b)):
        return True
    return same_city and (a.place_from_context or b.place_from_context)


def _two_sites(a: PlaceMention, b: PlaceMention) -> bool:
    """Two named spots of one city ("the supreme court" and "Hasina's office at Dhanmondi"),
    each a happening of its own; a spot and its city told plainly are one."""
    return (a.kind in ("landmark", "mission") and b.kind in ("landmark", "mission")
            and mention_key(a) != mention_key(b))


def merge(events: Sequence[Event]) -> list[Event]:
    """One event per family, compatible date and place; keeps every source sentence.

    Day-precise events absorb month- or year-precise ones that fit them; within the unrest
    family the most severe category names the result (ACLED codes one event per
    location-day); "occurred" beats "planned".
    """
    return [m for _rank, m in sorted(merge_ranked(events), key=output_order)]


def output_order(item: tuple[tuple, Event]) -> tuple:
    """Sort key of :func:`merge_ranked`'s items: the merged list's order."""
    rank, e = item
    return (e.date or "9999", e.time_of_day or "", e.title, rank)


def _order(e: Event) -> tuple:
    return ({"day": 0, "month": 1, "year": 2}.get(e.date_precision or "", 3),
            e.place_from_context, e.date or "")


def merge_ranked(events: Sequence[Event],
                 positions: Sequence[int] | None = None) -> list[tuple[tuple, Event]]:
    """:func:`merge`'s events, unsorted, each with the rank of the event that made it:
    (its merge order, its position in ``events``, or ``positions[i]`` when given: where it
    sits in a larger list this one is a part of). Sorting by :func:`output_order` gives
    :func:`merge`'s list; so parts that cannot merge with each other (see
    :func:`merge_part`) can be merged apart and put together in the same order."""
    pos = positions if positions is not None else range(len(events))
    ordered = sorted(range(len(events)), key=lambda i: _order(events[i]))
    made: list[tuple[tuple, Event]] = []
    # Targets indexed by family and date prefix, so a corpus of a year of news merges in
    # near-linear time: a day-precise event only meets events of its day, "2023-06" only
    # those of June (day-precise events come first, so nothing finer arrives later).
    index: dict[tuple[str, str | None], list[Event]] = defaultdict(list)
    for i in ordered:
        e = events[i]
        fam = _family(e)
        candidates = index[(fam, e.date)]
        # the same place first: a spot's protest joins the riot at that spot, not a protest
        # told for the whole country that would then take the spot and swallow the riot
        target = next((m for m in candidates if m.actor == e.actor
                       and mention_key(m.mention) == mention_key(e.mention)), None)
        if target is None:
            target = next((m for m in candidates if _same_place(m, e)), None)
        if target is None:
            target = _copy(e)
            made.append(((_order(e), pos[i]), target))
            for key in {e.date, (e.date or "")[:7] or None, (e.date or "")[:4] or None}:
                index[(fam, key)].append(target)
            continue
        _absorb(target, e)
    for _rank, m in made:
        m.id = _event_id(m)
    return made


def merge_parts(events: Sequence[Event]) -> list[tuple]:
    """For each event, the part of the corpus it can merge in: events of different parts
    never meet in :func:`merge` (a target is found by its family and its date or the date's
    month or year prefix). A family's year is one part when an event of it is dated only to
    the year (or oddly); else a month with a month-dated event is one; else each day."""
    return parts_of([(_family(e), e.date) for e in events])


def parts_of(fam_dates: Sequence[tuple[str, str | None]]) -> list[tuple]:
    """:func:`merge_parts` from each event's (:func:`family`, date) alone: what an
    incremental run keeps of the events it does not load (geo.pipeline)."""
    coarse_year: set[tuple] = set()
    coarse_month: set[tuple] = set()
    for fam, d in fam_dates:
        if d is None:
            continue
        if len(d) == 7:
            coarse_month.add((fam, d))
        elif len(d) != 10:
            coarse_year.add((fam, d[:4]))
    out = []
    for fam, d in fam_dates:
        if d is None:
            out.append((fam, None))
        elif (fam, d[:4]) in coarse_year:
            out.append((fam, d[:4]))
        elif (fam, d[:7]) in coarse_month:
            out.append((fam, d[:7]))
        else:
            out.append((fam, d))
    return out


def _copy(e: Event) -> Event:
    return replace(e, sources=list(e.sources))


def _absorb(target: Event, e: Event) -> None:
    for s in e.sources:
        if s not in target.sources:
            target.sources.append(s)
    if _family(target) == "unrest" and _SEVERITY.get(e.category, -1) > _SEVERITY.get(
        target.category, -1
    ):
        target.category = e.category
        target.title = e.title
        target.kind = e.kind
    if e.status == "occurred" and target.status == "planned":
        target.status = "occurred"
        target.title = target.title.replace(" planned", "").replace("threatens to cut", "cuts")
    if (target.place_from_context and not e.place_from_context) or (
        target.mention and e.mention
        and SPECIFICITY.get(e.mention.kind, 0) > SPECIFICITY.get(target.mention.kind, 0)
    ):
        target.mention = e.mention
        target.title = e.title
        target.place_from_context = e.place_from_context
    if len(e.date or "") > len(target.date or ""):
        target.date, target.date_precision = e.date, e.date_precision
    target.time_of_day = target.time_of_day or e.time_of_day
    target.date_inferred = target.date_inferred and e.date_inferred


def _event_id(e: Event) -> str:
    key = "|".join([_family(e), e.date or "", repr(mention_key(e.mention))])
    return hashlib.sha1(key.encode()).hexdigest()[:12]
