"""Find the places a sentence names: missions, landmarks, cities, countries.

A statistical NER model finds "Baghdad" but not "the Jumhuriya bridge" or "the Swedish
embassy in the Iraqi capital" (toolchain notes), so this is a gazetteer phrase matcher plus
a few patterns for the shapes news uses to name places:
  - missions: "the Swedish embassy in Baghdad", "Sweden's consulate in Istanbul",
    "the embassy of Sweden", "the Iraqi Embassy in Denmark" (a country -> its capital)
  - capitals: "the Iraqi capital", "the Swedish capital"
  - named landmarks: gazetteer aliases, or "<Name> Square/Bridge/Mosque/..." not in it
  - generic buildings tied to a city: "a mosque in central Stockholm", "a Stockholm mosque"
  - cities and countries from the world gazetteer, longest match first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo import gazetteer, place_grammar
from geo.models import PlaceMention

SPECIFICITY = {"landmark": 3, "mission": 3, "city": 2, "region": 1, "country": 0}

_MISSION_WORD = r"(?P<mtype>(?i:" + place_grammar.alternation("mission", scanned_only=True) + r"))"
_CAP = r"[A-Z][A-Za-z’'.-]*"
_ADJ = r"(?P<adj>U\.S\.|US|UK|U\.K\.|" + _CAP + r"(?:\s" + _CAP + r")?)"
_WHERE = (r"(?:\s+(?:in|to|at)\s+(?P<where>(?:the\s+)?(?:central\s+)?" + _CAP + r"(?:\s" + _CAP
          + r"){0,2}(?:\s+capital)?))?")
_MISSION_PATTERNS = [
    re.compile(r"\b(?:the\s+)?" + _ADJ + r"(?:['’]s)?\s+" + _MISSION_WORD + _WHERE),
    re.compile(r"\b(?:the\s+)?" + _MISSION_WORD + r"\s+of\s+(?:the\s+)?(?P<adj>" + _CAP
               + r"(?:\s" + _CAP + r")?)" + _WHERE),
]
_CAPITAL = re.compile(r"\b(?:the\s+)?(?P<adj>" + _CAP + r")\s+capital\b")
_LANDMARK_TYPES = place_grammar.alternation("landmark", scanned_only=True)
_LANDMARK_WORDS = frozenset(place_grammar.words("landmark", scanned_only=True))
_NAMED_LANDMARK = re.compile(
    r"\b(?P<name>(?:(?:al|el|de|la)[- ])?[A-Z][\w’'-]+"
    r"(?:\s+(?:al|el|de|la|of|the)?\s*[A-Z][\w’'-]+){0,3})\s+(?P<ltype>(?i:" + _LANDMARK_TYPES
    + r"))\b"
)
_GENERIC_BUILDING = re.compile(
    r"\b(?:a|an|the)\s+(?:(?P<city1>" + _CAP + r")\s+)?(?P<ltype>mosque|church|synagogue|temple|"
    r"cathedral|school|hospital|market|university)\b(?:\s+in\s+(?:central\s+|downtown\s+)?"
    r"(?P<city2>" + _CAP + r"(?:\s" + _CAP + r")?))?"
)
_TOKEN = re.compile(r"[^\W_][\w’'.-]*", re.U)
_TITLES = {"mr", "mrs", "ms", "dr", "president", "minister", "general", "gen", "sheikh",
           "ayatollah", "king", "queen", "prince", "pope", "cleric", "spokesperson",
           "spokesman", "spokeswoman", "leader", "ambassador"}


# The day a dateline may carry: "Jan. 2", "Sept 13", "July 18"
_DASH = "[—–―]"  # em dash, en dash, horizontal bar ("BOGOTA (AP) ―")
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
# "Jan. 2", "Sept 13, 2015", "16 April 2004"
_DATELINE_DAY = (r"(?:" + _MONTH_ABBR + r"\s+\d{1,2}(?:,?\s+\d{4})?|\d{1,2}\s+" + _MONTH_ABBR
                 + r"(?:\s+\d{4})?)")
# "BRASILIA, Brazil (AP) —", "TEHRAN (Tasnim) –", "SHAVER LAKE, Calif. —", "ISTANBUL:",
# "NEW YORK, Jan. 2 (Reuters) -", "SEATTLE, Wash., Sept 13 --",
# "BAGHDAD --": an upper-case place, optional region or country, optional agency, a dash or colon.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]*[A-Z])(?:,\s*(?P<region>[A-Z][\w .'’-]*?))?\s*"
    r"(?:,\s*" + _DATELINE_DAY + r"\s*)?"
    r"(?:\((?P<agency>[\w .&-]{2,30})\)\s*)?(?:" + _DASH + r"|•|-{1,2}|:)\s+"
)


@functools.cache
def _state_abbreviations() -> re.Pattern:
    """Wire copy's US state abbreviations: anywhere for "Calif.", only after "City, " for
    those that are also words or names ("Miss.", "Pa.")."""
    table = gazetteer.us_state_abbreviations()
    anywhere = "|".join(re.escape(a) for a, (_s, scan) in table.items() if scan)
    after_city = "|".join(re.escape(a) for a, (_s, scan) in table.items() if not scan)
    return re.compile(r"(?<![\w.])(?P<abbr>" + anywhere + r")(?![\w.])"
                      r"|(?<=[A-Za-z], )(?P<after_city>" + after_city + r")(?![\w.])")


def _us_town(name: str, state: gazetteer.Entry) -> gazetteer.Entry | None:
    """The US town of that name nearest the state's point ("MIDDLETOWN, Calif.")."""
    towns = [t for t in gazetteer.find_towns(name) if t.country_code == "US"]
    city = _city(name)
    if city is not None and city.country_code == "US":
        towns.append(city)
    return min(towns, key=lambda t: gazetteer.haversine_km(t.lat, t.lon, state.lat, state.lon),
               default=None)


# "Kalpetta: Vanished villages ...", "Guayaquil: Masked men ...", "Tashkent [Uzbekistan], July
# 5 : ...", "Paris, July 18, (dpa/GNA) – ...": a dateline in the case of the prose, for a city
# of some size (a capitalised word and a colon is often a label: "Update:", "Watch:")
_DATELINE_TITLE = re.compile(
    r"^(?P<place>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s*(?:\[(?P<region>[A-Z][\w .'’-]{1,30})\])?"
    r"(?:,\s*" + _DATELINE_DAY + r",?)?\s*"
    r"(?::\s+|\((?P<agency>[\w .&/-]{2,30})\)\s*(?:" + _DASH + r"|-{1,2})\s+|" + _DASH
    + r"\s+(?=[A-Z]))")
_TITLE_DATELINE_MIN_POPULATION = 20_000


def _dateline_match(paragraph: str) -> re.Match | None:
    m = _DATELINE.match(paragraph)
    if m is not None:
        return m
    m = _DATELINE_TITLE.match(paragraph)
    if m is None:
        return None
    city = _city(m.group("place"))
    if city is None or 0 < city.population < _TITLE_DATELINE_MIN_POPULATION:
        return None
    return m


def dateline_end(paragraph: str) -> int:
    """Where a dateline ("NEW DELHI -- ", "ISTANBUL: ") ends, 0 when there is none: the
    reporter's city is not where the sentence's events happen."""
    m = _dateline_match(paragraph)
    return m.end() if m and dateline(paragraph) else 0


def dateline(paragraph: str) -> tuple[str, str | None] | None:
    """"BRASILIA, Brazil (AP) — ...": (city, country code), the story's home.

    The city must be in the gazetteer (or a town of the named country): a headline in
    capitals ("BREAKING:") is not a place."""
    m = _dateline_match(paragraph)
    if not m:
        return None
    name = m.group("place").title()
    region = m.group("region")
    state = (gazetteer.us_state(region.strip()) or gazetteer.find_region(region.strip(), "US")
             ) if region else None
    if state is not None and not gazetteer.country_code(region.strip(" .")):
        town = _us_town(name, state)  # "SHAVER LAKE, Calif. —", "SEATTLE, Washington (AP) —"
        return (town.name, "US") if town is not None else None
    cc = gazetteer.country_code(region.strip(" .")) if region else None
    if cc:
        town = gazetteer.find_town(name, [cc])
        if town is not None:
            return town.name, town.country_code
        city = _city(name)
        # "BALI, Indonesia": the island, not India's Bali town
        return (city.name, city.country_code) if city and city.country_code == cc else None
    city = _city(name)
    if city is None:
        return None
    return city.name, city.country_code


_TOWN_CUE = re.compile(
    r"\b(?:" + place_grammar.alternation("settlement") + r")\s+of\s+"
    r"(?P<name>(?:(?:al|el|ad|as|ash)-|[ld][’'])?[A-Z][\w’'-]+"  # "al-Bayda", "l’Aiguillon"
    r"(?:\s+(?:de|del|di|da|do|dos|das|de\s+los|de\s+las|la|le|el|al|sur|am|an)?\s*[A-Z][\w’'-]+)"
    r"{0,3})"
)
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ath|adh)-[a-zA-Z]")  # "al-Bayda"
_MODIFIERS = {"central", "northern", "southern", "eastern", "western", "greater", "old", "new",
              "downtown", "north", "south", "east", "west", "upper", "lower", "inner", "outer",
              "northeastern", "northwestern", "southeastern", "southwestern", "north-eastern",
              "north-western", "south-eastern", "south-western", "northeast", "northwest",
              "southeast", "southwest", "coastal", "rural", "suburban", "neighbouring",
              "neighboring", "mainland", "metro", "war-torn", "landlocked", "occupied"}


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    mention: PlaceMention
    # For a city matched by name: every gazetteer city of that name, best first, and whether
    # the text used the city's own name (not one of its alternate names).
    candidates: tuple = ()
    primary: bool = True

    @property
    def specificity(self) -> float:
        """Landmark or mission > city > second-level region ("Butte County") > region >
        country."""
        m = self.mention
        rank = m.text.split(",")[0].lower().rsplit(" ", 1)[-1]
        district = m.kind == "region" and rank in place_grammar.REGION_RANKS_2
        return SPECIFICITY.get(m.kind, 0) + (0.5 if district else 0)


def capital_mention(code: str | None) -> PlaceMention | None:
    """The capital of the country ``code`` as a city mention ("the Iraqi capital")."""
    cap = gazetteer.capital(code) if code else None
    if cap is None:
        return None
    return PlaceMention(text=cap.name, kind="city", city=cap.name, country_code=code)


def _strip_possessive(s: str) -> str:
    return re.sub(r"['’]s$", "", s)


def _country_of_adj(adj: str) -> str | None:
    return gazetteer.country_code(_strip_possessive(adj.strip()))


def _city(text: str) -> gazetteer.Entry | None:
    """Exact city-name lookup (fast, no fuzzy alternates: "Iraq" must not find Arak)."""
    for entry in gazetteer.name_table().get(gazetteer.normalize(_strip_possessive(text)), ()):
        if entry.kind == "city":
            return entry
    return None


def _where(text: str | None) -> tuple[str | None, str | None]:
    """Resolve the "in X" part of a phrase to (city, country_code)."""
    if not text:
        return None, None
    text = re.sub(r"^(?:the\s+)?(?:central\s+)?", "", text.strip())
    m = re.match(r"(?P<adj>.+?)\s+capital$", text)
    if m:
        code = _country_of_adj(m.group("adj"))
        cap = gazetteer.capital(code) if code else None
        return (cap.name if cap else None), code
    owner = re.match(r"(?P<country>.+?)['’]s\s+(?P<rest>.+)$", text)
    if owner and (code := gazetteer.country_code(owner.group("country"))):
        city, cc = _where(owner.group("rest"))  # "the Russian consulate in Ukraine's Lviv"
        if city and cc == code:
            return city, cc
    words = text.split()
    # "in Copenhagen and ..." may have swallowed a following capitalised word; try shorter
    for n in range(len(words), 0, -1):
        part = " ".join(words[:n])
        code = gazetteer.country_code(part)
        if code:
            cap = gazetteer.capital(code)  # "the Iraqi embassy in Denmark": it is in the capital
            return (cap.name if cap else None), code
        city = _city(part)
        if city:
            return city.name, city.country_code
    return None, None


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(not (b <= s or a >= e) for s, e in spans)


def find_mentions(sentence: str) -> list[Found]:
    """Place mentions in one sentence, left to right, without overlaps."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def add(a: int, b: int, mention: PlaceMention, candidates=(), primary=True) -> None:
        found.append(Found(a, b, mention, candidates, primary))
        taken.append((a, b))

    for pattern in _MISSION_PATTERNS:
        for m in pattern.finditer(sentence):
            if _overlaps(taken, m.start(), m.end()):
                continue
            sender = _country_of_adj(m.group("adj"))
            if not sender:
                continue
            city, host = _where(m.group("where"))
            end = m.end() if city or host else m.end("mtype")
            add(m.start(), end, PlaceMention(
                text=sentence[m.start():end], kind="mission", city=city, country_code=host,
                mission_of=sender,
                ))

    for m in _CAPITAL.finditer(sentence):
        if _overlaps(taken, m.start(), m.end()):
            continue
        cap = capital_mention(_country_of_adj(m.group("adj")))
        if cap:
            add(m.start(), m.end(), cap)

    for m in _state_abbreviations().finditer(sentence):  # "Shaver Lake, Calif.", "W.Va."
        state = gazetteer.us_state(m.group(m.lastgroup))
        if state is not None and not _overlaps(taken, m.start(), m.end()):
            add(m.start(), m.end(), PlaceMention(text=state.name, kind="region",
                                                 city=state.name, country_code="US"))

    _match_gazetteer(sentence, taken, add)

    for m in _TOWN_CUE.finditer(sentence):  # "the town of Amatrice": a place too small to scan
        a, b = m.start("name"), m.end("name")
        inside = [f for f in found if a <= f.start and f.end <= b and (f.start, f.end) != (a, b)
                  and f.mention.kind in ("city", "region")]
        if _overlaps([(f.start, f.end) for f in found if f not in inside], a, b):
            continue
        towns = gazetteer.find_towns(m.group("name"))
        if towns:
            for f in inside:  # "the town of Petit Trou de Nippes", not the Nippes department
                found.remove(f)
                taken.remove((f.start, f.end))
            top = towns[0]
            add(m.start("name"), m.end("name"), PlaceMention(
                text=top.name, kind="city", city=top.name, country_code=top.country_code),
                towns, False)

    for m in _NAMED_LANDMARK.finditer(sentence):
        name, ltype = m.group("name"), m.group("ltype")
        if ltype.lower() in ("embassy", "consulate") or name.split()[0].lower() in (
                "the", "a", "an") or name.lower() in _TITLES:
            continue
        if gazetteer.country_code(name):
            continue  # "Saudi port", "Iraqi Ministry": a nationality, not a name
        inside = [f for f in found if m.start() <= f.start and f.end <= m.end()]
        if _overlaps([(f.start, f.end) for f in found if f not in inside], m.start(), m.end()):
            continue
        if any(f.mention.kind in ("landmark", "mission") for f in inside):
            continue  # the gazetteer knows this landmark already
        city, cc = None, None
        owner = re.match(r"(?P<city>.+?)['’]s\s+(?P<rest>.+)$", name)
        owner_city = _city(owner.group("city")) if owner else None
        if owner_city is not None:
            city, cc = owner_city.name, owner_city.country_code
            name = owner.group("rest")
        for f in inside:
            found.remove(f)
            taken.remove((f.start, f.end))
        add(m.start(), m.end(), PlaceMention(text=f"{name} {ltype}", kind="landmark", city=city,
                                             country_code=cc))

    for m in _GENERIC_BUILDING.finditer(sentence):
        if _overlaps(taken, m.start("ltype"), m.end("ltype")):
            continue
        city_text = m.group("city1") or m.group("city2")
        city = _city(city_text) if city_text else None
        if city is None:
            continue
        # The city name inside it may already be taken as a plain city: replace that one.
        for i, f in enumerate(found):
            if f.mention.kind == "city" and m.start() <= f.start < m.end():
                found.pop(i)
                taken.remove((f.start, f.end))
                break
        add(m.start(), m.end(), PlaceMention(text=m.group("ltype"), kind="landmark",
                                             city=city.name, country_code=city.country_code))

    _towns_of_regions(sentence, found)
    _link_possessives(sentence, found)
    found.sort(key=lambda f: f.start)
    return [_part(sentence, _offset(sentence, f)) for f in found]


_NAME_BEFORE_COMMA = re.compile(r"(?:^|(?<=[\s(]))((?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’-]*),\s*$")


def _towns_of_regions(sentence: str, found: list[Found]) -> None:
    """ "Benton, Ky.", "Millbury, Ohio", "Palma, Cabo Delgado": a town named with its
    first-level region is the town of that name there, not a larger namesake elsewhere, and
    is a place even when too small for the scan table."""
    for r in [f for f in found if f.mention.kind == "region" and f.mention.country_code]:
        m = _NAME_BEFORE_COMMA.search(sentence, max(0, r.start - 60), r.start)
        if m is None:
            continue
        region = gazetteer.find_region(r.mention.text, r.mention.country_code)
        if region is None or region.kind != "region":
            continue
        words = m.group(1).split()
        for k in range(len(words)):  # the longest name first: "Shaver Lake" before "Lake"
            name = " ".join(words[k:])
            a = m.end(1) - len(name)
            town = gazetteer.town_in_region(name.rstrip("."), region)
            if town is None:
                continue
            over = [f for f in found if f.start < m.end(1) and a < f.end and f is not r]
            if any(f.mention.kind != "city" for f in over):
                break  # "the Kentucky Derby, Louisville": something else is named there
            for f in over:
                found.remove(f)
            found.append(Found(a, m.end(1), PlaceMention(
                text=town.name, kind="city", city=town.name, country_code=town.country_code,
                entry_id=town.id), (town,), True))
            break


# "in eastern Kentucky", "northern Peru", "north-east India": a compass adjective, in lower
# case (so "North Carolina" and "West Bengal" stay names), right before a region or country
_PART = re.compile(r"\b(?P<dir>(?:north|south)[- ]?(?:east|west)|north|south|east|west)"
                   r"(?:ern)?\s+(?:the\s+)?$")


def _part(sentence: str, f: Found) -> Found:
    """A region or country named with a compass part is that part of it."""
    if f.mention.kind not in ("region", "country") or f.mention.offset_km is not None:
        return f
    m = _PART.search(sentence[max(0, f.start - 20) : f.start])
    if m is None:
        return f
    return replace(f, mention=replace(f.mention, part=re.sub(r"[- ]", "", m.group("dir"))))


_UNIT_KM = {"km": 1.0, "kms": 1.0, "kilometre": 1.0, "kilometres": 1.0, "kilometer": 1.0,
            "kilometers": 1.0, "mile": 1.609344, "miles": 1.609344, "mi": 1.609344}
# "some 50 kilometres (30 miles) north of", "about 25 miles northwest of the provincial capital
# of", "67km south-east of": right before a place the text names
_OFFSET = re.compile(
    r"\b(?P<n>\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s*-?\s*(?P<unit>" + "|".join(_UNIT_KM) + r")\.?"
    r"(?:\s*\([^()]{0,30}\))?\s+(?:to\s+the\s+)?(?P<dir>(?:north|south)(?:[- ]?(?:east|west))?"
    r"|east|west)(?:ern)?\s+of\s+(?:the\s+)?"
    r"(?:(?:[a-z]+\s+)?(?:town|city|village|port|capital)\s+of\s+)?$", re.I)
MAX_OFFSET_KM = 400.0  # further than that, "800 km southeast of Okinawa" is a storm at sea


def _offset(sentence: str, f: Found) -> Found:
    """A place named as the reference of a distance and a direction is that far from it."""
    if f.mention.kind not in ("city", "landmark", "region") or f.mention.offset_km is not None:
        return f
    m = _OFFSET.search(sentence[max(0, f.start - 80) : f.start])
    if m is None:
        return f
    km = float(m.group("n").replace(",", "")) * _UNIT_KM[m.group("unit").lower()]
    if not 0 < km <= MAX_OFFSET_KM:
        return f
    bearing = gazetteer.BEARINGS[re.sub(r"[- ]", "", m.group("dir").lower())]
    start = max(0, f.start - 80) + m.start()
    return replace(f, start=start, mention=replace(f.mention, offset_km=round(km, 1),
                                                   bearing=float(bearing)))


@functools.cache
def _prefixes() -> frozenset[str]:
    """Every leading run of words of every gazetteer key: lets the scan stop early."""
    out: set[str] = set()
    for key in gazetteer.name_table():
        words = key.split()
        out.update(" ".join(words[:k]) for k in range(1, len(words) + 1))
    return frozenset(out)


@functools.lru_cache(maxsize=200_000)
def _norm_token(token: str) -> str:
    return gazetteer.normalize(_strip_possessive(token.rstrip(".")))


_SHORT_COUNTRIES = {"US": "US", "UK": "GB"}
# "to the US and Israel", "the UK said": a state; "US airstrikes", "the US Capitol": an adjective
_SHORT_AS_PLACE = re.compile(r"\s*(?:$|[,.;:)!?]|\s(?:and|or|has|have|is|was|were|said|says|"
                             r"will|would|had|on|in|over|for|to|after|before|since)\b)")


def _match_gazetteer(sentence: str, taken: list[tuple[int, int]], add) -> None:  # noqa: C901
    """Longest gazetteer names first, scanning word by word from capitalised words."""
    table = gazetteer.name_table()
    prefixes = _prefixes()
    tokens = list(_TOKEN.finditer(sentence))
    headline = is_title_case(sentence)
    i = 0
    while i < len(tokens):
        first = tokens[i].group(0)
        if first[0].isalpha() and first[0].isascii() and not first[0].isupper() and not (
                _ARABIC_ARTICLE.match(first)):
            i += 1
            continue
        short = _SHORT_COUNTRIES.get(first.rstrip("."))
        a = tokens[i].start()
        b = a + len(first.rstrip("."))
        if short and not _overlaps(taken, a, b) and _SHORT_AS_PLACE.match(sentence, b):
            # "the US and Israel": two letters the table leaves out ("us" is a word)
            entry = gazetteer.country_entry(short)
            if entry is not None:
                add(a, b, PlaceMention(text=entry.name, kind="country", country_code=short))
            i += 1
            continue
        hit = None
        key = kept = ""  # kept: with a possessive inside the name kept ("Hawke's Bay")
        for n in range(1, min(gazetteer.MAX_NAME_TOKENS, len(tokens) - i) + 1):
            word = tokens[i + n - 1].group(0)
            piece = _norm_token(word)
            key = f"{key} {piece}" if key else piece
            whole = gazetteer.normalize(word.rstrip("."))
            kept = (f"{kept} {whole}" if kept else whole) if kept is not None else None
            if kept is not None and (kept == key or kept not in prefixes):
                kept = None
            if key not in prefixes and kept is None:
                break
            a = tokens[i].start()
            if kept is not None and n > 1 and (entries := table.get(kept)):
                b = tokens[i + n - 1].start() + len(word.rstrip("."))
                if not _overlaps(taken, a, b):
                    hit = (n, a, b, entries)
                continue
            entries = table.get(key) if key in prefixes else None
            raw = _strip_possessive(word.rstrip("."))
            b = tokens[i + n - 1].start() + len(raw)
            if entries and not _overlaps(taken, a, b):
                hit = (n, a, b, entries)
        if hit is None:
            i += 1
            continue
        n, a, b, entries = hit
        if not _looks_like_person(sentence, tokens, i, n, headline):
            entry = entries[0]
            key = " ".join(_norm_token(t.group(0)) for t in tokens[i : i + n])
            entry = _state_over_its_city(entry, entries, key)
            if _a_speaker(sentence, a, b, entry) or (
                    entry.kind in ("city", "region") and (_WATER_AFTER.match(sentence, b)
                                                          or _LONGER_NAME.match(sentence, b))):
                i += n  # "Parker said"; "the Kabul River", "Aso Rock": not the city
                continue
            if entry.kind == "country":  # city-states: "Hong Kong", "Singapore" are cities too
                entry = next((e for e in entries if e.kind == "city"
                              and e.country_code == entry.country_code
                              and e.population >= CITY_STATE_SHARE * entry.population), entry)
            if entry.kind == "landmark":
                mention = PlaceMention(text=entry.name, kind="landmark", city=entry.city,
                                       country_code=entry.country_code,
                                       entry_id=entry.id if entry.city is None else None)
            elif entry.kind == "country":
                mention = PlaceMention(text=entry.name, kind="country",
                                       country_code=entry.country_code)
            else:
                mention = PlaceMention(text=entry.name, kind=entry.kind, city=entry.name,
                                       country_code=entry.country_code)
            cities = tuple(e for e in entries if e.kind == "city")
            add(a, b, mention, cities, gazetteer.normalize(entry.name) == key)
        i += n


_WATER_AFTER = re.compile(r"\s+(?:[Rr]iver|[Cc]anal|[Cc]reek|[Dd]am|[Rr]eservoir|[Ee]stuary|"
                          r"Rock)\b")
# "Pescara del Tronto", "Castelluccio di Norcia": a village's name goes on past the city's
_LONGER_NAME = re.compile(r"\s+(?:del|de|di|da|do|dos|das|du|des|della|sur|am|an\s+der)\s+[A-Z]")
_SPEAKS = re.compile(r"\s+(?:said|says|told|added|wrote|explained|tweeted)\b")


_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|near|of|outside|across|around|to)\s+$", re.I)


def _a_speaker(sentence: str, start: int, end: int, entry) -> bool:
    """ "..., Parker said": a person (Houston's mayor), not the town of Parker; "officials
    in Houston said" stays a place, and so does a capital that speaks for its government
    ("Moscow said")."""
    if entry.kind != "city" or not _SPEAKS.match(sentence, end) or _PLACE_BEFORE.search(
            sentence[max(0, start - 12) : start]):
        return False
    capital = gazetteer.capital(entry.country_code) if entry.country_code else None
    return capital is None or capital.name != entry.name


# A country is a city-state when one city of its name holds this share of its people
# (Singapore, Monaco); "Kuwait", "Paraguay" and "Mozambique" are the countries, though a city
# there (Kuwait City, Asuncion, the Island of Mozambique) has the name as an alias.
CITY_STATE_SHARE = 0.5
BIG_CITY = 5_000_000  # "New York" is the city; "Oklahoma" is the state


def _state_over_its_city(entry, entries, key: str):
    """ "Oklahoma" is the state, though GeoNames lists it as another name of Oklahoma City:
    a region of that very name beats a city of that name plus "City", bar the largest."""
    if (entry.kind == "city" and gazetteer.normalize(entry.name) == f"{key} city"
            and entry.population < BIG_CITY):
        return next((e for e in entries if e.kind == "region"
                     and gazetteer.normalize(e.name) == key), entry)
    return entry


_NAME_RUN = re.compile(
    r"(?<![\w’'-])(?:[A-Z][\w’'-]+)(?:[ -](?:(?:de|del|la|le|am|an|sur) |"
    r"(?:al|as|ash|ad|ar|az|at|an|el|ed|es|esh|ez)-)?[A-Z][\w’'-]+){0,2}")  # "Jisr al-Shughur"


_WORD = re.compile(r"\w")


def find_towns_in(sentence: str, countries: set[str], taken: list[tuple[int, int]],
                  common: set[str], near: Sequence[tuple[float, float]] = ()) -> list[Found]:
    """Towns of 1,000+ people (GeoNames cities1000) named in the sentence, only in a country
    the article is about: too many town names are also words or surnames to scan for them
    worldwide, but "Putorino" in a New Zealand story is the town. ``common`` holds words
    the article also writes in lower case (so they are words, not names); ``near``, the
    points of the places it names, chooses among same-named towns."""
    if not countries:
        return []
    stop = gazetteer.city_stoplist()
    out = []
    for m in _NAME_RUN.finditer(sentence):
        if not _WORD.search(sentence, 0, m.start()) or _overlaps(taken, m.start(), m.end()):
            continue  # a sentence's first word is capitalised anyway ("— Strong storms")
        words = m.group(0).split()
        # A run of three capitalised words or more is a name in full ("Aung San Suu Kyi"),
        # not a town and a word; "North Doyalson" and "Lithgow Mayor" are looked up whole,
        # then by their first word.
        for n in range(len(words), 0, -1) if len(words) <= 2 else (len(words),):
            if n < len(words) and not _word_after_name(words[n], common):
                break  # "Daniel Berlant": a person's name, not the town of Daniel
            name = _strip_possessive(" ".join(words[:n]))
            key = gazetteer.normalize(name)
            if key in stop or key in common or key in _TITLES or len(key) < 4 or (
                    _country_of_adj(name)):
                continue  # "more Canadian provinces": a nationality, not Canadian, Victoria
            town = gazetteer.find_town(name, countries, near)
            if town is not None and (_loose(gazetteer.normalize(town.name)) == _loose(key) or (
                    gazetteer.spelling_key(town.name) == gazetteer.spelling_key(key))):
                # its own name, or that name spelt another way ("Tal Afar", "Tall ‘Afar"), not
                # one of its alternate names (many are words)
                b = m.start() + len(name)
                out.append(Found(m.start(), b, PlaceMention(
                    text=town.name, kind="city", city=town.name,
                    country_code=town.country_code, entry_id=town.id), (town,), True))
                taken.append((m.start(), b))
                break
    return out


def _loose(key: str) -> str:
    """A normalized name without doubled letters or marks: transliterations agree."""
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^\w ]", "", key))


def _word_after_name(word: str, common: set[str]) -> bool:
    """Whether a capitalised word after a town's name can stand beside it ("Lithgow Mayor",
    "Putorino Road", "Hagen Police"), rather than finish a person's name."""
    key = gazetteer.normalize(_strip_possessive(word))
    return (key in common or key in _TITLES or key in place_grammar.REGION_RANKS
            or key in place_grammar.REGION_RANKS_2
            or key in _LANDMARK_WORDS or key in gazetteer.name_table()
            or key in _AFTER_TOWN)


_AFTER_TOWN = frozenset({"mayor", "police", "council", "fire", "road", "street", "airport",
                         "station", "hospital", "residents", "district", "area", "regional",
                         "national", "federal", "government", "army", "state"})


# Words a headline in title case leaves in lower case ("Protesters Storm Parliament in Baghdad")
HEADLINE_SMALL = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "nor", "but", "as",
    "by", "with", "from", "into", "onto", "over", "amid", "near", "after", "before", "vs",
    "via", "per", "is", "are", "be"))
HEADLINE_WORD = re.compile(r"[A-Za-z][\w’'-]*")  # a word of a headline


def is_title_case(sentence: str) -> bool:
    """A headline in title case ("Strong Earthquakes Hit Ishikawa Pref."): every word but the
    small ones capitalised, so there a capital says nothing about a name."""
    words = [w for w in HEADLINE_WORD.findall(sentence)[1:] if w.lower() not in HEADLINE_SMALL]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


# Words that open a sentence before a place name with no comma between ("In Baghdad", "Then
# Mosul", "Across Kenya"): not the first half of a person's name.
_SENTENCE_OPENERS = HEADLINE_SMALL | {
    "across", "around", "outside", "inside", "throughout", "then", "meanwhile", "also",
    "even", "only", "while", "when", "where", "since", "until", "like", "unlike", "both",
    "all", "most", "many", "some", "several", "thousands", "hundreds", "dozens", "residents",
    "people", "protesters", "police", "troops", "officials", "neither", "either", "this",
    "that", "these", "those", "his", "her", "their", "its", "our", "my", "your", "if",
    "once", "during", "within", "beyond", "toward", "towards", "against", "between",
    "beneath", "under", "above", "upon", "despite", "among"}


# "in Mymensingh Wednesday night", "in Kabul January 5": wire copy's day, not a surname
_CALENDAR_WORDS = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "today", "tonight", "yesterday"))


def _looks_like_person(sentence: str, tokens, i: int, n: int, headline: bool = False) -> bool:
    """'Lawrence Richard', 'President Jackson': a city name used as a person's name.

    In a title-case ``headline`` the neighbours' capitals are the style, not a longer name."""
    prev = tokens[i - 1].group(0) if i > 0 else ""
    nxt = tokens[i + n].group(0) if i + n < len(tokens) else ""
    if prev.lower().rstrip(".") in _TITLES:
        return True
    if headline:
        return False
    gap_prev = sentence[tokens[i - 1].end() : tokens[i].start()] if i > 0 else ""
    if i > 0 and gap_prev == " " and prev[:1].isupper() and prev.isalpha() and (
            not prev.isupper()) and (
            gazetteer.normalize(prev) not in gazetteer.name_table()
            and prev.lower() not in _MODIFIERS) and (
            i > 1 or prev.lower() not in _SENTENCE_OPENERS):
        # "the Nile Delta", "Fox News' Lawrence": part of a longer name; at a sentence's
        # start too ("Breonna Taylor protests erupt"), unless the first word is a small one
        return True
    gap_next = sentence[tokens[i + n - 1].end(): tokens[i + n].start()] if nxt else ""
    owner = re.search(r"['’]s$", tokens[i + n - 1].group(0))  # "Venezuela's Maduro": an owner
    if nxt and gap_next == " " and nxt[0].isupper() and nxt.isalpha() and not owner:
        table = gazetteer.name_table()
        key = gazetteer.normalize(nxt)
        if key not in table and nxt.lower() not in _LANDMARK_WORDS and (
                nxt.lower() not in _CALENDAR_WORDS) and not (
                key in place_grammar.REGION_RANKS or key in place_grammar.REGION_RANKS_2
                or key in _AFTER_TOWN):
            return True  # "Hainan Province", "South Ethiopia Regional State": no person
    return False


def _link_possessives(sentence: str, found: list[Found]) -> None:
    """"Baghdad's Green Zone": the landmark is in that city."""
    for idx in range(len(found) - 1):
        a, b = found[idx], found[idx + 1]
        between = sentence[a.end:b.start]
        if a.mention.kind == "city" and b.mention.kind in ("landmark", "mission") and re.fullmatch(
            r"['’]s\s+(?:\w+\s+){0,2}", between
        ) and not b.mention.city:
            found[idx + 1] = Found(b.start, b.end, PlaceMention(
                text=b.mention.text, kind=b.mention.kind, city=a.mention.city,
                country_code=a.mention.country_code, mission_of=b.mention.mission_of))
