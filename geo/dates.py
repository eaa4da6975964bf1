"""Find time expressions in a sentence and resolve them against the article's date.

Rules, not a general date parser: news text says "early on Saturday", "a day earlier",
"in late June", and general parsers either miss these or resolve weekdays a week off
(see ../shared/reference/toolchain-notes.md). A weekday names the most recent such day on
or before the article's date (a Saturday article's "on Saturday" is that same day); for a
planned event it names the next such day on or after it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo.literals import may_match, needed

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ]
    )
    for name in names
}
_MORE_NUMBERS = {"eight": 8, "nine": 9, "ten": 10}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "several": None}

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WD = r"(?:(?P<wd>" + "|".join(WEEKDAYS) + r")(?:,)?\s+)?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_TOD_WORDS = r"morning|afternoon|evening|night|early hours|small hours"

# Order matters: longer, more specific patterns first; matched spans are consumed.
# "two years later": counted from the year the story is in (find_times's ``year``)
YEARS_ON = re.compile(r"\b(?P<n>a|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
                      r"\s+years?\s+(?P<dir>later|earlier)\b", re.I)
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b")),
    ("mdy", re.compile(_WD + _MON + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b")),
    ("dmy", re.compile(_WD + r"(?:the\s+)?" + _DAY + r"(?:\s+of)?\s+" + _MON + r",?\s+" + _YEAR
                       + r"\b")),
    ("md", re.compile(_WD + _MON + r"\s+" + _DAY + r"\b(?!\s*[:.]\d)(?!,?\s+(?:19|20)\d\d)"
                      r"(?!\s+(?:[Mm]ovement|[Yy]outh|[Gg]roup|[Cc]oalition|[Aa]lliance))")),
    ("dm", re.compile(_WD + r"(?:the\s+)?" + _DAY + r"(?:\s+of)?\s+" + _MON + r"\b")),
    ("my", re.compile(r"(?:(?P<part>early|mid|late)[\s-]+)?" + _MON + r",?\s+" + _YEAR + r"\b")),
    ("m_rel", re.compile(r"\b(?:(?i:in|since|during|until|by|from|of)\s+)?(?:(?P<part>early|mid|"
                         r"late)[\s-]+)?" + _MON + r"\s+(?P<rel>(?i:last|this|next))\s+year\b")),
    ("holiday", re.compile(r"\b(?P<hol>Christmas\s+(?:Day|Eve)|New\s+Year['’]s\s+(?:Day|Eve)|"
                           r"Boxing\s+Day)\b")),
    ("weeks_ago", re.compile(r"\b(?:(?:a\s+few|several|some|a\s+couple\s+of|two|three|four|"
                             r"\d)\s+)?weeks\s+ago\b", re.I)),
    ("m", re.compile(r"\b(?i:in|since|during|until|through|by|from|of|last|this(?:\s+past)?|"
                     r"next|past)\s+"
                     r"(?:(?P<part>early|mid|late)[\s-]+)?" + _MON + r"\b(?!\s+\d)")),
    # "USA Today reported", NBC's "Today" show: a capitalised Today inside a sentence is a name
    ("rel_day", re.compile(
        r"\b(?!(?<=[\w’'] )(?-i:Today))(?!(?<=[\"“])(?-i:Today))"
        r"(?P<rel>today|tonight|yesterday|last night|this morning|this afternoon|"
        r"this evening|the day before yesterday|(?<!day\s)overnight(?!\s+(?:on\s+|between\s+|"
        r"from\s+|into\s+)?(?-i:[A-Z])))\b", re.I)),
    ("week", re.compile(r"\b(?P<rel>last|earlier\s+this|this\s+past|the\s+previous|the\s+past)\s+"
                        r"week\b(?!['’]s?\s+(?:election|vote|poll|summit))", re.I)),
    ("weekend", re.compile(r"\b(?P<rel>last|this\s+past|over\s+the|at\s+the|on\s+the|"
                           r"during\s+the)\s+weekend\b", re.I)),
    ("rel_span", re.compile(r"\b(?P<rel>last|this|next)\s+(?P<unit>month|year)\b", re.I)),
    ("ago", re.compile(r"\b(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})"
                       r"\s+(?P<unit>years?|months?|decades?)\s+ago\b", re.I)),
    ("years_on", YEARS_ON),
    # "It came only a year after the volcano last erupted", "More than two years after
    # launching its coup, the military ...": what follows was that long before the article
    ("prior", re.compile(
        r"(?:\b(?:came|comes|come|coming|occurred|occurs|happened|happens|took\s+place)\s+|^|"
        r"(?<=\d),\s+)(?:(?:only|just|nearly|almost|about|some|more\s+"
        r"than|less\s+than)\s+)?(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
        r"\d{1,2})\s+(?P<unit>years?|months?)\s+after\b", re.I)),
    ("anchor", re.compile(
        r"\b(?P<n>a|an|one|two|three|four|five|six|seven|several|\d+)\s+(?P<unit>days?|hours?|weeks?)\s+"
        r"(?P<dir>earlier|later|before|after(?:wards)?|ago)\b", re.I)),
    ("anchor_fixed", re.compile(
        r"\b(?P<rel>the (?:previous|next|following) day|the day (?:before|after)|"
        r"later that day|that same day|the same day|the day earlier|that night|"
        r"(?:several |a few )?hours later|moments later|shortly after(?:wards)?)\b", re.I)),
    # "in the night between Saturday and Sunday", "Saturday night into Sunday": Saturday's
    ("night_span", re.compile(
        r"\b(?:(?:the\s+)?night\s+(?:between|from)\s+(?P<wd>" + "|".join(WEEKDAYS) + r")\s+"
        r"(?:and|to|into)\s+(?:" + "|".join(WEEKDAYS) + r")|(?P<wd2>" + "|".join(WEEKDAYS)
        + r")\s+night\s+(?:into|to|and)\s+(?:early\s+)?(?:" + "|".join(WEEKDAYS) + r"))\b")),
    ("weekday", re.compile(
        r"(?:\b(?P<pre>early on|late on|on|at dawn on|at dusk on|last|this|next|"
        r"(?:the\s+)?(?:early|small) hours of|(?:the\s+)?(?:morning|afternoon|evening|night)"
        r"\s+of)\s+)?\b(?P<wd>" + "|".join(WEEKDAYS) + r")(?:['’]s)?"
        r"(?:\s+(?P<post>" + _TOD_WORDS + r"))?\b")),
    ("year", re.compile(r"(?<![\d,.$£€#/-])\b" + _YEAR + r"\b(?![\d%/]|,\d|-year|\s*(?:years?|"
                        r"people|seats|km|kilometres|miles|troops|dead)\b)")),
]
_HOLIDAYS = {"christmas day": (12, 25), "christmas eve": (12, 24), "boxing day": (12, 26),
             "new year's day": (1, 1), "new year's eve": (12, 31)}
_TOD_BEFORE = re.compile(r"((?:early|small) hours|morning|afternoon|evening|night|dawn)\s+of\s+"
                         r"(?:the\s+)?$", re.I)
_CLOCK = re.compile(
    r"\b(?:at|from|by|around|about|after|before|until)\s+(?P<h>[01]?\d|2[0-3])(?:[:.](?P<mi>[0-5]\d))?"
    r"\s*(?P<ap>a\.?m\.?|p\.?m\.?)?(?=[\s,.;)]|$)|\bat\s+(?P<word>noon|midnight|dawn|dusk)\b",
    re.I,
)


# Patterns that can only match a sentence holding this word (lowercased).
_NEEDS = {"week": "week", "weekend": "weekend", "night_span": "night", "weeks_ago": "weeks",
          "years_on": "year", "ago": "ago", "prior": "after"}


_NEEDED = {kind: needed(pattern) for kind, pattern in _PATTERNS}  # geo.literals


# Cheap pre-check: a sentence with none of these has no time expression.
_TIME_WORDS = (r"day\b|week|night|month|year|hours?\b|later|earlier|ago|before|after|christmas|"
               + "|".join(sorted(MONTHS, key=len, reverse=True)))
_ANY_TIME = re.compile(r"\d|" + _TIME_WORDS, re.I)
# ... and a cheaper one before it: a digit, or one of the words as substrings (geo.literals)
_DIGIT = re.compile(r"\d")
_TIME_WORDS_NEEDED = needed(re.compile(_TIME_WORDS, re.I))


@dataclass(frozen=True)
class TimeRef:
    """A resolved time expression. ``value`` is ISO at ``precision`` or None if unresolvable."""

    start: int
    end: int
    text: str
    value: str | None
    precision: str  # "day" | "month" | "year"
    time_of_day: str | None = None
    # "absolute", "deictic" (relative to the article date), "anchor", "prior" (the date of
    # what the text tells after it: "came a year after the volcano last erupted")
    kind: str = "absolute"
    part: str | None = None  # "early" / "mid" / "late" for "in late June"
    reported: bool = False  # the date of the telling ("said on Tuesday"), set by the caller
    offset: int = 0  # for kind "anchor": days from the anchor ("a day earlier" = -1)


MIN_YEAR, MAX_YEAR = 1800, 2200  # dates outside are typos or attacks, not news


def in_range(value: str) -> bool:
    """A resolved date ("YYYY", "YYYY-MM" or "YYYY-MM-DD") within the years news can name."""
    try:
        return MIN_YEAR <= int(value[:4]) <= MAX_YEAR
    except ValueError:
        return False


def _iso(d: dt.date) -> str:
    return d.isoformat()


def weekday_on_or_before(ref: dt.date, weekday: int) -> dt.date:
    return ref - dt.timedelta(days=(ref.weekday() - weekday) % 7)


def weekday_on_or_after(ref: dt.date, weekday: int) -> dt.date:
    return ref + dt.timedelta(days=(weekday - ref.weekday()) % 7)


def _year_for(month: int, day: int | None, ref: dt.date, future: bool) -> int:
    """A date without a year: the article's year, unless that puts it clearly on the wrong side."""
    year = ref.year
    try:
        candidate = dt.date(year, month, day or 1)
    except ValueError:
        return year
    slack = dt.timedelta(days=14)
    if not future and candidate > ref + slack:
        if day and candidate <= ref + dt.timedelta(days=75):
            return year  # "in June 26 polls", told in May: this June's, not last year's
        return year - 1
    if future and candidate < ref - dt.timedelta(days=60):
        return year + 1
    return year


def _time_of_day(pre: str | None, post: str | None) -> str | None:
    words = " ".join(w for w in (pre or "", post or "") if w).lower()
    for key, label in (
        ("dawn", "dawn"),
        ("dusk", "dusk"),
        ("early hours", "early hours"),
        ("small hours", "early hours"),
        ("early on", "early morning"),
        ("morning", "morning"),
        ("afternoon", "afternoon"),
        ("evening", "evening"),
        ("night", "night"),
        ("late on", "late"),
    ):
        if key in words:
            return label
    return None


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_times(
    sentence: str,
    ref: dt.date | None,
    *,
    anchor: dt.date | None = None,
    future: bool = False,
    year: int | None = None,
) -> list[TimeRef]:
    """All time expressions in ``sentence``, left to right, resolved where possible.

    ``ref`` is the article's date; ``anchor`` the date of the event the narrative is on
    (for "a day earlier", "hours later"); ``year`` the year the narrative is in (for "two
    years later"); ``future`` resolves weekdays forwards.
    """
    lower = sentence.lower()
    if not (_DIGIT.search(sentence) or may_match(_TIME_WORDS_NEEDED, lower, sentence)) or (
            not _ANY_TIME.search(sentence)):
        return []
    taken: list[tuple[int, int]] = []
    found: list[TimeRef] = []
    yearless: set[int] = set()  # starts of days told without their year ("on March 5")

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        if (need := _NEEDS.get(kind)) is not None and need not in lower:
            continue  # cheap: most sentences have no "week" or "night" at all
        if not may_match(_NEEDED[kind], lower, sentence):
            continue  # nor the words the pattern itself must match (a month, a weekday)
        for m in pattern.finditer(sentence):
            if not free(m.start(), m.end()):
                continue
            try:
                ref_obj = (_years_on(m, year) if kind == "years_on"
                           else _resolve(kind, m, ref, anchor, future))
            except (OverflowError, ValueError):  # "1000000 days ago", "next Friday" in 9999
                ref_obj = None
            if ref_obj is None or (ref_obj.value and not in_range(ref_obj.value)):
                continue
            if ref_obj.time_of_day is None:
                m_tod = _TOD_BEFORE.search(sentence[max(0, m.start() - 30) : m.start()])
                if m_tod:
                    ref_obj = replace(ref_obj, time_of_day=_time_of_day(m_tod.group(1), None))
            taken.append((m.start(), m.end()))
            found.append(ref_obj)
            if kind in ("md", "dm", "holiday"):
                yearless.add(m.start())
    found.sort(key=lambda t: t.start)
    found = [r for r in found if not (r.text.lower() == "overnight" and _TO_COME.search(
        sentence[max(0, r.start - 80) : r.start]))]  # "is forecast to cross ... overnight"
    found = [_in_named_year(sentence, r, found) if r.start in yearless and r.value else r
             for r in found]
    return [_prior_to_told(r, found) if r.kind == "prior" else r for r in found]


_SPAN = re.compile(r"(?P<n>\w+)\s+(?P<unit>years?|months?)\s+after", re.I)


def _prior_to_told(r: TimeRef, found: Sequence[TimeRef]) -> TimeRef:
    """ "staged free elections in June 2007, two years after a previous coup": counted back
    from the date the sentence gives before it (2005), not from the article's."""
    told = [t for t in found if t.end <= r.start and t.value and t.kind == "absolute"]
    m = _SPAN.search(r.text)
    if not told or m is None:
        return r
    word = m.group("n").lower()
    n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word) or _MORE_NUMBERS.get(word)
    base = told[-1].value
    if not n:
        return r
    if m.group("unit").lower().startswith("year"):
        return replace(r, value=f"{int(base[:4]) - n:04d}", precision="year")
    if len(base) < 7:
        return r
    index = int(base[:4]) * 12 + int(base[5:7]) - 1 - n
    return replace(r, value=f"{index // 12:04d}-{index % 12 + 1:02d}", precision="month")


_TO_COME = re.compile(r"\b(?:will|(?:forecast|expected|due|set)\s+to|(?-i:may|could))\b", re.I)


_BRACKET_YEAR = re.compile(r"\s*[\[(](?P<year>(?:19|20)\d\d)[\])]")


def _in_named_year(sentence: str, r: TimeRef, found: Sequence[TimeRef]) -> TimeRef:
    """ "In one incident in 2015, ... on Christmas Eve", "the March 24 [2005] revolution": a
    day without its year, in a clause that names an earlier year, is of that year."""
    year = None
    if (m := _BRACKET_YEAR.match(sentence, r.end)) is not None:
        year = int(m.group("year"))
    else:
        for y in found:
            if y.start >= r.start or y.precision != "year" or y.kind != "absolute" or not (
                    re.search(r"\bin\s+$", sentence[max(0, y.start - 4) : y.start], re.I)) or (
                    re.search(r"[;:—–]", sentence[y.end : r.start])):
                continue
            year = int(y.value)
    if year is None or year >= int(r.value[:4]):
        return r
    d = _safe_date(year, int(r.value[5:7]), int(r.value[8:10]))
    return replace(r, value=_iso(d)) if d else r


def _resolve(kind, m, ref, anchor, future) -> TimeRef | None:  # noqa: C901 - one branch a shape
    g = m.groupdict()
    text = m.group(0).strip()
    start, end = m.start(), m.end()
    if kind in ("iso", "mdy", "dmy"):
        month = int(g["m"]) if kind == "iso" else MONTHS[g["mon"]]
        d = _safe_date(int(g["year"]), month, int(g["day"]))
        if d is None:
            return None
        return TimeRef(start, end, text, _iso(d), "day")
    if kind in ("md", "dm"):
        month, day = MONTHS[g["mon"]], int(g["day"])
        if not 1 <= day <= 31:
            return None
        if ref is None:
            return TimeRef(start, end, text, None, "day")
        d = _safe_date(_year_for(month, day, ref, future), month, day)
        return TimeRef(start, end, text, _iso(d) if d else None, "day")
    if kind == "my":
        return TimeRef(start, end, text, f"{int(g['year']):04d}-{MONTHS[g['mon']]:02d}", "month",
                       part=g.get("part"))
    if kind == "m":
        month = MONTHS[g["mon"]]
        if g["mon"] == "May" and not g.get("part"):
            return None  # "by May" is too often the verb
        word = text.split()[0].lower()
        if ref is None:
            return TimeRef(start, end, text, None, "month", part=g.get("part"))
        year = ref.year
        if word == "last" or (not future and word != "next" and month > ref.month):
            year -= 1
        if (word == "next" or future) and month < ref.month:
            year += 1
        return TimeRef(start, end, text, f"{year:04d}-{month:02d}", "month", part=g.get("part"),
                       kind="deictic")
    if kind == "m_rel":  # "in April last year"
        if ref is None:
            return TimeRef(start, end, text, None, "month", part=g.get("part"))
        year = ref.year + {"last": -1, "this": 0, "next": 1}[g["rel"].lower()]
        return TimeRef(start, end, text, f"{year:04d}-{MONTHS[g['mon']]:02d}", "month",
                       part=g.get("part"), kind="deictic")
    if kind == "holiday":  # "on Christmas Day": the last one (the next one, looking ahead)
        if ref is None:
            return TimeRef(start, end, text, None, "day", kind="deictic")
        hol = re.sub(r"\s+", " ", g["hol"].lower()).replace("’", "'")
        month, day = _HOLIDAYS[hol]
        d = _safe_date(_year_for(month, day, ref, future), month, day)
        return TimeRef(start, end, text, _iso(d) if d else None, "day", kind="deictic")
    if kind == "weeks_ago":  # "rioted weeks ago": that month, roughly three weeks back
        if ref is None:
            return None
        return TimeRef(start, end, text, _iso(ref - dt.timedelta(days=21))[:7], "month",
                       kind="deictic")
    if kind == "week":  # "was recorded last week": some day of it; its month is what is known
        if ref is None or future:
            return None
        back = 7 if g["rel"].lower() in ("last", "the previous") else 3
        return TimeRef(start, end, text, _iso(ref - dt.timedelta(days=back))[:7], "month",
                       kind="deictic")
    if kind == "weekend":  # "barrelled through Vanuatu last weekend": its Saturday
        if ref is None or future:
            return None
        back = (ref.weekday() - 5) % 7 or 7  # the Saturday before the article's day
        if back < 2 and g["rel"].lower() in ("last", "this past"):
            back += 7  # "last weekend", told on a Sunday: the one before this
        return TimeRef(start, end, text, _iso(ref - dt.timedelta(days=back)), "day",
                       kind="deictic")
    if kind == "rel_day":
        rel = g["rel"].lower()
        if ref is None:
            return TimeRef(start, end, text, None, "day", kind="deictic")
        back = {"yesterday": 1, "last night": 1, "overnight": 1,  # the night before: its eve
                "the day before yesterday": 2}.get(rel, 0)
        tod = {"tonight": "night", "last night": "night", "overnight": "night",
               "this morning": "morning",
               "this afternoon": "afternoon", "this evening": "evening"}.get(rel)
        return TimeRef(start, end, text, _iso(ref - dt.timedelta(days=back)), "day", tod,
                       kind="deictic")
    if kind == "rel_span":
        if ref is None:
            return None
        step = {"last": -1, "this": 0, "next": 1}[g["rel"].lower()]
        if g["unit"].lower() == "year":
            return TimeRef(start, end, text, f"{ref.year + step:04d}", "year", kind="deictic")
        month_index = ref.year * 12 + ref.month - 1 + step
        return TimeRef(start, end, text, f"{month_index // 12:04d}-{month_index % 12 + 1:02d}",
                       "month", kind="deictic")
    if kind == "prior":  # like "ago", for the event told after it (see dating.refs_for)
        ago = _resolve("ago", m, ref, anchor, future)
        return replace(ago, kind="prior") if ago is not None else None
    if kind == "ago":  # "the earthquake 11 years ago": a year (a month) before the article
        if ref is None:
            return None
        word = g["n"].lower()
        n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word) or _MORE_NUMBERS.get(word)
        if not n:
            return None
        if g["unit"].lower().startswith(("year", "decade")):  # "two decades ago": 20 years
            n *= 10 if g["unit"].lower().startswith("decade") else 1
            return TimeRef(start, end, text, f"{ref.year - n:04d}", "year", kind="deictic")
        month_index = ref.year * 12 + ref.month - 1 - n
        return TimeRef(start, end, text, f"{month_index // 12:04d}-{month_index % 12 + 1:02d}",
                       "month", kind="deictic")
    if kind in ("anchor", "anchor_fixed"):
        if kind == "anchor":
            unit = g["unit"].lower()
            n = _NUMBER_WORDS.get(g["n"].lower()) if not g["n"].isdigit() else int(g["n"])
            if unit.startswith("hour"):
                days = 0
            elif n is None:
                return None
            else:  # "a week earlier": seven days before the narrative's day
                days = 7 * n if unit.startswith("week") else n
            direction = g["dir"].lower()
            if direction == "ago":
                base, sign = ref, -1
            else:
                base, sign = anchor, (-1 if direction in ("earlier", "before") else 1)
        else:
            rel = g["rel"].lower()
            base = anchor
            days, sign = 0, 1
            if "previous" in rel or "before" in rel or "earlier" in rel:
                days, sign = 1, -1
            elif "next" in rel or "following" in rel or "day after" in rel:
                days = 1
        if base is None:
            return TimeRef(start, end, text, None, "day", kind="anchor", offset=sign * days)
        tod = "night" if "night" in text.lower() else None
        return TimeRef(start, end, text, _iso(base + sign * dt.timedelta(days=days)), "day", tod,
                       kind="anchor" if base is anchor else "deictic", offset=sign * days)
    if kind in ("weekday", "night_span"):
        wd = WEEKDAYS.index(g.get("wd") or g["wd2"])
        pre = (g.get("pre") or "").lower()
        tod = "night" if kind == "night_span" else _time_of_day(pre, g.get("post"))
        if ref is None:
            return TimeRef(start, end, text, None, "day", tod, kind="deictic")
        if pre == "next" or (future and pre != "last"):
            d = weekday_on_or_after(ref, wd)
            if pre == "next" and d == ref:
                d += dt.timedelta(days=7)
        else:
            d = weekday_on_or_before(ref, wd)
            if pre == "last" and d == ref:
                d -= dt.timedelta(days=7)
        return TimeRef(start, end, text, _iso(d), "day", tod, kind="deictic")
    if kind == "year":
        return TimeRef(start, end, text, g["year"], "year")
    return None


def clock_time(sentence: str) -> str | None:
    """"at 6pm" -> "18:00"; "at dawn" -> "dawn"."""
    m = _CLOCK.search(sentence)
    if not m:
        return None
    if m.group("word"):
        return m.group("word").lower()
    h = int(m.group("h"))
    ap = (m.group("ap") or "").replace(".", "").lower()
    if not ap and not m.group("mi"):
        return None  # "at 6" alone is not a time
    if ap == "pm" and h < 12:
        h += 12
    if ap == "am" and h == 12:
        h = 0
    return f"{h:02d}:{int(m.group('mi') or 0):02d}"


# ---- publication date of an undated article -------------------------------------------

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_FIXED_WEEKDAY = re.compile(
    r"\b(?P<wd>" + "|".join(WEEKDAYS) + r"),?\s+(?:(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<m1>"
    + _MONTH_NAMES + r")|(?P<m2>" + _MONTH_NAMES + r")\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)\b"
)
_WORD = re.compile(r"[a-z0-9]+")


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """The 8-word runs of a text: what two tellings of one story share."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


SAME_STORY = 0.25  # share of 8-word runs above which two articles tell the same story


def shared_wording(a: str, b: str) -> float:
    """Share of the shorter text's 8-word shingles found in the other: same-story detector."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


def weekday_years(text: str, today: dt.date | None = None, span: int = 30) -> list[int]:
    """Years (newest first, not after ``today``) in which every "Thursday 20 July" fits."""
    today = today or dt.date.today()
    fixed = []
    for m in _FIXED_WEEKDAY.finditer(text):
        day = int(m.group("d1") or m.group("d2"))
        month = MONTHS[m.group("m1") or m.group("m2")]
        fixed.append((WEEKDAYS.index(m.group("wd")), month, day))
    if not fixed:
        return []
    years = []
    for year in range(today.year, today.year - span, -1):
        dates = [_safe_date(year, mo, d) for _, mo, d in fixed]
        if all(x and x.weekday() == wd and x <= today for x, (wd, _, _) in zip(dates, fixed,
                                                                              strict=True)):
            years.append(year)
    return years


def latest_explicit_date(text: str, year: int) -> dt.date | None:
    dates = []
    for m in _FIXED_WEEKDAY.finditer(text):
        day = int(m.group("d1") or m.group("d2"))
        d = _safe_date(year, MONTHS[m.group("m1") or m.group("m2")], day)
        if d:
            dates.append(d)
    return max(dates) if dates else None


def _years_on(m: re.Match, year: int | None) -> TimeRef | None:
    """ "Two years later" after a story of 2013: 2015, a year of the narrative, not of the
    article; nothing when the narrative has no year yet."""
    if year is None:
        return None
    word = m.group("n").lower()
    n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word) or _MORE_NUMBERS.get(word)
    if not n:
        return None
    sign = 1 if m.group("dir").lower() == "later" else -1
    return TimeRef(m.start(), m.end(), m.group(0), f"{year + sign * n:04d}", "year",
                   kind="deictic")


_MONTH_DAY = re.compile(r"(?P<mon>" + _MONTH_NAMES + r")\.?\s+(?P<day>[0-3]?\d)\b|"
                        r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>"
                        + _MONTH_NAMES + r")\b")
_LONG_AGO = re.compile(r"\b(?:\w+)\s+(?:months|years)\s+(?:since|after|later|on)\b", re.I)
_BARE_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")


def _first_consistent_day(text: str, latest: dt.date) -> dt.date | None:
    """The first day from ``latest`` on at which every weekday the text names falls within
    the story's days (not before ``latest`` minus one): "Saturday's quake ... on Sunday"."""
    named = {WEEKDAYS.index(w) for w in _BARE_WEEKDAY.findall(text)}
    for k in range(7):
        pub = latest + dt.timedelta(days=k)
        if all(weekday_on_or_before(pub, w) >= latest - dt.timedelta(days=1) for w in named):
            return pub
    return None


def infer_publication_date(
    text: str, dated: Sequence, today: dt.date | None = None
) -> tuple[str, str] | None:
    """(ISO date, reason) for an undated article, or None when not confident.

    Evidence, strongest first: another dated article telling the same story in the same
    words (and not contradicted by the text's own dates); then dates whose weekday pins the
    year ("Thursday 20 July") when no other year within five years fits.
    """
    years = weekday_years(text, today)
    best, best_score = None, 0.0
    for other in dated:
        score = shared_wording(text, other.text)
        if score > best_score:
            best, best_score = other, score
    if best is not None and best_score >= SAME_STORY:
        year = int(best.date[:4])
        latest = latest_explicit_date(text, year) if years else None
        if (not years or year in years) and (latest is None or latest.isoformat() <= best.date):
            return best.date, (
                f"same story as {best.name} ({best_score:.0%} shared wording); "
                f"date taken from it"
            )
    refs = find_times(text, None)
    full = [t.value for t in refs if t.value and t.precision == "day"]
    if not full and _BARE_WEEKDAY.search(text):
        # "July 1" and "February 2019" in one text: the day in the latest year it names,
        # accepted below only if the weekdays the text names fit it
        named_years = [int(t.value[:4]) for t in refs if t.value and t.precision in ("year",
                                                                                  "month")]
        named_days = {WEEKDAYS.index(w) for w in _BARE_WEEKDAY.findall(text)}
        if named_years:
            year = max(named_years)
            for t in refs:
                if t.value is None and t.precision == "day" and (m := _MONTH_DAY.search(t.text)):
                    mon, num = m.group("mon") or m.group("mon2"), m.group("day") or m.group("day2")
                    day = _safe_date(year, MONTHS[mon], int(num))
                    if day and day.weekday() in named_days:  # the year must fit a weekday named
                        full.append(day.isoformat())
    if full and not _LONG_AGO.search(text):
        latest = dt.date.fromisoformat(max(full))
        fixed_ok = not years or latest.year in years
        pub = _first_consistent_day(text, latest) if fixed_ok else None
        if pub:
            return pub.isoformat(), (
                f"a day its weekdays fit, on or after the latest date it gives ({latest})")
    if years and (len(years) == 1 or years[0] - years[1] > 5):
        latest = latest_explicit_date(text, years[0])
        if latest:
            return latest.isoformat(), (
                f"latest weekday-dated day in the text ({latest:%A %d %B}); only {years[0]} fits "
                "its weekdays in recent years"
            )
    return None
