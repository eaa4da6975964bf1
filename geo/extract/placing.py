"""Where an event happened: the place mentions of its sentence read against the article.

Extraction only chooses among mentions (:class:`geo.models.PlaceMention`); the places stage
(:mod:`geo.geocode`) resolves them to points. The choice: the trigger's own arguments in the
parse first, then the most specific mention near it; a state's diplomatic act at that state;
an evacuation where people are taken from; never a dateline, a speaker's whereabouts, an
owner ("Iran's leader") or an appositive's region; else the paragraph's place, else the
article's main city.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from geo import gazetteer, place_grammar
from geo.extract.triggers import Hit, Trigger
from geo.mentions import (
    Found,
    capital_mention,
    dateline,
    dateline_end,
    find_mentions,
    find_towns_in,
)
from geo.models import Article, Event, PlaceMention

_ANAPHORA_MISSION = re.compile(
    r"\b(?:the|its)\s+(?:embassy|consulate|diplomatic\s+(?:post|mission|compound)|"
    r"embassy\s+compound|mission)\b", re.I
)


# Smaller things are more specific than the zones and districts that contain them.
_LANDMARK_RANK = {"zone": 0, "district": 0, "neighbourhood": 0, "camp": 1}


def landmark_rank(f: Found) -> int:
    base = f.specificity * 10
    if f.mention.kind == "landmark":
        entry = gazetteer.find_landmark(f.mention.text, f.mention.city, f.mention.country_code)
        ltype = (entry.landmark_type if entry else None) or ""
        base += _LANDMARK_RANK.get(ltype, 5)
    return base


# a dateline opens one of the first sentences (after a headline, a byline, a "Posted ..." line)
DATELINE_WITHIN = 5
FAR_NAMESAKE_KM = 2000.0  # a small town abroad this far from every place of the story


def _chosen_city(f: Found) -> gazetteer.Entry | None:
    """The namesake a city mention was read as (its candidates are at hand)."""
    m = f.mention
    return next((c for c in f.candidates if c.name == m.text
                 and c.country_code == m.country_code), None)


# an East Asian given name after a family name: "Liang Yu-chu", "Ma Ying-jeou"
# (syllables, not "Naivasha Sub-county")
_GIVEN_NAME_AFTER = re.compile(r"\s+(?!Sub-)[A-Z][a-z]{1,5}-[a-z]{1,5}\b(?!-)")


class ArticleContext:
    """What an article tells about where it is: its main city, its missions."""

    def __init__(self, article: Article, sentences: Sequence[str]):
        home = next((d for d in map(dateline, sentences[:DATELINE_WITHIN]) if d), None)
        raw = [find_mentions(s) for s in sentences]
        self.countries = {f.mention.country_code for found in raw for f in found
                          if f.mention.kind == "country"}
        self.countries |= {code for word, code in _demonyms_in(article.text)}
        if home and _bureau_abroad(home, raw, sentences):
            home = None  # "MADRID — A raging forest fire ... in central Portugal"
            raw = [[f for f in found if f.start >= dateline_end(s)]
                   for found, s in zip(raw, sentences, strict=True)]
        if home:
            self.countries.add(home[1])
        if not self.countries:  # only when the text never names a country
            self.countries |= _coherent_countries(raw)
        self.countries |= _capitals_named(raw)  # "Quito": an Ecuadorian story too
        # the countries of the regions it names: "In Swabi ..." in a story that names Khyber
        # Pakhtunkhwa but never Pakistan is the Pakistani town
        self._region_countries = {f.mention.country_code for found in raw for f in found
                                  if f.mention.kind == "region" and f.primary} - {None}
        if not self.countries - {None} and len(self._region_countries) == 1:
            # "Residents in four towns in Western Australia ...": a story that names only
            # a state is in that state's country (its towns are looked for there)
            self.countries |= self._region_countries
        if not self.countries - {None}:
            # "according to state-run news agency MENA": a story that names no place's
            # country but quotes one country's state agency is from there
            quoted = gazetteer.countries_of_agencies_in(article.text)
            if len(quoted) == 1:
                self.countries |= quoted
        common = set(_LOWER_WORDS.findall(article.text))
        self._common, self._text = common, article.text
        self.mentions = [[g for f in found if (g := self._plausible(f, s))]
                         for found, s in zip(raw, sentences, strict=True)]
        near = self._anchors(home)
        for found, s in zip(self.mentions, sentences, strict=True):
            towns = find_towns_in(s, self.countries - {None}, [(f.start, f.end) for f in found],
                                  common, near)
            if towns:
                found += towns
                found.sort(key=lambda f: f.start)
            found[:] = [self._region_cue(f, s) for f in found]
            self._regions_in_lists(found, s)
        self._towns_leading(sentences)
        self._short_names()
        self._drop_far_namesakes(home)
        self._villages(sentences, home[1] if home else None)
        named = [f.mention for found in self.mentions for f in found
                 if f.mention.kind == "region"]
        regions = {m.text for m in named}
        district_countries = sorted((self.countries | {m.country_code for m in named}) - {None})
        if not district_countries:  # "Butler County" in a story that names only Pittsburgh
            district_countries = sorted({f.mention.country_code for found in self.mentions
                                         for f in found if f.mention.kind == "city"} - {None})
        regions |= _districts_common_region(sentences, district_countries)
        for found, s in zip(self.mentions, sentences, strict=True):
            self._add_districts(found, s, regions, district_countries)
        self._namesakes_in_named_regions()
        cities: Counter = Counter()
        self._city_rows: dict[tuple, str] = {}  # (city, country) -> the town row chosen
        for found in self.mentions:
            for f in found:
                if f.mention.city:
                    cities[(f.mention.city, f.mention.country_code)] += 1
                    if f.mention.kind == "city" and f.mention.entry_id:
                        self._city_rows.setdefault((f.mention.city, f.mention.country_code),
                                                   f.mention.entry_id)
        if home:
            cities[home] += 3  # the dateline: where the reporter is, usually the story
        self.main_city = cities.most_common(1)[0][0] if cities else None
        self._add_bare_capitals(sentences)
        for i, s in enumerate(sentences[:DATELINE_WITHIN]):
            end = dateline_end(s)
            others = [f for f in self.mentions[i] if f.start >= end]
            if end:  # "NEW DELHI -- ... killed in Bangladesh": not in Delhi
                self.mentions[i] = others
        self.last_mission: PlaceMention | None = None
        self.paragraph_place: PlaceMention | None = None  # the last city named in the paragraph
        # where the last disaster or evacuation the text placed itself happened: "more than
        # 14,000 people in the area have had to leave their homes" is there
        self.disaster_place: PlaceMention | None = None
        self.disaster: str | None = None  # the kind of the article's first disaster, if any

    def _short_names(self) -> None:
        """ "In Villiers, about 100 youths ...": a town the article named in full before
        ("Villiers-le-Bel"), called by its first word, is that town, not a namesake abroad."""
        full: dict[str, PlaceMention] = {}
        for found in self.mentions:
            for f in found:
                m = f.mention
                if m.kind == "city" and re.search(r"[\s-]", m.text):
                    full.setdefault(gazetteer.normalize(m.text), m)
        if not full:
            return
        for found in self.mentions:
            for i, f in enumerate(found):
                m = f.mention
                key = gazetteer.normalize(m.text)
                if m.kind != "city" or len(key) < 4 or key in full:
                    continue
                longer = [v for k, v in full.items() if k.startswith((key + " ", key + "-"))]
                if len(longer) == 1 and longer[0].country_code != m.country_code:
                    found[i] = replace(f, mention=longer[0], candidates=())

    def _villages(self, sentences: Sequence[str], home_cc: str | None) -> None:
        """ "an attack on Kaboro community", "the village of Jinping": a place the text says
        is a village, though no gazetteer here has it, is a candidate under its own name, in
        the story's country (online, the geocoder may find it; offline it is shown at a city
        the article names, and says so)."""
        countries = sorted(self.countries - {None})
        cc = home_cc or (countries[0] if len(countries) == 1 else None)
        if cc is None:
            return
        for found, s in zip(self.mentions, sentences, strict=True):
            for m in _VILLAGE.finditer(s):
                a, b = (m.start("a"), m.end("a")) if m.group("a") else (m.start("b"), m.end("b"))
                name = s[a:b]
                key = gazetteer.normalize(name)
                if (a == 0 or len(key) < 4 or any(f.start < b and a < f.end for f in found)
                        or key in self._common or key in gazetteer.city_stoplist()
                        or key in gazetteer.name_table() or gazetteer.country_code(name)
                        or name.split()[0].lower() in _NOT_A_NAME
                        or gazetteer.demonyms().get(name.split()[0].lower())):
                    continue  # "the Chinese community", "California village", "The village"
                # "the village of Asklipio on the island of Rhodes": shown there, offline
                host = next((f.mention for f in found if 0 <= f.start - b <= 60
                             and f.mention.kind in ("city", "region")
                             and f.mention.country_code == cc), None)
                found.append(Found(a, b, PlaceMention(
                    text=name, kind="city", country_code=cc,
                    city=(host.city or host.text) if host is not None else name), (), True))
                found.sort(key=lambda f: f.start)

    def _towns_leading(self, sentences: Sequence[str]) -> None:
        """ "Tal Afar, mainly home to Turkmen, ...": a town the article names elsewhere is that
        town also as a sentence's first words, where a capital says nothing (the scan skips
        them), not the region "Afar" inside it."""
        towns = {gazetteer.normalize(s[f.start:f.end]): f.mention
                 for found, s in zip(self.mentions, sentences, strict=True) for f in found
                 if f.mention.entry_id and f.mention.kind == "city" and f.start > 0}
        if not towns:
            return
        for found, s in zip(self.mentions, sentences, strict=True):
            run = _LEADING_NAME.match(s)
            if run is None or any(f.start == 0 for f in found if f.mention.kind == "city"
                                  and f.end >= run.end()):
                continue
            words = run.group(0).split()
            for n in range(len(words), 0, -1):
                name = " ".join(words[:n])
                mention = towns.get(gazetteer.normalize(name))
                if mention is not None:
                    found[:] = [f for f in found if f.start >= len(name)]
                    found.insert(0, Found(0, len(name), mention, (), True))
                    break

    def _drop_far_namesakes(self, home: tuple[str, str | None] | None) -> None:
        """ "looted in Glenwood, Sydenham and Chatsworth" in a Durban story: a small town
        abroad, thousands of kilometres from every place of the story's countries the text
        names, is a suburb or village too small for the tables, not that town."""
        local = self._anchors(home, local_only=True)
        if not local:
            return
        for found in self.mentions:
            found[:] = [f for f in found if not self._far_namesake(f, local)]

    def _namesakes_in_named_regions(self) -> None:
        """ "Sheridan" in a story that says "across Arkansas" is Sheridan, Arkansas (4,800
        people), not the larger Sheridan, Wyoming: of same-named towns of a country, the one
        inside a first-level region or county the article names, when the largest is in none."""
        regions = [r for found in self.mentions for f in found if f.mention.kind == "region"
                   and (r := gazetteer.find_region(f.mention.text, f.mention.country_code))
                   is not None and r.country_code]
        if not regions:
            return
        for found in self.mentions:
            for i, f in enumerate(found):
                entry = _chosen_city(f) if f.mention.kind == "city" else None
                if entry is None or f.mention.entry_id or entry.population >= 1_000_000:
                    continue
                inside = [t for r in regions if r.country_code == entry.country_code
                          and (t := gazetteer.town_in_region(entry.name, r)) is not None]
                if not inside or any(gazetteer.haversine_km(t.lat, t.lon, entry.lat, entry.lon)
                                     < 5 for t in inside):
                    continue
                town = inside[0]
                found[i] = replace(f, mention=replace(f.mention, text=town.name, city=town.name,
                                                      country_code=town.country_code,
                                                      entry_id=town.id), candidates=(town,))

    def _far_namesake(self, f: Found, local: Sequence[tuple[float, float]]) -> bool:
        if f.mention.kind != "city" or f.mention.country_code in self.countries:
            return False
        entry = _chosen_city(f)
        if entry is None or entry.lat is None or entry.population >= 100_000:
            return False
        gap = min(gazetteer.haversine_km(entry.lat, entry.lon, lat, lon) for lat, lon in local)
        return gap > FAR_NAMESAKE_KM

    def _anchors(self, home: tuple[str, str | None] | None,
                 local_only: bool = False) -> list[tuple[float, float]]:
        """Points of the cities and regions the article names (and its dateline): a small
        town of a common name is the one near them. ``local_only``: no city abroad (outside
        the story's countries)."""
        points = set()
        for found in self.mentions:
            for f in found:
                m = f.mention
                if m.kind == "city":
                    if local_only and m.country_code not in self.countries:
                        continue
                    entry = _chosen_city(f)
                elif m.kind == "region":
                    entry = gazetteer.find_region(m.text, m.country_code)
                else:
                    continue
                if entry is not None and entry.lat is not None:
                    points.add((entry.lat, entry.lon))
        if home:
            town = gazetteer.find_town(home[0], [home[1]]) if home[1] else None
            if town is not None:
                points.add((town.lat, town.lon))
        return sorted(points)

    def _add_bare_capitals(self, sentences: Sequence[str]) -> None:
        """"rallies in several other cities including the capital": the capital of the
        story's country, where no other place is named there."""
        cap = capital_mention(self.home_country)
        if cap is None:
            return
        for found, s in zip(self.mentions, sentences, strict=True):
            for m in _BARE_CAPITAL.finditer(s):
                if any(f.start < m.end() and m.start() < f.end for f in found):
                    continue
                found.append(Found(m.start(), m.end(), cap))
                found.sort(key=lambda f: f.start)

    def _plausible(self, f: Found, sentence: str) -> Found | None:
        """A city name is read as that city only when the article's countries agree, or the
        city is big and named by its own name: "Lula" is not Lulea, "Federal" not Argentina's.
        A region of that name in the article's country beats a city elsewhere ("Bali" in an
        Indonesian story is the island, not the Indian town)."""
        if f.mention.kind == "region" and f.start == 0 and f.mention.country_code not in (
                self.countries | {None}):
            return None  # "Marches in Quito ...": a capitalised first word, not Italy's Marche
        if f.mention.kind in ("region", "city") and _AS_ADJECTIVE.match(sentence, f.end):
            return None  # "the Balkan country": a word for where, not Turkmenistan's Balkan
        if f.mention.kind in ("region", "city") and _GIVEN_NAME_AFTER.match(sentence, f.end):
            return None  # "Liang Yu-chu", "Kim Jong-un": a family name, not Liang in Brunei
        if f.mention.kind == "landmark" and f.mention.country_code not in self.countries and (
                alt := next((e for e in gazetteer.lookup(sentence[f.start : f.end])
                             if e.kind == "landmark" and e.country_code in self.countries),
                            None)) is not None:
            # "Tahrir Square" in an Egyptian story is Cairo's, not Baghdad's
            return replace(f, mention=replace(f.mention, text=alt.name, city=alt.city,
                                              country_code=alt.country_code,
                                              entry_id=alt.id if alt.city is None else None))
        if f.mention.kind != "city" or not f.candidates:
            return f
        local = [c for c in f.candidates if c.country_code in self.countries] or [
            c for c in f.candidates if c.country_code in self._region_countries]
        if local:
            best = max(local, key=lambda c: c.population)
            return replace(f, mention=replace(f.mention, text=best.name, city=best.name,
                                              country_code=best.country_code))
        said = sentence[f.start : f.end]
        if self.countries - {None} and (near := _NEAR_AFTER.match(sentence, f.end)) and any(
                e.kind == "city" and e.country_code in self.countries
                for e in gazetteer.lookup(near.group("anchor"))):
            return None  # "the seaside town of Mati near Athens": not Mati in the Philippines
        for cc in sorted(self.countries - {None}):
            region = gazetteer.find_region(said, cc)
            if region is not None:
                return replace(f, mention=PlaceMention(text=region.name, kind="region",
                                                       country_code=cc), candidates=())
        top = f.candidates[0]
        if f.primary and (top.population >= 100_000 or top.population == 0):
            return f  # population 0: a curated city row
        if (f.primary and len(f.candidates) == 1 and gazetteer.normalize(said) not in self._common
                and (not self.countries or self._text.count(said) >= 2)
                and all(e.kind == "city" for e in gazetteer.lookup(said))):
            return f  # "rioters in Kenosha": the only city of that name, the story's own
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

    @staticmethod
    def _regions_in_lists(found: list[Found], sentence: str) -> None:
        """ "wildfires rage across California, Oregon, Washington": a name in a list of a
        country's regions is the region of that name, not the city that shares it."""
        for i, f in enumerate(found):
            if f.mention.kind != "city":
                continue
            for j in (i - 1, i + 1):
                other = found[j] if 0 <= j < len(found) else None
                if other is None or other.mention.kind != "region" or not (
                        other.mention.country_code):
                    continue
                gap = sentence[min(f.end, other.end):max(f.start, other.start)]
                if not _LIST_RUN.fullmatch(gap):
                    continue
                region = gazetteer.find_region(sentence[f.start:f.end],
                                               other.mention.country_code)
                if region is not None:
                    found[i] = replace(f, mention=PlaceMention(
                        text=region.name, kind="region",
                        country_code=other.mention.country_code), candidates=())
                    break

    def _add_districts(self, found: list[Found], sentence: str, regions: set[str],
                       countries: Sequence[str]) -> None:
        """"Butte County", "Pune district", "the district of Euskirchen": a second-level
        region of the article's countries (of same-named ones, the one in a region the
        article names), in place of the town or nothing the words were read as before."""
        if not _DISTRICT_WORD.search(sentence):
            return
        for name, a, b in _district_names(sentence):
            entry = gazetteer.find_district(name, countries, regions)
            if entry is None:
                continue
            found[:] = [f for f in found if f.end <= a or f.start >= b]
            found.append(Found(a, b, PlaceMention(text=f"{entry.name}, {entry.aliases[0]}",
                                                  kind="region",
                                                  country_code=entry.country_code)))
            found.sort(key=lambda f: f.start)

    def complete(self, m: PlaceMention) -> PlaceMention:
        """Fill in a missing city from the article: "the Danish Embassy" in a Baghdad story;
        a landmark the gazetteer lacks is in the town its name starts with ("the same Tal
        Afar market" in a Baghdad-datelined story)."""
        if m.kind == "landmark" and m.entry_id:
            return m  # a gazetteer row of no city ("Mount Agung"): its own point
        if m.kind == "landmark" and not m.city and (town := self._town_in_name(m.text)):
            return replace(m, city=town.name, country_code=town.country_code, entry_id=town.id)
        if m.kind in ("mission", "landmark") and not m.city and self.main_city:
            city, cc = self.main_city
            if m.kind == "mission" and cc and m.mission_of == cc:
                return m  # a country has no embassy in itself; leave it open
            if m.country_code and cc and m.country_code != cc:
                return m
            return replace(m, city=city, country_code=m.country_code or cc,
                           entry_id=self._city_rows.get((city, cc)))
        if m.kind in ("mission", "landmark") and m.city and not m.entry_id and (
                row := self._city_rows.get((m.city, m.country_code))):
            return replace(m, entry_id=row)  # "Holladay Road just west of Hillsboro"
        return m

    def _town_in_name(self, name: str) -> gazetteer.Entry | None:
        words = name.split()[:-1]  # "Tal Afar market": the words before the landmark word
        countries = sorted(self.countries - {None})
        for n in range(min(3, len(words)), 0, -1):
            head = " ".join(words[:n])
            if not head[:1].isupper() or gazetteer.normalize(head) in self._common:
                continue
            city = next((e for e in gazetteer.lookup(head) if e.kind == "city"
                         and e.country_code in countries), None)
            town = city or gazetteer.find_town(head, countries)
            if town is not None:
                return town
        return None

    @property
    def home_country(self) -> str | None:
        """The country of the article's main city: the story's country."""
        return self.main_city[1] if self.main_city else None

    def fallback(self, country: bool = False) -> PlaceMention | None:
        """The article's main city; its country for acts of a state (elections, ties)."""
        if not self.main_city:
            return None
        city, cc = self.main_city
        if country and cc:
            return PlaceMention(text=gazetteer.country_name(cc) or cc, kind="country",
                                country_code=cc)
        if self._main_is_region:
            return PlaceMention(text=city, kind="region", country_code=cc)  # "in Sichuan"
        return PlaceMention(text=city, kind="city", city=city, country_code=cc)

    @functools.cached_property
    def _main_is_region(self) -> bool:
        """The article's main place is a region, not a city of its name ("the Sichuan
        province of China")."""
        if not self.main_city:
            return False
        city, cc = self.main_city
        return not any(e.kind == "city" and e.country_code == cc for e in gazetteer.lookup(city)
                       ) and gazetteer.find_region(city, cc) is not None


_BARE_CAPITAL = re.compile(r"(?<!provincial )(?<!regional )(?<!state )\bthe capital\b"
                           r"(?!\s+(?:of|city\s+of)\b|,)", re.I)
_RANKS = place_grammar.alternation("region_rank")
_REGION_AFTER = re.compile(  # "Ishikawa Prefecture", "Ishikawa Pref.", "Washington state"
    r"\s+(?:Pref\.|(?i:" + _RANKS + r")\b(?!\s+of))"
    r"(?!\s+(?:University|Department|College|Park|House|Police))")
_REGION_BEFORE = re.compile(r"\b(?:" + _RANKS + r")\s+of\s+$", re.I)  # "the state of Zulia"


_RANKS_2 = place_grammar.alternation("region_rank2")
_DISTRICT_WORD = re.compile(r"\b(?i:" + _RANKS_2 + r"|counties|districts)\b")
_NAME_2 = r"[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?"
# "in Miami, Madison, Grant and Henry counties": each a county
_DISTRICT_LIST = re.compile(r"\b(?P<names>" + _NAME_2 + r"(?:,\s+" + _NAME_2 + r")*,?\s+and\s+"
                            + _NAME_2 + r")\s+(?i:counties|districts)\b")
_LIST_SEPARATOR = re.compile(r",\s+(?:and\s+)?|\s+and\s+")


def _district_names(sentence: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of every second-level region the sentence names with its rank
    word, one by one in a list ("Miami, Madison, Grant and Henry counties")."""
    out = []
    for m in _DISTRICT_LIST.finditer(sentence):
        start = m.start("names")
        for piece in _LIST_SEPARATOR.split(m.group("names")):
            at = sentence.index(piece, start)
            out.append((piece, at, at + len(piece)))
            start = at + len(piece)
    taken = [(a, b) for _, a, b in out]
    for m in _DISTRICT.finditer(sentence):
        a = m.start("name") if m.group("name") else m.start("name2")
        if not any(x <= a < y for x, y in taken):
            out.append((m.group("name") or m.group("name2"), a, m.end()))
    return out


def _districts_common_region(sentences: Sequence[str], countries: Sequence[str]) -> set[str]:
    """ "Miami, Madison, Grant and Henry counties" in a story that never names the state:
    the first-level region that holds most of the districts the article names (Indiana has
    all four; Ohio only Miami), when it holds at least two of them and no other region
    holds as many."""
    names = {gazetteer.normalize(n) for s in sentences if _DISTRICT_WORD.search(s)
             for n, _a, _b in _district_names(s)}
    if len(names) < 2:
        return set()
    holds: Counter = Counter()
    for n in names:
        holds.update({e.aliases[0] for e in gazetteer.districts_named(n, countries)})
    top = holds.most_common(2)
    if not top or top[0][1] < 2 or (len(top) > 1 and top[1][1] == top[0][1]):
        return set()
    return {top[0][0]}
_DISTRICT = re.compile(
    r"\b(?P<name>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)\s+(?i:" + _RANKS_2 + r")\b"
    r"|\b(?i:" + _RANKS_2 + r")\s+of\s+(?P<name2>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)")
_WORDS = re.compile(r"[A-Z][a-z]+")


_NOT_A_NAME = frozenset(("the", "a", "an", "this", "that", "its", "their", "one", "local",
                         "muslim", "christian", "hindu", "jewish", "buddhist", "sikh", "catholic",
                         "islamic", "orthodox", "protestant", "evangelical", "indigenous",
                         "international", "business", "farming", "fishing", "lgbt", "lgbtq"))
_VILLAGE_NAME = r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2}"
_VILLAGE = re.compile(
    r"\b(?:village|hamlet|community|commune|settlement)\s+of\s+(?P<a>" + _VILLAGE_NAME + r")"
    r"|(?<![\w’'-])(?P<b>" + _VILLAGE_NAME + r")\s+(?:village|community|commune|hamlet)\b")
_LEADING_NAME = re.compile(r"[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}")
_LOWER_WORDS = re.compile(r"(?<![\w.] )\b[a-z]{4,}\b")


def _bureau_abroad(home: tuple[str, str | None], found_lists: Sequence[Sequence[Found]],
                   sentences: Sequence[str]) -> bool:
    """A dateline that is the reporter's bureau in another country, not the story's home:
    the story names another country (its places and its nationality) at least twice as
    often and two more times than the dateline's (or at all, when the dateline's country
    never comes up again), and never names the dateline city again."""
    city, cc = home
    counts: Counter = Counter()
    for found, sentence in zip(found_lists, sentences, strict=True):
        end = dateline_end(sentence)
        for f in found:
            if f.start < end:
                continue  # the dateline itself
            if f.mention.kind == "city" and f.mention.city == city and (
                    f.mention.country_code == cc):
                return False  # (a landmark of it is the state speaking: "the Kremlin")
            if f.mention.country_code:
                counts[f.mention.country_code] += 1
    table = gazetteer.demonyms()
    for sentence in sentences:  # "Portuguese television": the story's country too
        for word in _WORDS.findall(sentence):
            if (code := table.get(word.lower())) is not None:
                counts[code] += 1
    top, n = counts.most_common(1)[0] if counts else (None, 0)
    if cc and counts[cc] == 0:  # "DAKAR - Security forces in Togo ...": no Senegal after it
        return top is not None and top != cc
    return top != cc and n >= 2 * counts[cc] and n >= counts[cc] + 2


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


def _capitals_named(found_lists: Sequence[Sequence[Found]]) -> set[str]:
    """Countries whose capital the text names by its own name ("Quito" -> Ecuador)."""
    out = set()
    for found in found_lists:
        for f in found:
            if f.mention.kind == "city" and f.primary and f.candidates:
                top = f.candidates[0]
                cap = gazetteer.capital(top.country_code) if top.country_code else None
                if cap is not None and cap.name == top.name:
                    out.add(top.country_code)
    return out


def _demonyms_in(text: str) -> set[tuple[str, str]]:
    """("Brazilian", "BR") for each nationality adjective the text uses."""
    table = gazetteer.demonyms()
    return {(w, table[w.lower()]) for w in set(_WORDS.findall(text)) if w.lower() in table}


@functools.cache
def _bodies() -> re.Pattern:
    names = sorted(gazetteer.organisations(), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?P<name>" + "|".join(re.escape(n) for n in names)
                      + r")(?![\w])['’]?s?")


def _acting_body(sentence: str, hit: Hit) -> PlaceMention | None:
    """An international body that is the subject of the act: the last one named in the
    clause before the trigger ("The European Union on Tuesday slapped sanctions"), at its
    seat. Not one the act is done to ("expelled the UN envoy") nor a country acting."""
    before = sentence[:hit.start]
    clause = re.split(r"[;:]|,\s+(?:and|but|while|as)\s|\.\s", before)[-1]
    bodies = list(_bodies().finditer(clause))
    if not bodies:
        return None
    last = bodies[-1]
    between = clause[last.end():]
    if len(between) > 60 or re.search(r"\b(?:to|of|from|with|against|by)\s*$", clause[
            :last.start()]) or find_mentions(between):
        return None  # too far, the object of a preposition, or a state named in between
    seat, cc = gazetteer.organisations()[last.group("name")]
    city = gazetteer.find_city(seat, cc)
    if city is None:
        return None
    return PlaceMention(text=city.name, kind="city", city=city.name, country_code=cc)


def pick_place(hit: Hit, found: Sequence[Found], sentence: str, trig: Trigger,
                ctx: ArticleContext) -> tuple[PlaceMention | None, bool]:
    """(mention, from_context). Diplomatic acts sit with their actor, the first country;
    an embassy closed is where the embassy is."""
    if trig.kind == "embassy closed":
        mission = next((f.mention for f in found if f.mention.kind == "mission"
                        and f.mention.city), None)
        if mission is not None:  # "Operations at the US embassy in Minsk have been suspended"
            return mission, False
    if trig.family in ("ties", "diplomatic", "sanction") and (body := _acting_body(
            sentence, hit)) is not None:
        return body, False  # "The European Union on Tuesday slapped sanctions on ..."
    if trig.family in ("ties", "diplomatic", "sanction") and found:
        actors = acting_states(found, hit, sentence)
        if actors:  # "Turkey's foreign ministry summoned ...": the state that acts
            return actors[0].mention, False
    if trig.family in ("ties", "diplomatic"):
        state = _acting_state(sentence, hit)
        if state is not None:  # "The Russian Foreign Ministry summoned ...": Russia acts
            name = gazetteer.country_name(state) or state
            return PlaceMention(text=name, kind="country", country_code=state), False
        return ctx.fallback(country=True), True  # a state acts; not "Salisbury expels"
    found_all, found = found, place_candidates(found, sentence, hit)
    if trig.kind == "evacuation":
        origin = origins(found, hit, sentence)
        if origin:  # "Italy evacuated its citizens from Kabul": where they left
            return ctx.complete(origin[0].mention), False
        actor = _evacuating_state(found, hit, sentence)
        if actor is not None and _takes_own_people_out(actor, sentence, ctx):
            # the state that takes its people out is not where it happens, nor are the
            # evacuees' nationalities: "Jordan evacuated 343 people, including ... Iraq"
            home = ctx.home_country
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
        if mention.kind in ("landmark", "mission") and not mention.city and not mention.entry_id:
            # "In Lahore, a crowd stormed ... Jinnah House": the city this sentence names
            cities = [f for f in candidates if f.mention.kind == "city"]
            regions = [f for f in candidates if f.mention.kind == "region"
                       and f.mention.country_code and f.start > best.start]
            if cities:
                near = min(cities, key=lambda f: abs(f.start - best.start)).mention
                if mention.kind != "mission" or near.country_code != mention.mission_of:
                    mention = replace(mention, city=near.city, country_code=near.country_code)
            elif regions and mention.kind == "landmark":
                # "the Gofa Zone of the South Ethiopia Regional State": in that region, not in
                # the dateline's city
                near = min(regions, key=lambda f: f.start).mention
                mention = replace(mention, city=near.text, country_code=near.country_code)
        here = ctx.paragraph_place
        if (mention.kind == "country" and here is not None and trig.category in (
                "evacuation", "disaster") and here.country_code == mention.country_code):
            return here, True  # "Bicol ... More than 96,000 families in the Philippines"
        if mention.kind == "country" and trig.family == "unrest" and (
                home := dateline(sentence)) is not None and home[1] == mention.country_code:
            # "Guayaquil: Masked men broke onto the set of a television channel in Ecuador":
            # the dateline's city, the sentence's country
            return PlaceMention(text=home[0], kind="city", city=home[0],
                                country_code=home[1]), True
        return ctx.complete(mention), False
    national = trig.family in ("ties", "diplomatic", "sanction", "election")
    owner = next((f.mention for f in found_all if is_possessive_country(sentence, f)), None)
    around = ctx.paragraph_place or ctx.fallback()
    if owner is not None and owner.country_code and (
            around is None or owner.country_code != around.country_code):
        # "soldiers appeared on Niger's national television ...": in Niger, not the
        # paragraph's or the dateline's city elsewhere; a coup at its seat of government
        cap = capital_mention(owner.country_code) if trig.family == "coup" else None
        return cap or owner, True
    if not national and ctx.paragraph_place is not None:
        return ctx.paragraph_place, True  # "A day later, at her funeral in Saqqez ... fired"
    if trig.category in ("disaster", "evacuation") and ctx.disaster_place is not None:
        return ctx.disaster_place, True
    return ctx.fallback(country=national), True


# "Italy evacuated 140 Italians", "its diplomats", "foreign nationals": a state takes its own
# people out of somewhere else ("Bangladesh evacuated 300,000 people" stays in Bangladesh).
_FOREIGN_EVACUEES = re.compile(
    r"\b(?:its|their|foreign|the\s+country['’]s)\s+(?:own\s+)?(?:\w+\s+)?(?:citizens|nationals|"
    r"diplomats|staff|personnel|people|embassy)|\b(?:citizens|nationals|diplomats|diplomatic\s+"
    r"staff|other\s+staff|ambassador|envoys?|employees|embassy\s+staff|expatriates|foreigners|[A-Z][a-z]+(?:ans|ese|is|ish|ians))\b")


_MINISTRY_AFTER = re.compile(r"\s+(?:to|by|at)\s+the\s+(?P<adj>[A-Z][a-z]+)\s+(?i:foreign|"
                             r"ministry|government|authorities|presidency)")


_ENVOY_AFTER = re.compile(r"[.)]?\s+(?:\([A-Z]{2,5}\)\s+)?(?:ambassador|envoy|diplomat|charg|"
                          r"embassy|consul|mission)", re.I)  # "the U.S. envoy", "UAE (UAE) embassy"


def _acting_state(sentence: str, hit: Hit) -> str | None:
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
    for m in reversed(list(_LEADER_OF.finditer(sentence, 0, hit.start))):
        code = gazetteer.country_code(m.group("adj"))
        if code:  # "Bolivian President Evo Morales ... accused ... and ordered him to leave"
            return code
    return None


_LEADER_OF = re.compile(r"\b(?P<adj>[A-Z][a-z]+)\s+(?:President|Prime\s+Minister|Foreign\s+"
                        r"Minist(?:er|ry)|[Gg]overnment|[Aa]uthorities|[Ll]eader|[Jj]unta)\b")


def _evacuating_state(found: Sequence[Found], hit: Hit, sentence: str) -> str | None:
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


def _takes_own_people_out(actor: str, sentence: str, ctx: ArticleContext) -> bool:
    """A foreign evacuation, not a country moving its people out of harm's way: its own
    nationals or diplomats, or a state other than the story's, in a story of no disaster."""
    home = ctx.home_country
    return bool(_FOREIGN_EVACUEES.search(sentence)) or (
        home is not None and actor != home and ctx.disaster is None)


def _in_arguments(f: Found, hit: Hit) -> bool:
    """The mention lies in the trigger's own object or place attachment ("stormed the
    parliament in Nairobi", "the invasion of Ukraine"): where the parse says it happened."""
    return any(a <= f.start and f.end <= b for a, b in hit.where)


_FAR = re.compile(r"(?:as\s+far\s+(?:away\s+)?as|\b(?:felt|heard)\s+(?:in|across|throughout))"
                  r"\s+(?:\w+\s+)?$", re.I)


_RELATIVE = re.compile(r",\s*(?:which|who)\b", re.I)
_SINCE_YEAR = re.compile(r"\bsince\s+(?:the\s+|its\s+)?(?:[\w-]+\s+){0,2}?\d{4}\b", re.I)


def origins(found: Sequence[Found], hit: Hit, sentence: str) -> list[Found]:
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


def subject_list(actors: Sequence[Found], hit: Hit, sentence: str) -> list[Found]:
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


_RANK_AFTER = re.compile(r"\s*(?i:sub-?)?(?i:" + _RANKS + "|" + _RANKS_2
                         + r"|municipality|parish)\b")


_ADDRESS_GAP = re.compile(r"(?:" + _RANK_AFTER.pattern + r")?\s*,\s*")
_NEAR_GAP = re.compile(r"\s*,\s*(?:near|outside|close\s+to)\s+(?:the\s+(?:city|town)\s+of\s+)?",
                       re.I)


def without_qualifiers(found: Sequence[Found], sentence: str) -> list[Found]:
    """Mentions minus those that only say where the one before them is: "Maai Mahiu,
    Naivasha Sub-county, Nakuru County", "Legazpi, Albay": an address, not a list of places
    ("Bellingen, Macksville and Kyogle" stays a list)."""
    out: list[Found] = []
    last: Found | None = None  # the mention before, kept or not: "X, Y Sub-county, Z County"
    for f in found:
        head = out[-1] if out else None
        qualifier = (head is not None and last is not None
                     and _ADDRESS_GAP.fullmatch(sentence, last.end, f.start) is not None
                     and (head.mention.kind in ("city", "landmark", "mission")
                          or (head.mention.kind == "region" and f.mention.kind == "country"))
                     and (f.mention.kind in ("region", "country")
                          or _RANK_AFTER.match(sentence, f.end) is not None)) or (
            # "11 in Accumoli, near Rieti": where the place before it is
            last is not None and _NEAR_GAP.fullmatch(sentence, last.end, f.start) is not None)
        last = f
        if not qualifier:
            out.append(f)
    return out


# "in three Batangas towns — San Nicolas, Balete and Talisay", "in several cities, including
# Aqtau, Zhanaozen and Oral", "the towns of Al Musannah, Suwaiq and Saham"
_LIST_LEAD = re.compile(r"\b(?:in|across)\s+(?:\w+\s+){0,3}(?:towns|cities|villages|areas|"
                        r"districts|provinces|regions|municipalities|communities|places|"
                        r"neighbourhoods|neighborhoods|suburbs)(?:\s+and\s+\w+)?"
                        r"(?:\s+(?:across|in|of)\s+[\w'’-]+(?:\s+[\w'’-]+)?)?"
                        r"(?:\s*[—–:-]\s*|,?\s+(?:including|such\s+as|like|of)\s+)$", re.I)


def _in_brackets(sentence: str, f: Found) -> bool:
    """A place that opens a bracket after a list's place says where that one is."""
    return sentence[max(0, f.start - 1) : f.start] == "("


# between two places of a list: "X, Y and Z", "X (Artemisa); Y (Mayabeque); Z"
_LIST_GAP = re.compile(r"\s*(?:\([^()]{1,40}\)\s*)?(?:,|;|and|or|,\s*(?:and|or))\s*(?:in\s+)?")
# between two items of a list, perhaps over other items: ", Oregon, "
_LIST_RUN = re.compile(r"(?:\s*(?:,|;|\band\b|\bor\b)\s*(?:[A-Z][\w’'-]+\s?){0,2}){1,4}")
_LIST_NOUN_AFTER = re.compile(r"\s+(?:towns|cities|villages|districts|provinces|"
                              r"municipalities|communities)\b", re.I)


def place_list(found: Sequence[Found], hit: Hit, sentence: str,
               lead: str = r"in", kinds: tuple[str, ...] = ("city",)) -> list[Found]:
    """Places listed after the trigger, each "in" one of them: "Demonstrations took place in
    Mombasa, in Kisumu and in the town of Eldoret"; for evacuations and disasters also "of"
    and "for" ("evacuation orders for low-lying areas of Bellingen, Macksville and Coraki").
    ``kinds``: the kinds of place a list may be of, all of the first one's kind ("Floods
    continue in Mozambique, Malawi and Zambia")."""
    spots: list[Found] = []
    for f in found:
        if f.start < hit.end or f.mention.kind not in kinds or (
                spots and f.mention.kind != spots[0].mention.kind):
            continue
        if _LIST_NOUN_AFTER.match(sentence, f.end):
            continue  # "three Batangas towns — ...": which towns, not one of them
        lead_in = sentence[max(hit.end, f.start - 45) : f.start]
        if spots and _in_brackets(sentence, f):
            continue  # "Güines (Mayabeque)", "Centro Habana (Havana)": where it is, not another
        listed = _LIST_LEAD.search(sentence, max(hit.end, f.start - 90), f.start)
        if re.search(r"\b(?:" + lead + r")\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}(?:[\w'’-]+,\s+)?$",
                     lead_in) or listed or (
                spots and _LIST_GAP.fullmatch(sentence, spots[-1].end, f.start)):
            spots.append(f)
    return spots


# "Protesters in Kericho, Kisumu and Migori also took to the streets": a list the actors are in
_LIST_BEFORE_LEAD = re.compile(r"\b(?:in|across)\s+(?:the\s+)?(?:(?:\w+\s+){0,2}(?:towns|cities|"
                               r"villages|districts|provinces|regions|areas)\s+of\s+)?$"
                               # "Several other cities such as Kerman, Rasht and Shiraz were ..."
                               r"|\b(?:towns|cities|villages|districts|provinces|regions|areas)\s+"
                               r"(?:such\s+as|including|like|of)\s+$", re.I)
_LIST_TO_TRIGGER = re.compile(r"\s+(?:(?:also|too|as\s+well|have|had|has|were|was|all|saw|"
                              r"witnessed|held|staged|caused|triggered|brought)\s+){0,3}"
                              r"(?:(?:the\s+)?scenes?\s+of\s+)?")


def place_list_before(found: Sequence[Found], hit: Hit, sentence: str) -> list[Found]:
    """Cities (or regions) listed right before the trigger, after "in": "Protesters in
    Kericho, Kisumu, Migori and Bungoma also took to the streets", "Young rioters in the
    nearby towns of Sarcelles, Cergy and Ermont set fire to cars", "rain in the provinces of
    Hunan, Sichuan and Guizhou caused floods". Two or more, or none."""
    before = [f for f in found if f.end <= hit.start]
    # places of one kind, that of the last: cities, or regions ("in the provinces of X and Y")
    kind = before[-1].mention.kind if before else None
    if kind not in ("city", "region"):
        return []
    listed = [f for f in before if f.mention.kind == kind]
    if len(listed) < 2 or not _LIST_TO_TRIGGER.fullmatch(sentence, listed[-1].end, hit.start):
        return []
    spots = [listed[-1]]
    for f in reversed(listed[:-1]):
        if not _LIST_GAP.fullmatch(sentence, f.end, spots[0].start):
            break
        spots.insert(0, f)
    lead = sentence[max(0, spots[0].start - 60) : spots[0].start]
    if len(spots) < 2 or not _LIST_BEFORE_LEAD.search(lead):
        return []
    return spots


def _is_capital(m: PlaceMention) -> bool:
    cap = gazetteer.capital(m.country_code) if m.country_code else None
    return cap is not None and cap.name == m.city


# "... with Colombia", "Venezuela follows Bolivia and expels ...": the other state, not the actor
_OTHER_PARTY = re.compile(r"\b(?:with|from|to|against|toward|towards|follows?|followed|joins?|"
                          r"joined|like)\s+(?:the\s+)?$", re.I)


def acting_states(found: Sequence[Found], hit: Hit, sentence: str) -> list[Found]:
    """States acting in a diplomatic sentence: countries, or capitals standing for them
    ("Ankara summoned ..."); before the trigger first ("Bahrain and Sudan cut ties")."""
    states = [f for f in found if f.mention.kind == "country"
              or (f.mention.kind == "city" and _is_capital(f.mention))]
    before = [f for f in states if f.end <= hit.start]
    # "Venezuela's Maduro says breaks relations with Colombia, expels ...": the state after
    # "with" is the other party, not the one that acts
    acting = [f for f in before if not _OTHER_PARTY.search(sentence[max(0, f.start - 12) :
                                                                    f.start])
              and not _ENVOY_AFTER.match(sentence, f.end)]  # "accused the U.S. envoy"
    if not acting and _acting_state(sentence, hit) is not None:
        return []  # "German authorities ordered the ambassador of Chad to leave": Germany
    before = acting or before
    return list(reversed(before)) or states  # the nearest state before the verb first


def place_candidates(found: Sequence[Found], sentence: str, hit: Hit | None = None) -> list[Found]:
    """Mentions that can be where the event is: not an owner ("Iran's leader"), not a
    distance ("felt as far away as Cyprus"), not past a relative clause that opens after the
    trigger ("Storm Daniel, which had battered Greece, ..."), nor in the older event it is
    measured against ("the deadliest since the 1999 Izmit earthquake")."""
    out: list[Found] = []
    far: Found | None = None  # "felt as far away as Rabat, Casablanca and Essaouira"
    for f in found:
        if _FAR.search(sentence[max(0, f.start - 40) : f.start]) or (
                far and re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*(?:in\s+)?(?:parts\s+of\s+)?"
                                     r"(?:the\s+)?", sentence[far.end : f.start])):
            far = f
            continue
        if is_possessive_country(sentence, f) or (
                hit and f.start > hit.end and (_RELATIVE.search(sentence[hit.end : f.start])
                                              or _SINCE_YEAR.search(sentence[hit.end:f.start]))):
            continue  # "the deadliest quake since the 1999 Izmit earthquake": another one
        lead_in = sentence[max(0, f.start - 50) : f.start]
        if _SPEAKER_PLACE.search(lead_in) or _APPOSITIVE_PLACE.search(lead_in):
            continue  # "told reporters in Manila", "Tacloban, a city in Leyte"
        if f.mention.kind == "country" and _STATE_SPEAKS.match(sentence, f.end):
            continue  # "in what former colonial ruler Portugal described as a military coup"
        if _TRAVELLED_TO.search(lead_in):
            continue  # "overthrown hours after he left for neighbouring Tanzania": his trip
        if f.mention.kind == "city" and f.mention.offset_km is None and _COMPASS_OF.search(
                lead_in):
            continue  # "a factory north of Seoul": somewhere else, near it (the dateline's)
        out.append(f)
    return out


_COMPASS_OF = re.compile(r"\b(?:north|south|east|west)(?:[- ]?(?:east|west))?(?:ern)?\s+of\s+"
                         r"(?:the\s+)?(?:capital,?\s+)?$", re.I)
_TRAVELLED_TO = re.compile(r"\b(?:left|leaving|leaves|flew|flying|travell?ed|travell?ing|headed|"
                           r"heading|departed|returned|returning)\s+(?:for|to)\s+"
                           r"(?:neighbou?ring\s+|the\s+)?$", re.I)
_STATE_SPEAKS = re.compile(r"\s+(?:described|called|termed|branded|labell?ed|denounced|"
                           r"condemned)\b")


_SPEAKER_PLACE = re.compile(r"\b(?:told(?:\s+\w+){0,2}|said|says|speaking|spoke|briefing|"
                            r"conference|interview|statement)(?:\s+\w+)?\s+in\s+$", re.I)


_APPOSITIVE_PLACE = re.compile(r"\w,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:"
                               + place_grammar.alternation("settlement") + r")\s+(?:in|of|near)\s+"
                               r"(?:the\s+)?(?:\w+\s+)?$", re.I)


def _distance(f: Found, hit: Hit) -> int:
    """Characters between a trigger and a mention; its object (after it) counts as nearer."""
    if f.start >= hit.end:
        return f.start - hit.end
    return (hit.start - f.end) * 2 + 10


def is_possessive_country(sentence: str, f: Found) -> bool:
    """"Iran's supreme leader", "Iraq's foreign ministry": an owner, not where it happened."""
    owner = re.match(r"['’]s\b", sentence[f.end : f.end + 3])
    return f.mention.kind == "country" and owner is not None


def event_actor(trig: Trigger, hit: Hit, found: Sequence[Found], sentence: str,
           mention: PlaceMention | None, ctx: ArticleContext) -> str | None:
    """The evacuating state, when it takes its people out of somewhere else."""
    if trig.kind != "evacuation":
        return None
    actor = _evacuating_state(found, hit, sentence)
    if actor is None or (mention is not None and actor in (mention.country_code,
                                                           mention.mission_of)):
        return None  # its own country, or its own embassy's staff: no second operation
    return actor if _takes_own_people_out(actor, sentence, ctx) else None


def at_capital(e: Event) -> Event:
    """A state's diplomatic act happens at its seat of government, not across the country:
    "China summoned the German ambassador" is an act in Beijing. So does a coup its text
    places only by the article ("the UN condemned the coup" in a Yangon story): ACLED codes
    a seizure of power at the capital."""
    m = e.mention
    # a mutiny is at its barracks; a coup told only with its country ("took full control of
    # Guinea-Bissau") is at the seat of power too
    coup = e.kind == "coup" and (e.place_from_context or (m is not None
                                                          and m.kind == "country"))
    seat = (e.family == "unrest" and m is not None and m.kind == "country" and e.sources
            and _NATIONAL_SEAT.search(e.sources[0].sentence))  # "stormed the parliament"
    if m is None or not (coup or seat or (e.family in ("ties", "diplomatic")
                                          and m.kind == "country")):
        return e
    cap = capital_mention(m.country_code)
    if cap is not None:
        e.mention = cap
    return e


# "X near Athens", "X, outside Kabul": the anchor a town too small for the tables is placed by
_NEAR_AFTER = re.compile(r",?\s+(?:near|outside|close\s+to|(?:\w+\s+)?(?:north|south|east|west|"
                         r"north-?east|north-?west|south-?east|south-?west)\s+of)\s+"
                         r"(?P<anchor>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_AS_ADJECTIVE = re.compile(r"\s+(?:country|countries|nation|nations|state's|peninsula's|"
                           r"neighbou?rs?)\b")


# A country's own institutions, in its capital: unrest at one told only with the country
# ("protesters stormed the building when an ethnic Albanian was elected speaker of parliament")
_NATIONAL_SEAT = re.compile(r"\b(?:parliament|congress|national\s+assembly|senate|legislature|"
                            r"presidential\s+palace|presidency|state\s+house|supreme\s+court)\b",
                            re.I)


_TALLY = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|dozens|"
                    r"hundreds|several)\b[^,;.()]{0,40}?\b(?:in|at)\s+(?:the\s+(?:"
                    + "|".join((_RANKS, place_grammar.alternation("region_rank2"),
                                place_grammar.alternation("settlement")))
                    + r")\s+of\s+)?$", re.I)


def tally_places(found: Sequence[Found], sentence: str) -> list[PlaceMention]:
    """Places each given a count ("five in Caracas, two in Zulia, one in Aragua"): two or
    more, or none."""
    out = [f.mention for f in found if f.mention.kind in ("city", "region", "landmark")
           and _TALLY.search(sentence[max(0, f.start - 70) : f.start])]
    return out if len(out) >= 2 else []



# "There are also reports from Pinar del Río, Villa Clara and Holguín": the event just told,
# at each of them
_ALSO_FROM = re.compile(r"\b(?:reports?\s+(?:\w+\s+){0,2}(?:from|in)|(?:was|were)\s+also\s+"
                        r"(?:seen|held|reported)\s+in|also\s+(?:in|at)|as\s+well\s+as\s+in|"
                        r"spread\s+to)\s+(?:the\s+)?$", re.I)


def also_places(found: Sequence[Found], sentence: str) -> list[PlaceMention]:
    """Places listed after "also reports from", "spread to", in a sentence with no trigger
    of its own: where the event just told happened too."""
    spots: list[Found] = []
    for f in found:
        if f.mention.kind not in ("city", "region"):
            continue
        if spots and _in_brackets(sentence, f):
            continue
        if (spots and _LIST_GAP.fullmatch(sentence, spots[-1].end, f.start)) or (
                not spots and _ALSO_FROM.search(sentence[max(0, f.start - 40) : f.start])):
            spots.append(f)
    return [f.mention for f in spots]
