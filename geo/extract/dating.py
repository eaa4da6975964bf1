"""When a trigger's event happened: its own time expression in its clause, never the date
of the reporting ("officials said on Tuesday"), else the article's focal day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from geo.dates import TimeRef
from geo.extract.sentences import TIMESTAMP
from geo.extract.triggers import Hit

FLASHBACK = re.compile(r"\bhad\s+(?:been\s+)?\w+ed\b|\bhad\s+(?:been\s+)?\w+en\b", re.I)


def focal_date(refs: Sequence[Sequence[TimeRef]], pub: dt.date | None,
                reporting: Sequence[bool] = (), sentences: Sequence[str] = ()) -> str | None:
    """The day an article is about: the first event day its lead gives (news puts the main
    event first), else its most-mentioned recent day, else its date."""
    if pub is None:
        return None
    stamps = {i for i, s in enumerate(sentences) if TIMESTAMP.match(s)}
    refs = [() if i in stamps else r for i, r in enumerate(refs)]
    lead = [i for i, ok in enumerate(reporting) if ok and i not in stamps][:3]

    def recent(r: TimeRef) -> bool:
        return (r.precision == "day" and bool(r.value) and r.kind != "anchor"
                and pub - dt.timedelta(days=7) <= dt.date.fromisoformat(r.value) <= pub)

    def ahead(i: int, r: TimeRef) -> bool:
        return i < len(sentences) and bool(_AHEAD.search(sentences[i][max(0, r.start - 80)
                                                                      : r.start]))

    for i in lead:
        for r in refs[i]:
            if recent(r) and not r.reported and not ahead(i, r):
                return r.value
    counts: Counter = Counter()
    for i, sentence_refs in enumerate(refs):
        for r in sentence_refs:
            if r.precision == "day" and r.value and r.kind != "anchor" and not r.reported and (
                    not ahead(i, r)):
                d = dt.date.fromisoformat(r.value)
                if pub - dt.timedelta(days=7) <= d <= pub:
                    counts[r.value] += 1
    if not counts:
        for i in lead:  # "Saudi Arabia cut ties ..., the minister said Sunday"; but not
            for r in refs[i]:  # "a cyclone due to make landfall on Friday" (still to come)
                if recent(r) and r.reported and not (i < len(sentences) and _FUTURE.search(
                        sentences[i][max(0, r.start - 40) : r.start])):
                    return r.value
        return pub.isoformat()
    top = max(counts.values())
    return max(v for v, c in counts.items() if c == top)


# "it is set to make landfall in Puri some time Friday afternoon", "a possibility of heavy
# rainfall on Thursday": a day still to come
_AHEAD = re.compile(r"\b(?:will|(?:due|expected|set|forecast|scheduled)\s+to|possibility|likely|"
                    r"forecasts?|(?-i:may|could))\b", re.I)


_REPORTED = re.compile(
    r"\b(?:said|says|told\s+(?:\w+\s+){0,3}|reported|announced|added|confirmed|stated|wrote|"
    r"tweeted|declared|warned|statement|briefing|conference)\s+(?:late\s+|early\s+)?(?:on\s+)?$|"
    r"\b(?:published|updated|posted)(?:\s+on)?\s*:?\s*$",  # "Published: 14 Aug. 2025, 10:59"
    re.I,
)


# "GONZALO SOLANO October 10 2019 QUITO Ecuador Thousands of protesters ...": a dateline's
# date, the telling's, before the capitals of its place
_DATELINE_AFTER = re.compile(r"\s*[,:—–-]?\s*[A-Z]{3,}\b(?![a-z])")


_FUTURE = re.compile(r"\b(?:will|would|is\s+to|are\s+to|plans?\s+to|set\s+to|(?:due|expected|"
                     r"scheduled|slated|forecast)\s+to)\s+(?:\w+\s+){0,3}$", re.I)


_CLAUSE_BREAK = re.compile(r"\b(?:after|before|when|while|following|because|since|until|as|"
                           r"hours\s+after|days\s+after)\b|[;:—–]|\s-\s", re.I)


def mark_reported(sentence: str, refs: list[TimeRef]) -> list[TimeRef]:
    """Flag dates that belong to the reporting ("officials said on Tuesday"), not the event,
    and dates of something still to come ("will step down on Wednesday")."""
    out = []
    for r in refs:
        before = sentence[max(0, r.start - 40) : r.start]
        flagged = bool(_REPORTED.search(before) or _FUTURE.search(before) or (
            r.start <= 60 and r.kind == "absolute" and r.precision == "day"
            and _DATELINE_AFTER.match(sentence, r.end)))
        out.append(replace(r, reported=True) if flagged else r)
    return out


# ", who was democratically elected in 2021,": a relative clause between commas dates its
# own verb, not the trigger outside it ("Soldiers detained President Bazoum, who ..., on
# Wednesday")
_ASIDE = re.compile(r",\s+(?:who|whom|whose|which)\b[^,;:—–]*(?:,|$)", re.I)


_PAREN = re.compile(r"\([^()]*\)")


_PREPOSITION_AT_END = re.compile(r"\b(?:since|until|before|after)\s+$", re.I)


def _same_clause(sentence: str, a: int, b: int, day: bool = False) -> bool:
    lo, hi = sorted((a, b))
    gap = sentence[lo:hi]
    if day:  # "a fire raging since Wednesday": a preposition before the day, not a break
        gap = _PREPOSITION_AT_END.sub("", gap)
    if b < a:  # "An earthquake killed two people, after it struck Iran on Sunday": the
        gap = _SAME_SUBJECT.sub(" ", gap)  # clause after tells the trigger's own event
    return not _CLAUSE_BREAK.search(gap)


_SAME_SUBJECT = re.compile(r",?\s+(?:after|when|as)\s+(?:it|they)\s+(?=(?:\w+\s+){0,1}(?:struck|"
                           r"hit|erupted|exploded|began|started|broke\s+out|made\s+landfall|"
                           r"swept|tore|ripped|slammed))", re.I)


def refs_for(refs: Sequence[TimeRef], hit: Hit, sentence: str = "",
              planned: bool = False) -> list[TimeRef | None]:
    """The time expressions that date this trigger: the nearest in its clause, or every day of
    a list ("demonstrations on Thursday 29 June, Friday 30 June and Thursday 20 July"); never
    the date of the reporting ("officials said on Tuesday")."""
    act = hit.trigger.family in ("ties", "diplomatic", "sanction")  # announcing is the act
    asides = [m.span() for m in _ASIDE.finditer(sentence)  # but "The protests, which began
              if not m.start() <= hit.start < m.end()  # in late June": the trigger's own
              and sentence[hit.end : m.start()].strip()] + [
        m.span() for m in _PAREN.finditer(sentence)  # "ordered him to leave (see Thursday's
        if not m.start() <= hit.start < m.end()]  # post)": the paper's day, not the order's
    usable = [r for r in refs if r.value and (planned or act or not r.reported)
              and not any(a <= r.start < b for a, b in asides)
              and not (_possessive(r, sentence) and not 0 <= hit.start - r.end <= 40)
              and not (r.kind == "prior" and hit.start < r.end)]  # "The protest came two
    # years after a previous coup": the coup's date, not the protest's
    every = usable
    same = [r for r in usable if _same_clause(sentence, r.start, hit.start,
                                              r.precision == "day")]
    # past a clause break after the trigger a date is the other clause's: "recalled its
    # ambassador after the decision in July"; before it, it may still set the scene
    usable = same or [r for r in usable if r.end <= hit.start]
    if not usable:
        return [None]
    days = [r for r in usable if r.precision == "day" and r.kind != "anchor"]
    if len(days) >= 2 and hit.text.lower().endswith("s"):
        return list(days)
    nearest = _nearest_time(usable, hit)
    if nearest is not None and nearest.precision == "year" and nearest.kind == "absolute":
        # "In one incident in 2015, ... killed in a blast ... as they filled cylinders on
        # Christmas Eve": the sentence's day of that year says when within it
        finer = [r for r in every if r.precision == "day" and r.kind != "anchor"
                 and r.value.startswith(nearest.value) and not re.search(
                     r"[;:—–]", sentence[min(r.end, nearest.end) : max(r.start, nearest.start)])]
        if finer:
            return [_nearest_time(finer, hit)]
    return [nearest]


def _possessive(r: TimeRef, sentence: str) -> bool:
    """ "next year's hikes", "last year's clashes", "Sunday's quake": the date of the noun it
    is the possessive of, not of a trigger elsewhere in the sentence."""
    return r.text.endswith(("'s", "’s")) or sentence.startswith(("'s", "’s"), r.end)


def _nearest_time(refs: Sequence[TimeRef], hit: Hit) -> TimeRef | None:
    """The time expression that belongs to this trigger: nearest, preferring the same clause."""
    usable = [r for r in refs if r.value]
    if not usable:
        return None
    return min(usable, key=lambda r: abs((r.start + r.end) / 2 - (hit.start + hit.end) / 2))
