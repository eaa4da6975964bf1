"""Turn an article into Events: one happening, at one place, on one date, with its evidence.

Pipeline per article (all rules; see README "How extraction works"):
  1. split into sentences; drop what is not reporting (tweets, all-caps promos, bylines)
  2. find event triggers ("stormed", "severed ties", "burned a copy of the Quran", ...)
     and drop references to events told elsewhere ("following reports of ...")
  3. date each trigger: its sentence's time expression, else the sentence it continues,
     else the article's focal date (the day most of its time expressions point to)
  4. place it: the most specific mention near the trigger, anaphora ("the embassy") to the
     last mission named, else the article's main city
  5. merge duplicates, ACLED-style: one event per family, date and place.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo import gazetteer
from geo.dates import TimeRef, clock_time, find_times
from geo.mentions import Found, dateline, dateline_end, find_mentions, find_towns_in
from geo.merge import mention_key, merge
from geo.models import Article, Event, PlaceMention, Source


@dataclass(frozen=True)
class Trigger:
    kind: str  # fine-grained: "storming", "ties severed", "earthquake", ...
    category: str  # one of models.CATEGORIES
    family: str  # what merges: unrest events at one place and day are one event
    pattern: re.Pattern
    needs_date: bool = False  # only an event when its sentence has its own date


def _t(kind, category, family, pattern, needs_date=False, flags=re.I):
    return Trigger(kind, category, family, re.compile(pattern, flags), needs_date)


_HOLY = r"(?:Quran|Koran|Qur['’]an|holy book|Bible|Torah|flag)"
TRIGGERS: tuple[Trigger, ...] = (
    # disasters first: "storm" the weather beats "storm" the verb
    _t("earthquake", "disaster", "earthquake",
       r"\b(?:earthquakes?|quakes?|tremors?|aftershocks?)\b|\bmagnitude[- ]\d"),
    _t("storm", "disaster", "storm",
       r"\b(?:hurricane|typhoon|cyclone|tropical storm|(?:a|the)\s+(?:severe|powerful|deadly|"
       r"winter|major|heavy|violent)\s+storm)s?\b|\bStorm\s+[A-Z][a-z]+", flags=0),
    _t("flood", "disaster", "flood",
       r"\b(?:floods?(?!\s+(?:of|into)\b)|flooding|flash floods?|inundated)\b(?!-hit)"),
    _t("wildfire", "disaster", "wildfire", r"\b(?:wildfires?|bushfires?|forest fires?)\b"),
    _t("landslide", "disaster", "landslide", r"\b(?:landslides?|mudslides?)\b"),
    _t("tsunami", "disaster", "tsunami", r"\btsunamis?\b"),
    _t("eruption", "disaster", "eruption",
       r"\b(?:volcanic\s+eruption|volcano\s+(?:\w+\s+)?erupted|eruption\s+of\s+(?:the\s+)?"
       r"(?:\w+\s+)?volcano)\b"),
    _t("fire", "disaster", "fire",
       r"\b(?:fire|blaze|inferno|flames)\s+(?:broke\s+out|engulfed|tore\s+through|ripped\s+through|"
       r"swept\s+through|destroyed|gutted|ravaged|raged)|\b(?:engulfed|gutted|ravaged|destroyed)\s+"
       r"by\s+(?:a\s+)?(?:fire|flames|blaze)|\bcaught\s+fire\b"),
    # an explosion is a disaster unless the sentence says someone set it off (see _refine)
    _t("explosion", "disaster", "explosion",
       r"\b(?:explosions?|blasts?|exploded)\b(?!\s+(?:of\s+)?(?:criticism|anger))"),
    # damage in a place, counted only in an article that reports a disaster (see extract)
    _t("damage", "disaster", "damage",
       r"\b(?:collapsed|toppled|flattened|destroyed|devastated|razed|swept\s+away|"
       r"washed\s+away|submerged|flooded|damaged|wrecked|reduced\s+to\s+rubble|buried)\b"),
    # unrest
    _t("storming", "riot/storming", "unrest",
       r"\b(?:to\s+storm|storm(?:ed|ing)|(?:breach|ransack)(?:ed|ing)|overr[au]n|"
       r"br(?:oke|eak|eaking)\s+(?:into|through)|occupied|attempt(?:ed|s)?\s+to\s+(?:enter|"
       r"break\s+in|force\s+(?:their|its)\s+way)|(?:forced|smashed|fought|pushed)\s+"
       r"(?:their|its)\s+way\s+(?:into|in)|scal(?:ed|ing)\s+(?:the\s+)?(?:\w+\s+)?walls?|"
       r"climbed\s+(?:over\s+|onto\s+)?the\s+(?:\w+\s+)?(?:walls?|gates?|fence|roof)|"
       r"tore\s+down\s+the\s+(?:\w+\s+)?flag)\b"),
    _t("arson", "riot/storming", "unrest",
       r"\b(?:set(?:ting)?\s+fire\s+to|set\s+(?:\w+\s+){1,4}(?:on\s+fire|ablaze)|torch(?:ed|ing)|"
       r"burn(?:ed|t)\s+down|firebomb(?:ed|ing)?|arson)\b"),
    _t("attack", "attack", "unrest",
       r"\b(?:attack(?:ed|ing)|(?:an?|the)\s+(?:\w+\s+)?(?:attack|assault)(?!s)|"
       r"bomb(?:ings?|ed)|(?:car|suicide|truck)\s+bomb(?:s|ers?)?|blew\s+(?:himself|herself|"
       r"themselves)\s+up|shell(?:ed|ing)|air\s?strikes?|"
       r"drone\s+strikes?|missile\s+strikes?|shot\s+dead|gunned\s+down|opened\s+fire\s+on|"
       r"gunmen\s+(?:opened|killed)|"
       r"(?:heavy|fierce|intense|street|renewed)\s+fighting|fighting\s+(?:erupted|broke\s+out|"
       r"raged|between)|"
       r"stabb(?:ed|ing))\b"),
    _t("clash", "riot/storming", "unrest",
       r"\b(?:clash(?:ed|es|ing)?|riot(?:s|ed|ing)?(?!\s+(?:police|gear|squads?|shields?|"
       r"control|officers|units?|troops|act|helmets))|pelt(?:s|ed|ing)?|loot(?:ed|ing)|looters|"
       r"(?:hurled|threw)\s+(?:stones|rocks))\b"),
    _t("desecration", "desecration", "unrest",
       r"\b(?:burn(?:ed|t|ing|s)?|torch(?:ed|ing)?|tore|desecrat(?:ed|ing|ion)\s+of)\s+"
       r"(?:\w+\s+){0,4}" + _HOLY + r"|" + _HOLY + r"\s+(?:was\s+|were\s+)?(?:burn(?:ed|t|ing)|"
       r"desecration)|\bdesecrat(?:ed|ing|ion)\b|\bstepped\s+on\s+and\s+kicked|"
       r"\bkick(?:ed)?\s+and\s+step(?:ped)?\s+on"),
    _t("protest", "protest", "unrest",
       r"\b(?:(?<!to\s)protest(?:ed|ing)?\b(?!\s+(?:over|against|at)\s+the\s+desecration)|"
       r"(?:protesters|demonstrators|crowds?|hundreds|thousands|dozens)\s+(?:\w+\s+){0,2}"
       r"gathered|tear\s+gas|picket(?:s|ed|ing)?\b|blockad(?:e|ed|ing)\b|"
       r"(?<!in\s)(?<!to\s)protests?\b(?!\s+(?:over|at)\b)|demonstrations?\b|"
       r"(?<=resulted\sin\s)protests\b|(?<=erupted\sin\s)protests\b|"
       r"demonstrat(?:ed|ing)\b|"
       r"rall(?:y|ies|ied)\b|march(?:ed|es)\b|(?-i:march)\b|sit-ins?\b|took\s+to\s+the\s+streets|vigil\b)"),
    # state actions
    _t("ties severed", "diplomatic action", "ties",
       r"\b(?:sever(?:ed|s|ing)?|cut(?:s|ting)?|broke\s+off|break(?:s|ing)?\s+off)\s+(?:all\s+)?"
       r"(?:its\s+|their\s+)?(?:diplomatic\s+)?(?:ties|relations)\b"),
    _t("expulsion", "diplomatic action", "diplomatic",
       r"\b(?:expel(?:led|s|ling)?|expulsion\s+of|recall(?:ed|s|ing)?\s+(?:its\s+)?(?:\w+\s+)?"
       r"(?:ambassador|envoy)s?|summon(?:ed|s|ing)?\s+(?:the\s+)?(?:[\w'’]+\s+){0,2}(?:ambassador|"
       r"envoy|charg[eé])|order(?:ed|ing|s)?\s+(?:\w+\s+){0,3}diplomats\s+to\s+leave|"
       r"declared\s+(?:\w+\s+){0,4}persona\s+non\s+grata)\b"),
    _t("evacuation", "evacuation", "evacuation",
       r"\bevacuat(?:ed|ion|ing|e)\b|\bordered\s+(?:the\s+)?departure\s+of|\bairlift(?:ed)?\b|"
       r"\bordered\s+(?:all\s+)?non-emergency\s+(?:[\w.]+\s+){0,6}to\s+leave"),
    _t("licence suspended", "sanction", "sanction",
       r"\b(?:suspend(?:ed|s|ing)?|revok(?:ed|es|ing)|cancell?(?:ed|ing))\s+(?:the\s+)?"
       r"(?:\w+\s+)?licen[cs]es?\b"),
    _t("sanctions", "sanction", "sanction",
       r"\b(?:impos(?:ed|es|ing)\s+(?:\w+\s+){0,3}sanctions|(?:suspend|halt|freez|cut)(?:ed|s|ing|e)?"
       r"\s+(?:all\s+)?(?:its\s+)?(?:\w+\s+){0,2}(?:aid|assistance|budget\s+support|"
       r"cooperation|trade|assets)|froze\s+(?:\w+\s+){0,2}assets)\b"),
    _t("election", "election", "election",
       r"\b(?:(?:parliamentary|presidential|general|local|municipal|regional|early|snap)\s+)?"
       r"elections?\b(?!\s+(?:commission|committee|board|officials?|results?))|\breferendum\b",
       needs_date=True),
)

# A trigger right after these refers to an event told elsewhere; it is context, not news.
_REFERENCE = re.compile(
    r"(?:\b(?:following|after|amid|over|reports? of|recurrence of|repeat(?:ition)? of|"
    r"wake of|aftermath of|response to|anniversary of|condemns?|condemned|in protest "
    r"(?:over|at|against))\s+(?:(?:a|an|the|this|that|these|its|his|their)\s+)?"
    r"(?:\w+['’]s\s+)?(?:\w+\s+){0,3})$",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:planned|planning|plans?\s+to|scheduled|to\s+take\s+place|will|is\s+set\s+to|"
    r"are\s+set\s+to|threaten(?:ed|ing|s)?\s+to|vow(?:ed|s)?\s+to|intends?\s+to|called\s+for|"
    r"expected\s+to|would|upcoming|announced\s+plans)\b",
    re.I,
)
_HAPPENED = re.compile(
    r"\b(?:unfolded|went\s+ahead|took\s+place|was\s+held|were\s+held|happened|occurred)\b", re.I
)
_NOT_NEWS = re.compile(
    r"pic\.twitter\.com|\(@\w+\)|contributed to this report|^\s*(?:by|reporting by|editing by|"
    r"writing by)\s+[A-Z]|click here|sign up|subscribe|all rights reserved|read more:|"
    r"^\s*(?:photo|image|video|watch|related)\s*:",
    re.I,
)
_ANAPHORA_MISSION = re.compile(
    r"\b(?:the|its)\s+(?:embassy|consulate|diplomatic\s+(?:post|mission|compound)|"
    r"embassy\s+compound|mission)\b", re.I
)
_CONTINUATION = re.compile(
    r"^(?:they|he|she|it|the\s+(?:protesters|demonstrators|crowd|crowds|rioters|mob|group))\b",
    re.I,
)
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sgt|Capt|Gov|Sen|Rep|Prof|No|vs|etc|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Ltd|Co)|\b(?:[A-Z]\.){1,3}[A-Z]?)$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9#@\u0600-\u06ff])")

# Smaller things are more specific than the zones and districts that contain them.
_LANDMARK_RANK = {"zone": 0, "district": 0, "neighbourhood": 0, "camp": 1}


MAX_SENTENCE = 600  # characters; news sentences are 100-300. Work per sentence is superlinear.


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(paragraph index, sentence) pairs. Repairs "rocks.Officers" (a missing space).

    A run-on "sentence" longer than :data:`MAX_SENTENCE` is cut into pieces at commas or
    spaces, so that extraction stays linear in the article's length whatever the input.
    """
    out = []
    for p_index, para in enumerate(p for p in text.split("\n") if p.strip()):
        para = re.sub(r"(?<=[a-z]{2})\.(?=[A-Z][a-z])", ". ", para.strip())
        start = 0
        pieces = []
        for m in _SENTENCE_END.finditer(para):
            head = para[start : m.start()].rstrip("\"”’)")
            if _ABBREVIATIONS.search(head.rstrip(".!?")) and head.endswith("."):
                continue
            pieces.append(para[start : m.start()].strip())
            start = m.end()
        pieces.append(para[start:].strip())
        out += [(p_index, part) for piece in pieces for part in _bounded(piece) if part]
    return out


def _bounded(sentence: str) -> list[str]:
    parts = []
    while len(sentence) > MAX_SENTENCE:
        window = sentence[:MAX_SENTENCE]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(" and "))
        if cut < MAX_SENTENCE // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SENTENCE
        parts.append(sentence[:cut].strip(" ,;"))
        sentence = sentence[cut:].strip(" ,;")
    parts.append(sentence)
    return parts


_UPPER = re.compile(r"[A-Z]")
_LETTER = re.compile(r"[A-Za-z]")


def is_reporting(sentence: str) -> bool:
    """False for tweets, all-caps promo headlines, bylines and other page furniture."""
    if not sentence or _NOT_NEWS.search(sentence):
        return False
    letters = len(_LETTER.findall(sentence))
    if letters >= 12 and len(_UPPER.findall(sentence)) / letters > 0.7:
        return False
    return len(sentence.split()) >= 4


@dataclass(frozen=True)
class _Hit:
    trigger: Trigger
    start: int
    end: int
    text: str
    # Character spans of the trigger's own place arguments in the parse (its object and its
    # "in/at/near/outside ..." attachments), when the sentence was parsed.
    where: tuple[tuple[int, int], ...] = ()


_NEGATED = re.compile(
    r"\b(?:stopped\s+short\s+of|failed\s+to|did\s+not|didn['’]t|refrained\s+from|without|"
    r"never|denied|prevent(?:ed)?\s+(?:\w+\s+){0,3}from|no\s+one\s+was)\s+(?:\w+\s+){0,2}$",
    re.I,
)
_SPEECH = re.compile(r"\b(?:said|says|wrote|argued|insisted|claimed|warned|stressed|added)\s+"
                     r"(?:\w+\s+){0,5}that\s+(?:[\w'’-]+\s+){0,4}$", re.I)
_OFFSET_BEFORE = re.compile(r"\b(?:a|an|one|two|three|\d+|several|hours?|days?)\s+(?:days?\s+|"
                            r"hours?\s+|weeks?\s+)?(?:after|before)\b", re.I)
_HABITUAL = re.compile(r"\b(?:previously|repeatedly|in\s+the\s+past|has\s+long|have\s+long|"
                       r"often|regularly|routinely|frequently|usually)\b", re.I)
_DATED_NOUN = re.compile(r"(?:\b(?:19|20)\d\d|\b(?:January|February|March|April|May|June|July|"
                         r"August|September|October|November|December)\s+\d{1,2})\s+(?:\w+\s+)?$")
_ARSON_OF_BOOK = re.compile(r"^\s*(?:the|a|an)?\s*(?:copy|book|holy|quran|koran|bible|torah|flag)",
                            re.I)


_ATTACK_CONTEXT = re.compile(
    r"\b(?:bomb(?:s|er|ers|ing)?|suicide|militants?|gunmen|attackers?|insurgents?|detonated|"
    r"set\s+off|claimed\s+responsibility|IED|explosive\s+device|terror\w*|strikes?|missiles?|"
    r"rockets?|shell(?:s|ing)?|grenades?|gunfire|fighting|clashes|war)\b", re.I
)
# An article that names bombers or militants: its explosions were set off by someone.
_PERPETRATOR = re.compile(r"\b(?:bomb(?:er|ers|ing)|suicide|militants?|attackers?|detonated|"
                          r"claimed\s+responsibility|IED|terroris[tm]s?|gunmen)\b", re.I)
_FLASHBACK = re.compile(r"\bhad\s+(?:been\s+)?\w+ed\b|\bhad\s+(?:been\s+)?\w+en\b", re.I)
_HAPPENS = re.compile(r"\s*(?:\w+\s+){0,2}(?:took\s+place|were\s+held|was\s+held|broke\s+out|"
                      r"erupted|began)\b", re.I)  # "the first protests took place": news
_CLASH = next(t for t in TRIGGERS if t.kind == "clash")
_DIPLOMATIC_PROTEST = re.compile(
    r"\b(?:voic\w*|lodg\w*|express\w*|fil(?:ed|es|ing)|register\w*|official|formal|strong|"
    r"diplomatic|note\s+of|in)\s+(?:a\s+|an\s+|its\s+)?(?:strong\s+|formal\s+|official\s+)?$",
    re.I)
_RIOTERS = re.compile(r"\b(?:rioters|the\s+mob|attackers|assailants|looters)\b", re.I)
_DAMAGE = next(t for t in TRIGGERS if t.kind == "damage").pattern
_ATTACK = next(t for t in TRIGGERS if t.kind == "attack")


def find_triggers(sentence: str, disaster: str | None = None,
                  violent: bool = False) -> tuple[_Hit, ...]:
    """Every trigger in the sentence, left to right, minus references to other events
    ("following reports of ..."), negations ("stopped short of ..."), and damage words
    unless the article reports a disaster (``disaster``: its kind). A disaster in the sentence
    silences the unrest words that describe it; an explosion someone set off is an attack."""
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for trig in TRIGGERS:
        if trig.kind == "damage" and disaster is None:
            continue
        for m in trig.pattern.finditer(sentence):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            before = sentence[max(0, m.start() - 60) : m.start()]
            if _NEGATED.search(before):
                continue
            if re.search(r"\bwhether\b", before):
                continue  # "investigating whether ... a spontaneous demonstration": a question
            if _HABITUAL.search(before[-45:]) and not _DATED_NOUN.search(before[-25:]):
                continue  # "has previously staged Quran burnings": background, not news
            ref_m = _REFERENCE.search(before)
            if ref_m and not _DATED_NOUN.search(before[-25:]) and not _OFFSET_BEFORE.search(
                    before[: ref_m.start() + 8]):
                continue  # "following reports of a Quran burning"; but "the 2019 protests" and
                # "a day after Saudi Arabia severed ties" stay
            if trig.kind == "arson" and _ARSON_OF_BOOK.match(sentence[m.end() :]):
                continue  # "setting fire to the book" is a desecration, told by its own trigger
            if trig.category == "disaster" and re.match(r"\s*(?:warnings?|watch(?:es)?|alerts?|"
                                                         r"advisor(?:y|ies)|sirens?)\b",
                                                         sentence[m.end() :], re.I):
                continue  # "tsunami warnings were issued": a warning, not the wave
            if trig.kind == "explosion" and (violent or _ATTACK_CONTEXT.search(sentence)):
                trig = _ATTACK
            hits.append(_Hit(trig, m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    if any(h.trigger.family == "unrest" for h in hits):
        hits = [h for h in hits if h.trigger.kind != "fire"]  # fires that rioters set
    if any(h.trigger.category == "disaster" and h.trigger.kind != "damage" for h in hits):
        hits = [h for h in hits if h.trigger.family != "unrest"]
    return tuple(sorted(hits, key=lambda h: h.start))


def _status(sentence: str, hit: _Hit) -> str:
    before = sentence[max(0, hit.start - 70) : hit.start]
    around = sentence[max(0, hit.start - 70) : hit.end + 50]
    planned = _PLANNED.search(before) or re.search(r"\b(?:is|are)\s+(?:scheduled|planned)\b",
                                                   around, re.I)
    if planned and not _HAPPENED.search(sentence[hit.start :]):
        return "planned"
    return "occurred"


def _specificity(f: Found) -> int:
    base = f.specificity * 10
    if f.mention.kind == "landmark":
        entry = gazetteer.find_landmark(f.mention.text, f.mention.city, f.mention.country_code)
        ltype = (entry.landmark_type if entry else None) or ""
        base += _LANDMARK_RANK.get(ltype, 5)
    return base


class _ArticleContext:
    """What an article tells about where it is: its main city, its missions."""

    def __init__(self, article: Article, sentences: Sequence[str]):
        home = next((d for d in map(dateline, sentences[:3]) if d), None)
        raw = [find_mentions(s) for s in sentences]
        self.countries = {f.mention.country_code for found in raw for f in found
                          if f.mention.kind == "country"}
        self.countries |= {code for word, code in _demonyms_in(article.text)}
        if home:
            self.countries.add(home[1])
        self.countries |= _coherent_countries(raw)
        self.mentions = [[g for f in found if (g := self._plausible(f, s))]
                         for found, s in zip(raw, sentences, strict=True)]
        common = set(_LOWER_WORDS.findall(article.text))
        for found, s in zip(self.mentions, sentences, strict=True):
            towns = find_towns_in(s, self.countries - {None}, [(f.start, f.end) for f in found],
                                  common)
            if towns:
                found += towns
                found.sort(key=lambda f: f.start)
            found[:] = [self._region_cue(f, s) for f in found]
        cities: Counter = Counter()
        for found in self.mentions:
            for f in found:
                if f.mention.city:
                    cities[(f.mention.city, f.mention.country_code)] += 1
        if home:
            cities[home] += 3  # the dateline: where the reporter is, usually the story
        self.main_city = cities.most_common(1)[0][0] if cities else None
        for i, s in enumerate(sentences[:5]):
            end = dateline_end(s)
            others = [f for f in self.mentions[i] if f.start >= end]
            if end and others:  # "NEW DELHI -- ... killed in Bangladesh": not in Delhi
                self.mentions[i] = others
        self.last_mission: PlaceMention | None = None
        self.paragraph_place: PlaceMention | None = None  # the last city named in the paragraph
        self.disaster: str | None = None  # the kind of the article's first disaster, if any

    def _plausible(self, f: Found, sentence: str) -> Found | None:
        """A city name is read as that city only when the article's countries agree, or the
        city is big and named by its own name: "Lula" is not Lulea, "Federal" not Argentina's.
        A region of that name in the article's country beats a city elsewhere ("Bali" in an
        Indonesian story is the island, not the Indian town)."""
        if f.mention.kind != "city" or not f.candidates:
            return f
        local = [c for c in f.candidates if c.country_code in self.countries]
        if local:
            best = max(local, key=lambda c: c.population)
            return replace(f, mention=replace(f.mention, text=best.name, city=best.name,
                                              country_code=best.country_code))
        said = sentence[f.start : f.end]
        for cc in sorted(self.countries - {None}):
            region = gazetteer.find_region(said, cc)
            if region is not None:
                return replace(f, mention=PlaceMention(text=region.name, kind="region",
                                                       country_code=cc), candidates=())
        top = f.candidates[0]
        if f.primary and (top.population >= 100_000 or top.population == 0):
            return f  # population 0: a curated city row
        return None

    def _region_cue(self, f: Found, sentence: str) -> Found:
        """"Ishikawa Prefecture", "Washington state", "the state of Zulia": a region named
        as one, not the city that shares its name."""
        if f.mention.kind != "city":
            return f
        after = _REGION_AFTER.match(sentence, f.end)
        before = _REGION_BEFORE.search(sentence[max(0, f.start - 20) : f.start])
        if not (after or before):
            return f
        said = sentence[f.start : f.end]
        codes = [f.mention.country_code, *sorted(self.countries - {None, f.mention.country_code})]
        for cc in codes:
            region = gazetteer.find_region(said, cc) if cc else None
            if region is not None:
                end = after.end() if after else f.end
                return replace(f, end=end, mention=PlaceMention(
                    text=region.name, kind="region", country_code=cc), candidates=())
        return f

    def complete(self, m: PlaceMention) -> PlaceMention:
        """Fill in a missing city from the article: "the Danish Embassy" in a Baghdad story."""
        if m.kind in ("mission", "landmark") and not m.city and self.main_city:
            city, cc = self.main_city
            if m.kind == "mission" and cc and m.mission_of == cc:
                return m  # a country has no embassy in itself; leave it open
            if m.country_code and cc and m.country_code != cc:
                return m
            return replace(m, city=city, country_code=m.country_code or cc)
        return m

    def fallback(self, country: bool = False) -> PlaceMention | None:
        """The article's main city; its country for acts of a state (elections, ties)."""
        if not self.main_city:
            return None
        city, cc = self.main_city
        if country and cc:
            return PlaceMention(text=gazetteer.country_name(cc) or cc, kind="country",
                                country_code=cc)
        return PlaceMention(text=city, kind="city", city=city, country_code=cc)


_REGION_AFTER = re.compile(
    r"\s+(?:(?:Prefecture|Province|Governorate|Oblast)\b|Pref\.|(?i:state)\b|"
    r"(?i:province|prefecture|governorate|region)\b(?!\s+of))"
    r"(?!\s+(?:University|Department|College|Park|House|Police))")
_REGION_BEFORE = re.compile(r"\b(?:state|province|prefecture|governorate|region)\s+of\s+$",
                            re.I)
_WORDS = re.compile(r"[A-Z][a-z]+")
_LOWER_WORDS = re.compile(r"(?<![\w.] )\b[a-z]{4,}\b")


def _coherent_countries(found_lists: Sequence[Sequence[Found]]) -> set[str]:
    """Countries that several place names agree on, when the text never names the country:
    "Valencia" (Venezuela, Spain, ...) and "Paiporta" (Spain) make a Spanish story. Each
    name votes for its candidates' countries in proportion to their population."""
    votes: dict[str, float] = {}
    names: dict[str, set[str]] = {}
    for found in found_lists:
        for f in found:
            if f.mention.kind != "city" or not f.candidates:
                continue
            total = sum(max(c.population, 1) for c in f.candidates)
            for c in f.candidates:
                if c.country_code:
                    votes[c.country_code] = votes.get(c.country_code, 0.0) + max(
                        c.population, 1) / total
                    names.setdefault(c.country_code, set()).add(f.mention.text)
    return {cc for cc, v in votes.items() if v >= 1.2 and len(names[cc]) >= 2}


def _demonyms_in(text: str) -> set[tuple[str, str]]:
    """("Brazilian", "BR") for each nationality adjective the text uses."""
    table = gazetteer.demonyms()
    return {(w, table[w.lower()]) for w in set(_WORDS.findall(text)) if w.lower() in table}


# "Wednesday March 15 2023", "30 Oct, 2024 @ 18:00", "This story is from July 16, 2016",
# "Updated: ...": when the page was made, not what happened
_TIMESTAMP = re.compile(
    r"^\s*(?:(?:this\s+story\s+is\s+from|published|updated|posted|last\s+updated|first\s+"
    r"published)\b[^.]{0,60}$|(?:[A-Za-z]+,?\s+)?(?:[A-Za-z]+\.?\s+)?\d{1,2}(?:st|nd|rd|th)?,?\s+"
    r"(?:[A-Za-z]+\.?,?\s+)?\d{4}(?:\s*(?:@|at|,|-|–)?\s*\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,4})?)?\s*$)", re.I)


def _focal_date(refs: Sequence[Sequence[TimeRef]], pub: dt.date | None,
                reporting: Sequence[bool] = (), sentences: Sequence[str] = ()) -> str | None:
    """The day an article is about: the first event day its lead gives (news puts the main
    event first), else its most-mentioned recent day, else its date."""
    if pub is None:
        return None
    stamps = {i for i, s in enumerate(sentences) if _TIMESTAMP.match(s)}
    refs = [() if i in stamps else r for i, r in enumerate(refs)]
    lead = [i for i, ok in enumerate(reporting) if ok and i not in stamps][:3]

    def recent(r: TimeRef) -> bool:
        return (r.precision == "day" and bool(r.value) and r.kind != "anchor"
                and pub - dt.timedelta(days=7) <= dt.date.fromisoformat(r.value) <= pub)

    for reported in (False, True):  # "Saudi Arabia cut ties ..., the minister said Sunday"
        for i in lead:
            for r in refs[i]:
                if recent(r) and r.reported == reported:
                    return r.value
    counts: Counter = Counter()
    for sentence_refs in refs:
        for r in sentence_refs:
            if r.precision == "day" and r.value and r.kind != "anchor" and not r.reported:
                d = dt.date.fromisoformat(r.value)
                if pub - dt.timedelta(days=7) <= d <= pub:
                    counts[r.value] += 1
    if not counts:
        return pub.isoformat()
    top = max(counts.values())
    return max(v for v, c in counts.items() if c == top)


def _pick_place(hit: _Hit, found: Sequence[Found], sentence: str, trig: Trigger,
                ctx: _ArticleContext) -> tuple[PlaceMention | None, bool]:
    """(mention, from_context). Diplomatic acts sit with their actor, the first country."""
    if trig.family in ("ties", "diplomatic", "sanction") and found:
        actors = _actors(found, hit)
        if actors:  # "Turkey's foreign ministry summoned ...": the state that acts
            return actors[0].mention, False
    if trig.family in ("ties", "diplomatic"):
        state = _acting_state(sentence, hit)
        if state is not None:  # "The Russian Foreign Ministry summoned ...": Russia acts
            name = gazetteer.country_name(state) or state
            return PlaceMention(text=name, kind="country", country_code=state), False
        return ctx.fallback(country=True), True  # a state acts; not "Salisbury expels"
    found = _candidates(found, sentence, hit)
    if trig.kind == "evacuation":
        origin = _origins(found, hit, sentence)
        if origin:  # "Italy evacuated its citizens from Kabul": where they left
            return ctx.complete(origin[0].mention), False
        actor = _evacuating_state(found, hit, sentence)
        if actor is not None and _takes_own_people_out(actor, sentence, ctx):
            # the state that takes its people out is not where it happens, nor are the
            # evacuees' nationalities: "Jordan evacuated 343 people, including ... Iraq"
            home = ctx.main_city[1] if ctx.main_city else None
            here = [f for f in found if f.mention.kind in ("mission", "landmark") or (
                f.mention.kind != "country" and f.mention.country_code != actor
                and (home is None or f.mention.country_code == home))]
            if not here:  # from the country; from its capital, where embassies are
                city = ctx.fallback()
                return (city if city and _is_capital(city) else ctx.fallback(country=True)), True
            found = here
    candidates = list(found)
    anaphor = _ANAPHORA_MISSION.search(sentence)
    if anaphor and ctx.last_mission and not any(
        f.start <= anaphor.start() < f.end for f in found
    ):
        candidates.append(Found(anaphor.start(), anaphor.end(), ctx.last_mission))
    if candidates:
        best = max(candidates, key=lambda f: (_in_arguments(f, hit), f.specificity,
                                              -_distance(f, hit)))
        mention = best.mention
        if mention.kind in ("landmark", "mission") and not mention.city:
            # "In Lahore, a crowd stormed ... Jinnah House": the city this sentence names
            cities = [f for f in candidates if f.mention.kind == "city"]
            if cities:
                near = min(cities, key=lambda f: abs(f.start - best.start)).mention
                if mention.kind != "mission" or near.country_code != mention.mission_of:
                    mention = replace(mention, city=near.city, country_code=near.country_code)
        here = ctx.paragraph_place
        if (mention.kind == "country" and here is not None and trig.category in (
                "evacuation", "disaster") and here.country_code == mention.country_code):
            return here, True  # "Bicol ... More than 96,000 families in the Philippines"
        return ctx.complete(mention), False
    national = trig.family in ("ties", "diplomatic", "sanction", "election")
    if not national and ctx.paragraph_place is not None:
        return ctx.paragraph_place, True  # "A day later, at her funeral in Saqqez ... fired"
    return ctx.fallback(country=national), True


# "Italy evacuated 140 Italians", "its diplomats", "foreign nationals": a state takes its own
# people out of somewhere else ("Bangladesh evacuated 300,000 people" stays in Bangladesh).
_FOREIGN_EVACUEES = re.compile(
    r"\b(?:its|their|foreign|the\s+country['’]s)\s+(?:own\s+)?(?:\w+\s+)?(?:citizens|nationals|"
    r"diplomats|staff|personnel|people|embassy)|\b(?:citizens|nationals|diplomats|diplomatic\s+"
    r"staff|other\s+staff|ambassador|envoys?|employees|embassy\s+staff|expatriates|foreigners|[A-Z][a-z]+(?:ans|ese|is|ish|ians))\b")


_MINISTRY_AFTER = re.compile(r"\s+(?:to|by|at)\s+the\s+(?P<adj>[A-Z][a-z]+)\s+(?:Foreign|"
                             r"Ministry|government|authorities)")
_ENVOY_AFTER = re.compile(r"\s+(?:ambassador|envoy|diplomat|charg|embassy|consul|mission)", re.I)


def _acting_state(sentence: str, hit: _Hit) -> str | None:
    """The state behind a diplomatic act the text names by its adjective: "the Russian
    Foreign Ministry summoned ...", "was summoned to the Belarusian Foreign Ministry"."""
    after = _MINISTRY_AFTER.match(sentence, hit.end)
    if after and (code := gazetteer.country_code(after.group("adj"))):
        return code
    window = sentence[max(0, hit.start - 60) : hit.start]
    for m in reversed(list(re.finditer(r"\b[A-Z][a-z]+\b", window))):
        if _ENVOY_AFTER.match(window, m.end()):
            continue  # "the Canadian ambassador": the envoy's state, not the actor
        code = gazetteer.country_code(m.group(0))
        if code:
            return code
    return None


def _evacuating_state(found: Sequence[Found], hit: _Hit, sentence: str) -> str | None:
    """The state in the subject of an evacuation: "Italy evacuated", "The British armed
    forces also evacuated", "US special forces evacuated"."""
    window = max(0, hit.start - 60)
    states = [f for f in found if f.mention.kind == "country" and window <= f.start
              and f.end <= hit.start and not _RELATIVE.search(sentence[f.end : hit.start])
              and not re.search(r"\b(?:to|in|from|of)\s+(?:the\s+)?$", sentence[:f.start])]
    if states:
        last = states[-1]
        if re.search(r"(?:,|\band)\s*$", sentence[max(0, last.start - 6) : last.start]):
            return None  # "Britain, Canada, Egypt ... have evacuated": a list, no one state
        return last.mention.country_code
    for word in reversed(re.findall(r"\b[A-Z][A-Za-z.]+", sentence[window : hit.start])):
        code = gazetteer.country_code(word.rstrip("."))
        if code:
            return code
    return None


def _takes_own_people_out(actor: str, sentence: str, ctx: _ArticleContext) -> bool:
    """A foreign evacuation, not a country moving its people out of harm's way: its own
    nationals or diplomats, or a state other than the story's, in a story of no disaster."""
    home = ctx.main_city[1] if ctx.main_city else None
    return bool(_FOREIGN_EVACUEES.search(sentence)) or (
        home is not None and actor != home and ctx.disaster is None)


def _in_arguments(f: Found, hit: _Hit) -> bool:
    """The mention lies in the trigger's own object or place attachment ("stormed the
    parliament in Nairobi", "the invasion of Ukraine"): where the parse says it happened."""
    return any(a <= f.start and f.end <= b for a, b in hit.where)


_FAR = re.compile(r"(?:as\s+far\s+(?:away\s+)?as|\b(?:felt|heard)\s+(?:in|across|throughout))"
                  r"\s+(?:\w+\s+)?$", re.I)
_RELATIVE = re.compile(r",\s*(?:which|who)\b", re.I)


def _origins(found: Sequence[Found], hit: _Hit, sentence: str) -> list[Found]:
    """Where people are evacuated from: "from Kabul", "to leave Tunisia and Sudan"."""
    out: list[Found] = []
    for f in found:
        if f.start < hit.start:
            continue
        lead_in = sentence[max(0, f.start - 30) : f.start]
        if re.search(r"\b(?:from|leave|leaving|left|out\s+of)\s+(?:the\s+)?(?:\w+\s+){0,2}$",
                     lead_in, re.I) or (out and re.fullmatch(
                         r"\s*(?:,|and|,\s*and)\s*", sentence[out[-1].end : f.start])):
            out.append(f)
    return out


def _subject_list(actors: Sequence[Found], hit: _Hit, sentence: str) -> list[Found]:
    """A list of states right before the verb: "Germany, France and Poland said they would
    each expel ...", "Bahrain and Sudan cut ties" (not "Iran's ... Saudi embassy")."""
    before = sorted((f for f in actors if f.end <= hit.start), key=lambda f: f.start)
    if len(before) < 2:
        return []
    chain = [before[-1]]
    for f in reversed(before[:-1]):
        gap = sentence[f.end : chain[-1].start]
        if re.fullmatch(r"\s*(?:,|and|,\s*and)\s*", gap):
            chain.append(f)
        else:
            break
    return list(reversed(chain)) if len(chain) > 1 else []


def _place_list(found: Sequence[Found], hit: _Hit, sentence: str) -> list[Found]:
    """Cities listed after the trigger, each "in" one of them: "Demonstrations took place in
    Mombasa, in Kisumu and in the town of Eldoret"."""
    spots = []
    for f in found:
        if f.start < hit.end or f.mention.kind != "city":
            continue
        lead_in = sentence[max(hit.end, f.start - 45) : f.start]
        if re.search(r"\bin\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}$", lead_in) or (
                spots and re.fullmatch(r"\s*(?:,|and|,\s*and)\s*", sentence[spots[-1].end :
                                                                          f.start])):
            spots.append(f)
    return spots


def _is_capital(m: PlaceMention) -> bool:
    cap = gazetteer.capital(m.country_code) if m.country_code else None
    return cap is not None and cap.name == m.city


def _actors(found: Sequence[Found], hit: _Hit) -> list[Found]:
    """States acting in a diplomatic sentence: countries, or capitals standing for them
    ("Ankara summoned ..."); before the trigger first ("Bahrain and Sudan cut ties")."""
    states = [f for f in found if f.mention.kind == "country"
              or (f.mention.kind == "city" and _is_capital(f.mention))]
    before = [f for f in states if f.end <= hit.start]
    return list(reversed(before)) or states  # the nearest state before the verb first


def _candidates(found: Sequence[Found], sentence: str, hit: _Hit | None = None) -> list[Found]:
    """Mentions that can be where the event is: not an owner ("Iran's leader"), not a
    distance ("felt as far away as Cyprus"), not past a relative clause that opens after the
    trigger ("Storm Daniel, which had battered Greece, ...")."""
    out: list[Found] = []
    far: Found | None = None  # "felt as far away as Rabat, Casablanca and Essaouira"
    for f in found:
        if _FAR.search(sentence[max(0, f.start - 40) : f.start]) or (
                far and re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*(?:in\s+)?(?:parts\s+of\s+)?"
                                     r"(?:the\s+)?", sentence[far.end : f.start])):
            far = f
            continue
        if _is_possessive_country(sentence, f) or (
                hit and f.start > hit.end and _RELATIVE.search(sentence[hit.end : f.start])):
            continue
        lead_in = sentence[max(0, f.start - 50) : f.start]
        if _SPEAKER_PLACE.search(lead_in) or _APPOSITIVE_PLACE.search(lead_in):
            continue  # "told reporters in Manila", "Tacloban, a city in Leyte"
        out.append(f)
    return out


_SPEAKER_PLACE = re.compile(r"\b(?:told(?:\s+\w+){0,2}|said|says|speaking|spoke|briefing|"
                            r"conference|interview|statement)(?:\s+\w+)?\s+in\s+$", re.I)
_APPOSITIVE_PLACE = re.compile(r"\w,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:city|town|village|port|"
                               r"community|municipality|district|suburb)\s+(?:in|of|near)\s+"
                               r"(?:the\s+)?(?:\w+\s+)?$", re.I)


def _disaster_kind(hits: Sequence[Sequence[_Hit]]) -> str | None:
    """The kind of the first disaster an article reports, if any: damage words count then."""
    for sentence_hits in hits:
        for h in sentence_hits:
            if h.trigger.category == "disaster" and h.trigger.kind != "damage":
                return h.trigger.kind
    return None


def _distance(f: Found, hit: _Hit) -> int:
    """Characters between a trigger and a mention; its object (after it) counts as nearer."""
    if f.start >= hit.end:
        return f.start - hit.end
    return (hit.start - f.end) * 2 + 10


def _is_possessive_country(sentence: str, f: Found) -> bool:
    """"Iran's supreme leader", "Iraq's foreign ministry": an owner, not where it happened."""
    owner = re.match(r"['’]s\b", sentence[f.end : f.end + 3])
    return f.mention.kind == "country" and owner is not None


def _title(trig: Trigger, hit: _Hit, mention: PlaceMention | None, status: str,
           found: Sequence[Found], sentence: str, actor: str | None = None) -> str:
    where = place_label(mention)
    if actor and trig.kind == "evacuation":
        state = _adjective(actor) or gazetteer.country_name(actor) or actor
        return f"{state} evacuation from {where}" if where else f"{state} evacuation"
    if trig.family == "ties":
        actor = where or "A government"
        others = [f.mention for f in found if f.mention.kind == "country" and f.mention != mention]
        other = f" with {others[0].text}" if others else ""
        verb = "threatens to cut" if status == "planned" else "cuts"
        return f"{actor} {verb} diplomatic ties{other}"
    if trig.kind == "expulsion":
        envoy = re.search(r"\b([A-Z][a-z]+)\s+(?:ambassador|envoy)", sentence)
        adj = f"{envoy.group(1)} " if envoy and gazetteer.country_code(envoy.group(1)) else ""
        verb = hit.text.lower()
        if verb.startswith("recall"):
            return f"{where or 'Government'} recalls its ambassador"
        if verb.startswith("summon"):
            return f"{where or 'Government'} summons {adj}ambassador"
        return f"{where or 'Government'} expels {adj}ambassador"
    if trig.kind == "licence suspended":
        return f"Licence suspended by {where}" if where else "Licence suspended"
    if trig.kind == "sanctions":
        return f"Sanctions or aid suspension: {where}" if where else "Sanctions imposed"
    if trig.kind == "desecration":
        obj = re.search(_HOLY, sentence, re.I)
        thing = obj.group(0).title() if obj else "Quran"
        thing = "Quran" if thing.lower() in ("holy book", "koran") else thing
        label = f"{thing} burning"
    elif trig.kind == "storming":
        attempt = re.search(r"attempt|tried|try", sentence[max(0, hit.start - 30) : hit.end], re.I)
        label = "Attempt to storm" if attempt else "Storming of"
        return f"{label} {where}" if where else label.replace(" of", "")
    else:
        label = {
            "arson": "Arson",
            "attack": "Attack",
            "clash": "Clashes",
            "protest": "Protest",
            "evacuation": "Evacuation",
            "election": "Elections",
        }.get(trig.kind, trig.kind.capitalize())
    if status == "planned":
        label = f"{label} planned"
    preposition = "at" if mention and mention.kind in ("mission", "landmark") else "in"
    return f"{label} {preposition} {where}" if where else label


@functools.cache
def _adjectives() -> dict[str, str]:
    out: dict[str, str] = {}
    for adj, code in gazetteer.demonyms().items():
        # the first adjective the file lists ("British", not "Scottish"); an adjective, not
        # a noun ("Swedish", not "Swede")
        adjective = adj.endswith(("ish", "an", "ese", "i", "ic", "ch", "ian"))
        if code not in out or (adjective and not out[code].endswith(
                ("ish", "an", "ese", "i", "ic", "ch", "ian"))):
            out[code] = adj
    return {code: adj.title() if adj.islower() else adj for code, adj in out.items()}


def _adjective(code: str) -> str | None:
    """ISO code -> "Swedish": the first adjective the gazetteer lists for it."""
    return _adjectives().get(code)


def place_label(m: PlaceMention | None) -> str:
    if m is None:
        return ""
    if m.kind == "mission":
        adj = _adjective(m.mission_of) if m.mission_of else None
        name = f"{adj or m.mission_of} embassy"
        return f"{name}, {m.city}" if m.city else name
    if m.kind == "landmark":
        name = m.text if m.text[:1].isupper() else m.text.capitalize()
        return f"{name}, {m.city}" if m.city and m.city not in name else name
    return m.text


class TooSlow(RuntimeError):
    """An article took longer than its extraction budget (crafted or pathological text)."""


def extract(article: Article, more_triggers=None, deadline: float | None = None) -> list[Event]:
    """Events of one article, merged within it. Pure: depends only on text and date.

    ``more_triggers(sentences, hits)`` may add hits the patterns missed and give the
    patterns' hits the place arguments of their parse: it returns, per sentence, the new
    hits and a map from a pattern hit's start to its argument spans. The parse-based lexicon
    plugs in there (:mod:`geo.extract.lexicon`).
    """
    pairs = split_sentences(article.text)
    furniture = {p for p, s in pairs if not is_reporting(s) and _NOT_NEWS.search(s)}
    sentences = [s if p not in furniture else "" for p, s in pairs]  # a tweet's other lines too
    paragraph_of = [p for p, _ in pairs]
    paragraph_day: dict[int, TimeRef] = {}  # "The violence continued on Wednesday. In ..."
    pub = dt.date.fromisoformat(article.date) if article.date else None
    ctx = _ArticleContext(article, sentences)
    plain_refs = [_mark_reported(s, find_times(s, pub)) for s in sentences]
    reporting = [is_reporting(s) for s in sentences]
    violent = bool(_PERPETRATOR.search(article.text))
    base_hits = [find_triggers(s, None, violent) if ok else () for s, ok in zip(sentences,
                                                                                reporting,
                                                                                strict=True)]
    extra, where = (more_triggers(sentences, base_hits) if more_triggers is not None
                    else ([()] * len(sentences), [{}] * len(sentences)))
    disaster = _disaster_kind([h + x for h, x in zip(base_hits, extra, strict=True)])
    ctx.disaster = disaster
    focal = _focal_date(plain_refs, pub, reporting, sentences)
    events: list[Event] = []
    anchor: dt.date | None = None  # last day set by an absolute or deictic expression
    previous: Event | None = None  # the event the narrative is on
    previous_index = -1  # the sentence that told it
    prev_refs: list[TimeRef] = []
    prev_found: list[Found] = []
    for index, sentence in enumerate(sentences):
        if deadline is not None and time.monotonic() > deadline:
            raise TooSlow("extraction took too long (crafted or run-on text?): skipped")
        found = ctx.mentions[index]
        if not reporting[index]:
            previous, prev_refs, prev_found = None, [], []
            continue
        hits = (find_triggers(sentence, disaster, violent)
                if disaster and _DAMAGE.search(sentence) else base_hits[index])
        hits = tuple(replace(h, where=where[index][h.start]) if h.start in where[index] else h
                     for h in hits) + extra[index]
        continuation = _CONTINUATION.match(sentence) is not None
        has_anchor = any(r.kind == "anchor" for r in plain_refs[index])
        if has_anchor and anchor is None:
            # "The State Department on Saturday ordered ..., a day after crowds stormed":
            # with no narrative yet, the sentence's own day is the anchor
            own_day = next((r for r in plain_refs[index] if r.value and r.precision == "day"
                            and r.kind != "anchor"), None)
            anchor = dt.date.fromisoformat(own_day.value) if own_day else None
        own_refs = (_mark_reported(sentence, find_times(sentence, pub, anchor=anchor))
                    if has_anchor else plain_refs[index])
        sentence_anchor = anchor  # what this sentence's "a day after" counts from
        if not hits and continuation:
            _refine_continuation(previous, found, ctx, sentence)
        if not hits and previous is not None and previous_index >= index - 2:
            # "Of the total, five were killed in Caracas, two in the state of Zulia, ...":
            # the event just told, at each place of a tally
            for m in _tally_places(found, sentence):
                if mention_key(m) != mention_key(previous.mention):
                    events.append(replace(
                        previous, mention=m, sources=[Source(article.name, sentence)],
                        title=previous.title.replace(place_label(previous.mention),
                                                     place_label(m)),
                        place_from_context=False))
        for hit in hits:
            trig = hit.trigger
            status = _status(sentence, hit)
            if status == "planned" and plain_refs[index]:
                refs = _mark_reported(sentence, find_times(sentence, pub, anchor=anchor,
                                                           future=True))
            else:
                refs = own_refs
            places_here = [f for f in found if not _is_possessive_country(sentence, f)]
            if continuation and not refs:
                refs = prev_refs[-1:]  # "He did, however, kick ...": still that day
            if continuation and not places_here and prev_found:
                found = prev_found[-1:]
            definite = (hit.text.lower().startswith("the ") or re.search(
                r"\bthe\s+(?:\w+\s+)?$", sentence[max(0, hit.start - 20) : hit.start], re.I)
            ) and not _HAPPENS.match(sentence[hit.end :])
            quoted = sentence[: hit.start].count('"') % 2 == 1 or (
                sentence[: hit.start].count("“") > sentence[: hit.start].count("”"))
            dated = any(r.value and not r.reported for r in refs)
            if _SPEECH.search(sentence[max(0, hit.start - 80) : hit.start]):
                continue  # "wrote that peaceful demonstrations were part of democracy"
            told = next((e for e in reversed(events) if e.family == trig.family), None)
            if (definite or (quoted and not dated)) and told is not None:
                previous, previous_index = told, index  # the narrative is back on it
                continue  # "The attack came hours after ...": the one already told
            subject = sentence[max(0, hit.start - 60) : hit.start]
            if trig.kind == "protest" and _DIPLOMATIC_PROTEST.search(subject):
                continue  # "voiced a strong protest", "in an official protest of": words
            if trig.kind == "protest" and _RIOTERS.search(subject):
                trig = _CLASH  # "The rioters ... marched down the Esplanade": part of the riot
            if trig.kind == "explosion" and disaster and disaster != "explosion":
                trig = replace(trig, family=disaster)  # "We heard an explosion": the flood's
            if trig.kind == "damage":
                # "buildings collapsed in Aleppo": the article's disaster, once per place named
                trig = replace(trig, kind=disaster, family=disaster)
                places = [f.mention for f in _candidates(found, sentence)
                          if f.mention.kind in ("city", "landmark")]
                targets = [(ctx.complete(m), False) for m in dict.fromkeys(places)]
            elif trig.family in ("ties", "diplomatic") and len(
                    subjects := _subject_list(_actors(found, hit), hit, sentence)) > 1:
                targets = [(f.mention, False) for f in subjects]  # "Bahrain and Sudan cut ties"
            elif trig.kind == "evacuation" and len(spots := _origins(found, hit, sentence)) > 1:
                targets = [(ctx.complete(f.mention), False) for f in spots]  # "leave X and Y"
            elif trig.family == "unrest" and len(spots := _place_list(found, hit, sentence)) > 1:
                targets = [(ctx.complete(f.mention), False) for f in spots]  # "in X, Y and Z"
            else:
                targets = [_pick_place(hit, found, sentence, trig, ctx)]
            for (mention, from_context), ref in itertools.product(
                    targets, _refs_for(refs, hit, sentence, status == "planned")):
                if trig.needs_date and (ref is None or ref.kind == "anchor" or min(
                        abs(ref.start - hit.end), abs(hit.start - ref.end)) > 40):
                    continue
                if ref is not None and ref.kind == "anchor" and ref.text.lower().endswith(
                        ("after", "before")) and hit.start >= ref.end and sentence_anchor:
                    # "The moves came a day after Saudi Arabia severed ties": Y is a day before
                    ref = replace(ref, value=(sentence_anchor - dt.timedelta(days=ref.offset))
                                  .isoformat())
                if ref is not None:
                    date, precision, tod = ref.value, ref.precision, ref.time_of_day
                    if precision == "day" and (ref.kind != "anchor" or not _FLASHBACK.search(
                            sentence)):
                        anchor = dt.date.fromisoformat(date)  # the narrative moves to that day
                elif trig.category == "disaster" and (main := next(
                        (e for e in events if e.family == trig.family), None)) is not None:
                    date, precision, tod = main.date, main.date_precision, None  # its damage
                elif (carried := paragraph_day.get(paragraph_of[index])) is not None:
                    date, precision, tod = carried.value, carried.precision, None
                else:
                    same_place = next((e for e in reversed(events)
                                       if mention_key(e.mention) == mention_key(mention)
                                       and e.family == trig.family), None)
                    if same_place is not None:  # "Protesters had occupied the diplomatic post"
                        date, precision = same_place.date, same_place.date_precision
                    else:
                        date, precision = focal, ("day" if focal else None)
                    tod = None
                background = bool(pub and date and precision in ("year", "month")
                                  and date < pub.isoformat()[:len(date)])
                if from_context and ref is None and trig.family == "unrest" and not re.search(
                    r"\b\d|hundreds|thousands|dozens|crowds?", sentence, re.I
                ):
                    continue  # "Sounds of gunfire can be heard": no place, date or size
                actor = _actor(trig, hit, found, sentence, mention, ctx)
                events.append(Event(
                    id="",
                    date=date,
                    date_precision=precision,
                    status=status,
                    category=trig.category,
                    title=_title(trig, hit, mention, status, found, sentence, actor),
                    mention=mention,
                    sources=[Source(article.name, sentence)],
                    time_of_day=tod or clock_time(sentence),
                    date_inferred=article.date_source == "inferred",
                    kind=trig.kind,
                    family=trig.family,
                    place_from_context=from_context,
                    background=background,
                    actor=actor,
                ))
                previous, previous_index = events[-1], index
        for f in found:
            if f.mention.kind == "mission":
                ctx.last_mission = ctx.complete(f.mention)
        days = [r for r in own_refs if r.value and r.precision == "day" and not r.reported]
        if days:
            paragraph_day[paragraph_of[index]] = days[-1]
        spots = [f.mention for f in _candidates(found, sentence)
                 if f.mention.kind in ("city", "landmark", "mission")]
        if spots:
            ctx.paragraph_place = ctx.complete(spots[-1])
        if index + 1 < len(paragraph_of) and paragraph_of[index + 1] != paragraph_of[index]:
            ctx.paragraph_place = None
        prev_refs = own_refs or prev_refs if continuation else own_refs
        prev_found = [f for f in found if not _is_possessive_country(sentence, f)]
    return merge([_at_capital(e) for e in events])


def _actor(trig: Trigger, hit: _Hit, found: Sequence[Found], sentence: str,
           mention: PlaceMention | None, ctx: _ArticleContext) -> str | None:
    """The evacuating state, when it takes its people out of somewhere else."""
    if trig.kind != "evacuation":
        return None
    actor = _evacuating_state(found, hit, sentence)
    if actor is None or (mention is not None and mention.country_code == actor):
        return None
    return actor if _takes_own_people_out(actor, sentence, ctx) else None


def _at_capital(e: Event) -> Event:
    """A state's diplomatic act happens at its seat of government, not across the country:
    "China summoned the German ambassador" is an act in Beijing."""
    m = e.mention
    if e.family not in ("ties", "diplomatic") or m is None or m.kind != "country":
        return e
    cap = gazetteer.capital(m.country_code) if m.country_code else None
    if cap is None:
        return e
    e.mention = PlaceMention(text=cap.name, kind="city", city=cap.name,
                             country_code=m.country_code)
    return e


_REPORTED = re.compile(
    r"\b(?:said|says|told\s+(?:\w+\s+){0,3}|reported|announced|added|confirmed|stated|wrote|"
    r"tweeted|declared|warned|statement|briefing|conference)\s+(?:late\s+|early\s+)?(?:on\s+)?$",
    re.I,
)
_FUTURE = re.compile(r"\b(?:will|would|is\s+to|are\s+to|plans?\s+to|set\s+to)\s+(?:\w+\s+){0,3}$",
                     re.I)
_CLAUSE_BREAK = re.compile(r"\b(?:after|before|when|while|following|because|since|until|as|"
                           r"hours\s+after|days\s+after)\b|[;:—–]|\s-\s", re.I)


def _mark_reported(sentence: str, refs: list[TimeRef]) -> list[TimeRef]:
    """Flag dates that belong to the reporting ("officials said on Tuesday"), not the event,
    and dates of something still to come ("will step down on Wednesday")."""
    out = []
    for r in refs:
        before = sentence[max(0, r.start - 40) : r.start]
        flagged = bool(_REPORTED.search(before) or _FUTURE.search(before))
        out.append(replace(r, reported=True) if flagged else r)
    return out


def _same_clause(sentence: str, a: int, b: int) -> bool:
    lo, hi = sorted((a, b))
    return not _CLAUSE_BREAK.search(sentence[lo:hi])


def _refs_for(refs: Sequence[TimeRef], hit: _Hit, sentence: str = "",
              planned: bool = False) -> list[TimeRef | None]:
    """The time expressions that date this trigger: the nearest in its clause, or every day of
    a list ("demonstrations on Thursday 29 June, Friday 30 June and Thursday 20 July"); never
    the date of the reporting ("officials said on Tuesday")."""
    act = hit.trigger.family in ("ties", "diplomatic", "sanction")  # announcing is the act
    usable = [r for r in refs if r.value and (planned or act or not r.reported)]
    same = [r for r in usable if _same_clause(sentence, r.start, hit.start)]
    usable = same or usable
    if not usable:
        return [None]
    days = [r for r in usable if r.precision == "day" and r.kind != "anchor"]
    if len(days) >= 2 and hit.text.lower().endswith("s"):
        return list(days)
    return [_nearest_time(usable, hit)]


_TALLY = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|dozens|"
                    r"hundreds|several)\b[^,;.()]{0,40}?\b(?:in|at)\s+(?:the\s+(?:state|province|"
                    r"region|city|town|district|county|department)\s+of\s+)?$", re.I)


def _tally_places(found: Sequence[Found], sentence: str) -> list[PlaceMention]:
    """Places each given a count ("five in Caracas, two in Zulia, one in Aragua"): two or
    more, or none."""
    out = [f.mention for f in found if f.mention.kind in ("city", "region", "landmark")
           and _TALLY.search(sentence[max(0, f.start - 70) : f.start])]
    return out if len(out) >= 2 else []


def _refine_continuation(previous: Event | None, found: Sequence[Found], ctx: _ArticleContext,
                         sentence: str) -> None:
    """"They were pushed back at the Jumhuriya bridge": a pronoun sentence right after an
    event, naming a smaller landmark in the same city, pins the event there (and becomes
    part of its evidence, so the reader sees why)."""
    if previous is None:
        return
    prev = previous.mention
    for f in found:
        m = ctx.complete(f.mention)
        if (
            m.kind == "landmark"
            and prev is not None
            and prev.kind in ("landmark", "city")
            and m.city
            and m.city == prev.city
            and _specificity(Found(0, 0, m)) > _specificity(Found(0, 0, prev))
        ):
            previous.title = previous.title.replace(place_label(prev), place_label(m))
            previous.mention = m
            first = previous.sources[0]
            previous.sources[0] = Source(first.article, f"{first.sentence} {sentence}")
            break


def _nearest_time(refs: Sequence[TimeRef], hit: _Hit) -> TimeRef | None:
    """The time expression that belongs to this trigger: nearest, preferring the same clause."""
    usable = [r for r in refs if r.value]
    if not usable:
        return None
    return min(usable, key=lambda r: abs((r.start + r.end) / 2 - (hit.start + hit.end) / 2))
