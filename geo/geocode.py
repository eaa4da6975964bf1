"""Resolve place mentions to Places: curated gazetteer, cache, Nominatim, world gazetteer.

Order for a landmark or embassy:

1. the curated gazetteer (``data/landmarks.csv``), filtered by the city/country context;
2. the on-disk cache of earlier Nominatim answers (also offline);
3. Nominatim, only when online geocoding is on (``online=True``, or ``NEWSMAP_ONLINE=1``);
4. the world gazetteer: the mention's city (precision "city"), else its country.

Cities and countries come from the curated rows or the world gazetteer directly when the
name is unambiguous; an ambiguous or alternate-name-only city asks the cache/Nominatim first
when online. Nothing here raises: a failure falls through to the next source, is logged once
and is visible in ``Place.note`` (and in a lower precision).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from geo import gazetteer, place_grammar
from geo.gazetteer import Entry, haversine_km, normalize
from geo.geocache import GeoCache, cache_key
from geo.models import Event, Place, PlaceMention

log = logging.getLogger(__name__)

ONLINE_ENV = "NEWSMAP_ONLINE"
ATTRIBUTION = "© OpenStreetMap contributors"
GEONAMES_ATTRIBUTION = "GeoNames (CC BY 4.0)"

_MISSION_WORDS = place_grammar.alternation("mission")
_LANDMARK_WORDS = place_grammar.LANDMARK_TYPES
_LANDMARK_RE = re.compile(r"\b(" + "|".join(_LANDMARK_WORDS) + r")\b")

_MISSION_PATTERNS = [
    # "the Swedish embassy in Baghdad", "Sweden's consulate in Istanbul", "US embassy to Iraq"
    re.compile(rf"^(?P<who>.+?) (?P<what>{_MISSION_WORDS})(?: (?:in|to|at) (?P<where>.+))?$"),
    # "Embassy of Sweden in Baghdad", "Embassy of Sweden, Baghdad", "embassy of Sweden"
    re.compile(
        rf"^(?P<what>{_MISSION_WORDS}) of (?P<who>.+?)(?:(?: in| to| at|,) (?P<where>.+))?$"
    ),
]


def online_from_env() -> bool:
    return os.environ.get(ONLINE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _mission_kind(word: str) -> str:
    w = word.replace("-", " ")
    if w.startswith("consulate"):
        return "consulate"
    if w in ("mission", "diplomatic mission", "legation"):
        return "mission"
    return "embassy"


def _where(text: str | None) -> tuple[str | None, str | None]:
    """A place phrase after "in": (city, country_code). A country gives (None, code)."""
    if not text:
        return None, None
    text = text.strip(" ,.")
    cc = gazetteer.country_code(text)
    if cc and normalize(text) not in gazetteer.demonyms():
        return None, cc  # a country name wins over a city's alternate name ("Iraq" ~ Arak)
    city = gazetteer.find_city(text)
    if city is not None:
        return city.name if city.kind == "city" else text, city.country_code
    if cc:
        return None, cc
    # "Baghdad, Iraq" / "the Iraqi capital"
    if "," in text:
        head, tail = text.split(",", 1)
        c, _ = _where(head)
        tcc = gazetteer.country_code(tail.strip())
        if c:
            e = gazetteer.find_city(c, tcc)
            return (e.name if e else c), (e.country_code if e else tcc)
    m = re.match(r"^(?:the )?(\w[\w .'-]*?)(?:'s)? capital$", text, re.IGNORECASE)
    if m:
        code = gazetteer.country_code(m.group(1))
        cap = gazetteer.capital(code) if code else None
        if cap:
            return cap.name, cap.country_code
    return text, None


def _near(near: str | None) -> tuple[str | None, str | None]:
    if not near:
        return None, None
    return _where(near)


def parse_place_phrase(text: str, near: str | None = None) -> PlaceMention:
    """Free text -> a structured PlaceMention (never raises).

    "the Swedish embassy in Baghdad" -> mission SE in Baghdad, IQ; "Sweden's consulate in
    Istanbul" -> mission SE, kind consulate, in Istanbul, TR; "Jumhuriya bridge" ->
    landmark; "Karachi" -> city PK; "Iraq" -> country IQ. ``near`` (a city or country) fills
    in the city/country when the text does not say.
    """
    raw = (text or "").strip()
    near_city, near_cc = _near(near)
    key = normalize(raw)
    if not key:
        return PlaceMention(text=raw, kind="city", city=near_city, country_code=near_cc)

    # 1. An embassy/consulate phrase.
    for pat in _MISSION_PATTERNS:
        m = pat.match(key)
        if not m:
            continue
        sender = gazetteer.country_code(m.group("who"))
        if not sender:
            continue
        city, cc = _where(m.group("where"))
        if city is None and cc is None:
            city, cc = near_city, near_cc
        elif city is None and near_cc == cc:
            city = near_city
        kind = _mission_kind(m.group("what"))
        return PlaceMention(text=raw, kind="mission", city=city, country_code=cc,
                            mission_of=sender if kind == "embassy" else sender)

    # 2. A name the curated gazetteer knows as a landmark or region.
    lm = gazetteer.find_landmark(raw, near_city, near_cc) or (
        gazetteer.find_landmark(raw) if not near_city and not near_cc else None)
    if lm is not None:
        return PlaceMention(text=raw, kind=lm.kind if lm.kind == "region" else "landmark",
                            city=near_city or lm.city, country_code=near_cc or lm.country_code)

    # 3. "X in Y" / "X, Y" where Y is a city or country.
    m = re.match(r"^(?P<what>.+?)(?: in|,) (?P<where>[^,]+(?:, ?[^,]+)?)$", key)
    if m:
        city, cc = _where(m.group("where"))
        if (cc or (city and gazetteer.find_city(city))) and not gazetteer.country_code(raw):
            what = raw[: len(raw) - len(raw.split(",")[-1])] if "," in raw else None
            inner_text = _original_span(raw, m.group("what")) or what or m.group("what")
            inner = parse_place_phrase(inner_text, near=city or (
                gazetteer.country_name(cc) if cc else None))
            if inner.kind in ("landmark", "mission", "region"):
                return replace(inner, text=raw)
            if inner.kind == "city" and city is None:
                return replace(inner, text=raw)

    # 4. A country name or variant ("Iraq", "the U.S.").
    cc = gazetteer.country_code(raw)
    if cc and normalize(raw) not in gazetteer.demonyms():
        return PlaceMention(text=raw, kind="country", country_code=cc)

    # 5. A city.
    city = gazetteer.find_city(raw, near_cc)
    if city is not None and not _LANDMARK_RE.search(key):
        return PlaceMention(text=raw, kind="city", city=city.name, country_code=city.country_code)

    # 6. Something else: a landmark if it reads like one, else an unknown city-like name.
    kind = "landmark" if _LANDMARK_RE.search(key) else "city"
    return PlaceMention(text=raw, kind=kind, city=near_city, country_code=near_cc)


def _original_span(raw: str, normalized_part: str) -> str | None:
    """The part of ``raw`` whose normalized form is ``normalized_part`` (a prefix of it)."""
    words = raw.split()
    for n in range(len(words), 0, -1):
        cand = " ".join(words[:n]).rstrip(",")
        if normalize(cand) == normalized_part:
            return cand
    return None


# ---------------------------------------------------------------------------------------------
# The resolver


class _Context:
    """Where the article is: its cities and countries, in order of mention."""

    def __init__(self, mention: PlaceMention, others: Sequence[PlaceMention]):
        self.cities: list[Entry] = []
        self.countries: list[str] = []
        self.regions: list[Entry] = []  # the regions the article names, for a fallback
        if mention.city:
            e = gazetteer.find_city(mention.city, mention.country_code)
            if e is not None:
                self.cities.append(e)
        if mention.country_code:
            self.countries.append(mention.country_code.upper())
        for m in others:
            if m is mention:
                continue
            cc = (m.country_code or "").upper() or None
            if m.kind == "city":
                e = gazetteer.find_city(m.city or m.text, cc)
                if e is None and cc:  # a town too small for the city table
                    e = gazetteer.find_town(m.city or m.text, [cc], entry_id=m.entry_id)
                if e is not None and all(e is not c for c in self.cities):
                    self.cities.append(e)
                    cc = cc or e.country_code
            elif m.city:
                e = gazetteer.find_city(m.city, cc)
                if e is not None and all(e is not c for c in self.cities):
                    self.cities.append(e)
                    cc = cc or e.country_code
            if m.kind == "country" and not cc:
                cc = gazetteer.country_code(m.text)
            if m.kind == "region" and (r := gazetteer.find_region(m.text, cc)) is not None:
                self.regions.append(r)
            if cc and cc not in self.countries:
                self.countries.append(cc)
        for c in self.cities:
            if c.country_code and c.country_code not in self.countries:
                self.countries.append(c.country_code)


class Geocoder:
    """Turns PlaceMentions into Places. Thread-safe; never raises from :meth:`resolve`."""

    def __init__(self, online: bool | None = None, cache_path: Path | None = None,
                 nominatim=None):
        self.online = online_from_env() if online is None else bool(online)
        legacy = None
        if cache_path is None:  # the user's database (geo.store); an older separate file
            from geo.paths import cache_dir, database_path  # is imported into it once

            cache_path, legacy = database_path(), cache_dir() / "geocode.sqlite"
        self.cache: GeoCache | None
        try:
            self.cache = GeoCache(cache_path)
            if legacy is not None and legacy.exists():
                self.cache.import_legacy(legacy)
        except Exception as exc:  # unusable cache dir: run without a cache, say so once
            log.warning("geocode cache %s unavailable (%s); running without it", cache_path, exc)
            self.cache = None
        self._nominatim = nominatim
        self._lock = threading.Lock()
        self._logged: set[tuple[str, str]] = set()
        self._memo: dict[tuple, Place] = {}
        # After a failure that says "the service is not there for us", stop asking.
        self._service_down: str | None = None

    # -- helpers -------------------------------------------------------------------------------

    @property
    def nominatim(self):
        if self._nominatim is None:
            from geo.nominatim import NominatimClient

            self._nominatim = NominatimClient()
        return self._nominatim

    def _log_once(self, what: str, detail: str, level: int = logging.WARNING) -> None:
        with self._lock:
            if (what, detail) in self._logged:
                return
            self._logged.add((what, detail))
        log.log(level, "%s: %s", what, detail)

    @staticmethod
    def _from_entry(entry: Entry, source: str, confidence: float, note: str = "",
                    name: str | None = None) -> Place:
        precision = entry.kind if entry.kind in ("landmark", "city", "region", "country") else (
            "landmark")
        cc = entry.country_code
        return Place(
            name=name or entry.name,
            lat=entry.lat,
            lon=entry.lon,
            precision=precision,  # type: ignore[arg-type]
            source=source,
            city=entry.city if precision in ("landmark", "city") else None,
            country=gazetteer.country_name(cc) if cc else None,
            country_code=cc,
            confidence=confidence,
            attribution=GEONAMES_ATTRIBUTION if source == "geonames" else None,
            note=note,
        )

    @staticmethod
    def _entry_source(entry: Entry) -> str:
        generated = ("geonames:", "country:", "region:")
        return "geonames" if (entry.id or "").startswith(generated) else "gazetteer"

    def _city_place(self, entry: Entry, note: str = "", confidence: float = 0.9) -> Place:
        return self._from_entry(entry, self._entry_source(entry), confidence, note)

    @staticmethod
    def unresolved(mention: PlaceMention, why: str) -> Place:
        return Place(name=mention.text, lat=None, lon=None,
                     precision=_precision_of(mention.kind), source="unresolved",
                     city=mention.city, country_code=mention.country_code,
                     country=gazetteer.country_name(mention.country_code)
                     if mention.country_code else None, confidence=0.0, note=why)

    # -- cache + Nominatim -----------------------------------------------------------------------

    def _ask_online(self, mention: PlaceMention, query: str, *, city: Entry | None,
                    cc: str | None, key: str, want: str,
                    ctx: _Context | None = None) -> tuple[Place | None, str]:
        """Cache, then Nominatim (if online). Returns (place or None, reason for None).

        The answer must lie in ``cc``, else in one of the article's countries (``ctx``);
        with no country at all it cannot be checked, so it is never called exact.
        """
        countries = [] if cc else [c for c in (ctx.countries if ctx else []) if c]
        if countries:  # the question depends on the article's countries: so does its key
            key = f"{key}\x1fin {','.join(countries)}"
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit, ""
            neg = self.cache.get_negative(key)
            if neg:
                return None, f"Nominatim had no usable answer earlier ({neg})"
        if not self.online:
            return None, "online geocoding is off"
        if self._service_down:
            return None, f"Nominatim skipped ({self._service_down})"
        res, reason = self._search(query, city=city, cc=cc, countries=countries, want=want,
                                   key=key)
        if res is None:
            return None, reason
        if want == "mission" and not _looks_like_mission(res):
            return None, self._refuse(key, f"Nominatim's answer {res.display_name!r} "
                                      "is not an embassy")
        if want == "landmark" and res.is_admin_area:
            return None, self._refuse(key, f"Nominatim's answer {res.display_name!r} "
                                      "is an area, not a landmark")
        place = self._online_place(res, mention, city=city, cc=cc, checked=bool(cc or countries),
                                   want=want)
        if self.cache is not None:
            self.cache.put(key, place, provider="nominatim")
        return place, ""

    def _refuse(self, key: str, reason: str) -> str:
        """Remember an unusable answer for a while (a negative entry, never a place)."""
        if self.cache:
            self.cache.put_negative(key, reason, provider="nominatim")
        return reason

    def _search(self, query: str, *, city: Entry | None, cc: str | None,
                countries: list[str], want: str, key: str):
        """One Nominatim search; (result, "") or (None, reason). Never raises."""
        from geo import nominatim as nm

        near = (city.lat, city.lon) if city is not None else None
        try:
            res = self.nominatim.search(query, country_code=cc, countries=countries, near=near,
                                        radius_km=25.0 if want != "city" else 60.0,
                                        max_distance_km=30.0 if want != "city" else 60.0)
        except nm.NominatimPaused as e:  # the breaker logged it once already
            return None, f"Nominatim {e.kind}: {e}"
        except nm.NominatimError as e:
            # the card shows this: the kind of failure; urllib3's page of detail goes to the log
            reason = (f"Nominatim {e.kind}" if isinstance(e, nm.NominatimUnavailable)
                      else f"Nominatim {e.kind}: {e}")
            self._log_once("nominatim", f"{e.kind} for {query!r}: {e}")
            if isinstance(e, nm.NominatimRateLimited | nm.NominatimForbidden
                          | nm.NominatimConfigError):
                self._service_down = e.kind
            elif isinstance(e, nm.NominatimUnavailable):
                self._service_down = "unavailable"
            # a wrong-country answer is never kept as a place; "no usable answer" is, briefly,
            # unless the question was shaped by the article's countries
            if isinstance(e, nm.NominatimNoResult | nm.NominatimWrongPlace) and not countries:
                self._refuse(key, f"{e.kind}: {e}")
            return None, reason
        except Exception as e:  # a bug or an exotic failure: never crash the app
            self._log_once("nominatim", f"unexpected {type(e).__name__} for {query!r}: {e}")
            return None, f"Nominatim failed ({type(e).__name__})"
        return res, ""

    @staticmethod
    def _online_place(res, mention: PlaceMention, *, city: Entry | None, cc: str | None,
                      checked: bool, want: str) -> Place:
        """A Place from an answer. Unchecked (no country to hold it to): at most city
        precision, low confidence, and the note says why."""
        precision = "city" if res.is_settlement else (
            "region" if res.is_admin_area else "landmark")
        if want == "city" and precision == "landmark":
            precision = "city"
        confidence = 0.8 if cc or city else 0.6
        note = f"OpenStreetMap: {res.display_name}"
        if not checked:
            if precision == "landmark":
                precision = "city"
            confidence = 0.3
            note += "; no country in the text to check it against: approximate"
        rcc = res.country_code or cc
        return Place(
            name=res.display_name.split(",")[0].strip()[:200] or mention.text,
            lat=res.lat, lon=res.lon, precision=precision,  # type: ignore[arg-type]
            source="nominatim",
            city=city.name if city is not None else None,
            country=gazetteer.country_name(rcc) if rcc else None, country_code=rcc,
            confidence=confidence,
            attribution=ATTRIBUTION,
            note=note,
        )

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, mention: PlaceMention, context: Sequence[PlaceMention] = ()) -> Place:
        """The best Place for ``mention``; never raises."""
        try:
            if mention.offset_km is not None and mention.bearing is not None:
                return _moved(self._resolve(replace(mention, offset_km=None, bearing=None),
                                            context), mention)
            if mention.part:
                return _in_part(self._resolve(replace(mention, part=None), context), mention)
            return self._resolve(mention, context)
        except Exception as exc:  # keep the app alive; the note says what happened
            self._log_once("geocode", f"failed on {mention.text!r}: {type(exc).__name__}: {exc}",
                           logging.ERROR)
            return self.unresolved(mention, f"geocoder error: {type(exc).__name__}")

    def _resolve(self, mention: PlaceMention, context: Sequence[PlaceMention]) -> Place:
        ctx = _Context(mention, context)
        kind = mention.kind or "city"
        if kind == "mission":
            return self._resolve_mission(mention, ctx)
        if kind == "country":
            return self._resolve_country(mention, ctx)
        if kind in ("landmark", "region"):
            return self._resolve_landmark(mention, ctx)
        return self._resolve_city(mention, ctx)

    def _town_place(self, name: str, countries, entry_id: str | None,
                    ctx: _Context | None = None) -> Place | None:
        """A town of the towns table (cities1000) in one of ``countries``, as a Place. A name
        the extractor did not pick from the table ("the village of Jinping") is the town of
        that name near the places the article names, or none: not a namesake 600 km off."""
        near = [(e.lat, e.lon) for e in (ctx.cities + ctx.regions if ctx else [])
                if e.lat is not None and normalize(e.name) != normalize(name)
                and e.country_code in countries]
        town = gazetteer.find_town(name, countries, near, entry_id=entry_id)
        if town is None:
            return None
        if entry_id is None and near and min(
                haversine_km(town.lat, town.lon, lat, lon) for lat, lon in near
        ) > gazetteer.NEAR_KM:
            return None
        return self._city_place(town, f"{name}: a town of {town.population:,}", 0.8)

    def _region_place(self, region: Entry, name: str) -> Place:
        return self._from_entry(region, self._entry_source(region), 0.7,
                                f"{name}: a region, shown at its representative point")

    def _host_city(self, mention: PlaceMention, ctx: _Context) -> Entry | None:
        if mention.city:
            town = _chosen_town(mention, mention.city)  # "County Road 43" by Sheridan, Ark.
            if town is not None:
                return town
            city = gazetteer.find_city(mention.city, mention.country_code)
            if city is not None and mention.country_code and (
                    city.country_code != mention.country_code.upper()):
                city = None  # "Sape port" by Bima is the Indonesian town, not Sapé in Brazil
            if city is None and mention.entry_id and mention.country_code:
                # a town too small for the city table, chosen by the extractor
                city = gazetteer.find_town(mention.city, [mention.country_code],
                                           entry_id=mention.entry_id)
            return city
        return None

    def _fallback(self, mention: PlaceMention, ctx: _Context, why: str) -> Place:
        """The city the mention is in (precision city), else its country, else unresolved."""
        city = self._host_city(mention, ctx)
        label = mention.text
        if city is not None:
            return self._city_place(city, f"{label}: {why}; shown at city ({city.name})",
                                    confidence=0.5)
        cc = (mention.country_code or "").upper() or None
        if mention.city and (region := gazetteer.find_region(mention.city, cc)) is not None:
            # "the Gofa Zone of the South Ethiopia Regional State": the region it is in
            return self._from_entry(region, self._entry_source(region), 0.4,
                                    f"{label}: {why}; shown at {region.name}, its region")
        if mention.kind == "city" and cc:
            # "Kaboro community" in a Gusau story: a city, else a region, the article names
            # in that country is nearer than the country's middle
            near = next((c for c in ctx.cities if c.country_code == cc
                         and normalize(c.name) != normalize(label)), None)
            if near is not None:
                return self._city_place(near, f"{label}: {why}; shown at {near.name}, a city "
                                        "the article names", confidence=0.4)
            region = next((r for r in ctx.regions if r.country_code == cc), None)
            if region is not None:
                return self._from_entry(region, self._entry_source(region), 0.35,
                                        f"{label}: {why}; shown at {region.name}, a region "
                                        "the article names")
        if cc:
            entry = gazetteer.country_entry(cc)
            if entry is not None:
                return self._from_entry(entry, self._entry_source(entry), 0.3,
                                        f"{label}: {why}; shown at country ({entry.name})")
        return self.unresolved(mention, f"{label}: {why}; no city or country to fall back to")

    def _resolve_mission(self, mention: PlaceMention, ctx: _Context) -> Place:
        sender = (mention.mission_of or "").upper()
        mm = re.search(_MISSION_WORDS, normalize(mention.text))
        mkind = _mission_kind(mm.group(0)) if mm else "embassy"
        who = (gazetteer.country_name(sender) or sender or "unknown country")
        city = self._host_city(mention, ctx)
        cc = (mention.country_code or "").upper() or (city.country_code if city else None)
        label = f"{who}'s {mkind}" + (f" in {city.name}" if city else (
            f" in {gazetteer.country_name(cc)}" if cc else ""))
        if not sender:
            return self._resolve_landmark(replace(mention, kind="landmark"), ctx)
        entry = None
        if city is not None:
            entry = gazetteer.find_mission(sender, city.name, cc, kind=mkind)
        elif cc:
            entry = gazetteer.find_mission(sender, None, cc, kind=mkind)
        else:
            # No place in the phrase: try the article's cities, then its countries.
            for c in ctx.cities:
                if c.country_code != sender:
                    entry = gazetteer.find_mission(sender, c.name, c.country_code, kind=mkind)
                    if entry:
                        break
            if entry is None:
                for c2 in ctx.countries:
                    if c2 != sender:
                        entry = gazetteer.find_mission(sender, None, c2, kind=mkind)
                        if entry:
                            break
        if entry is not None:
            conf = 0.95 if entry.verified else 0.7
            note = "" if entry.verified else "curated point is an estimate (unverified)"
            return self._from_entry(entry, "gazetteer", conf, note)
        if city is None and cc is None:
            # Where is it? The article's first city outside the sending country, if any.
            host = next((c for c in ctx.cities if c.country_code != sender), None)
            if host is not None:
                return self._city_place(host, f"{label} not in gazetteer; no city given, "
                                        f"shown at the article's city ({host.name})", 0.4)
            return self.unresolved(mention, f"{label}: no city or country given")
        if city is None and cc:
            # Embassies sit in capitals: use it, at city precision, and say so.
            cap = gazetteer.capital(cc)
            if cap is not None and mkind == "embassy":
                city = cap
                label = f"{who}'s {mkind} in {cap.name}"
        query = f"Embassy of {who}" if mkind == "embassy" else f"Consulate of {who}"
        key = cache_key(query, kind="mission", city=city.name if city else None,
                        country_code=cc, mission_of=sender)
        if city is not None:
            place, reason = self._ask_online(mention, query, city=city, cc=cc, key=key,
                                             want="mission", ctx=ctx)
            if place is not None:
                return place
            why = "not in gazetteer" + (f" ({reason})" if reason else "")
            return self._city_place(city, f"{label} {why}; shown at city", confidence=0.5)
        return self._fallback(mention, ctx, f"{label} not in gazetteer")

    def _find_landmark(self, names: list[str], city: Entry | None, cc: str | None,
                       ctx: _Context) -> Entry | None:
        for text in names:
            if city is not None or cc:
                entry = gazetteer.find_landmark(text, city.name if city else None, cc)
                if entry:
                    return entry
                continue
            for c in ctx.cities:
                entry = gazetteer.find_landmark(text, c.name, c.country_code)
                if entry:
                    return entry
            for c2 in ctx.countries:
                entry = gazetteer.find_landmark(text, None, c2)
                if entry:
                    return entry
            if not ctx.countries:
                entry = gazetteer.find_landmark(text)
                if entry:
                    return entry
        return None

    def _resolve_landmark(self, mention: PlaceMention, ctx: _Context) -> Place:
        text = mention.text
        if mention.kind == "region":
            region = gazetteer.find_region(text, mention.country_code)
            if region is not None and not (region.id or "").startswith(("region:", "district:")):
                pass  # curated: handled below with the landmarks (context-aware)
            elif region is not None:
                return self._region_place(region, text)
        city = self._host_city(mention, ctx)
        cc = (mention.country_code or "").upper() or (city.country_code if city else None)
        entry = self._find_landmark(_name_variants(text), city, cc, ctx)
        if entry is not None:
            conf = 0.95 if entry.verified else 0.7
            note = "" if entry.verified else "curated point is an estimate (unverified)"
            return self._from_entry(entry, "gazetteer", conf, note)
        # The extractor may call a city a landmark; accept an exact city name.
        if not _LANDMARK_RE.search(normalize(text)):
            exact = gazetteer.find_city(text, cc)
            if exact is not None and normalize(exact.name) == normalize(text):
                return self._city_place(exact)
        if city is None and not cc and len(ctx.cities) == 1:
            city = ctx.cities[0]
            cc = city.country_code
            mention = replace(mention, city=city.name, country_code=cc)
        query = f"{text}, {city.name}" if city is not None and normalize(city.name) not in (
            normalize(text)) else text
        key = cache_key(text, kind=mention.kind, city=city.name if city else None,
                        country_code=cc)
        if city is not None or cc or self.online:
            place, reason = self._ask_online(mention, query, city=city, cc=cc, key=key,
                                             want="region" if mention.kind == "region"
                                             else "landmark", ctx=ctx)
            if place is not None:
                return place
        else:
            reason = "no city or country context"
        why = "not in gazetteer" + (f" ({reason})" if reason else "")
        return self._fallback(mention, ctx, why)

    def _resolve_city(self, mention: PlaceMention, ctx: _Context) -> Place:
        name = mention.text
        stand_in = ""
        if mention.city and normalize(mention.city) != normalize(name) and gazetteer.find_city(
                name) is None:
            stand_in = f"{name}: not found; shown at its city ({mention.city})"
            name = mention.city
        cc = (mention.country_code or "").upper() or None
        town = _chosen_town(mention, name)
        if town is not None:
            return self._city_place(town, stand_in)
        cands = gazetteer.city_candidates(name)
        if not cands:
            # Maybe it is a country, landmark or region the extractor called a city.
            code = gazetteer.country_code(name)
            if code:
                return self._resolve_country(replace(mention, kind="country",
                                                     country_code=code), ctx)
            lm = gazetteer.find_landmark(name, None, cc)
            if lm is not None:
                return self._from_entry(lm, "gazetteer", 0.9 if lm.verified else 0.7)
            region = gazetteer.find_region(name, cc)
            if region is not None:
                return self._region_place(region, name)
            town = self._town_place(name, [cc] if cc else ctx.countries, mention.entry_id, ctx)
            if town is not None:  # "the village of Letur": too small for the scan table
                return town
            return self._town_online(mention, name, cc, ctx, "city not found")
        region = gazetteer.find_region(name, cc)
        if region is not None and region_first(region, cands, cc, ctx):
            return self._region_place(region, name)
        if cc and not any(e.country_code == cc for e, _ in cands):
            # none of that name in the text's country: its region or small town of that name
            # there beats a namesake abroad ("Khar" in Pakistan, not Haar in Bavaria)
            if region is not None:
                return self._region_place(region, name)
            town = self._town_place(name, [cc], mention.entry_id, ctx)
            if town is not None:
                return town
        wanted = [cc] if cc else ctx.countries
        best, primary = _pick_city(cands, wanted)
        best = _nearest_namesake(best, cands, ctx)
        ambiguous = (not primary) or (
            not (cc or any(e.country_code in wanted for e, _ in cands))
            and len({e.country_code for e, _ in cands}) > 1
            and _second_pop(cands, best) > best.population / 3)
        if ambiguous and self.online:
            key = cache_key(name, kind="city", country_code=best.country_code)
            place, _ = self._ask_online(mention, name, city=None, cc=best.country_code, key=key,
                                        want="city")
            if place is not None:
                return place
        if cc and best.country_code != cc and not mention.entry_id:
            # none of that name where the text is: never a namesake abroad ("Kaboro
            # community" in Nigeria is not Carrboro, North Carolina)
            return self._town_online(mention, name, cc, ctx, f"no {name} in {cc}")
        conf = 0.9 if not ambiguous else 0.6
        note = ""
        if cc and best.country_code != cc:
            note = f"no {name} in {cc}; took the one in {best.country_code}"
            conf = 0.4
        elif ambiguous:
            others = sorted({e.country_code or "?" for e, _ in cands} - {best.country_code})
            note = (f"{name}: several places have this name (also in {', '.join(others[:5])}); "
                    "took the largest" if others else f"{name}: matched an alternate name")
        if stand_in:
            note, conf = (f"{stand_in}; {note}" if note else stand_in), min(conf, 0.5)
        return self._city_place(best, note, conf)

    def _town_online(self, mention: PlaceMention, name: str, cc: str | None, ctx: _Context,
                     why: str) -> Place:
        """A town no gazetteer here has (in ``cc``): asked online, else the fallback."""
        key = cache_key(name, kind="city", country_code=cc)
        place, reason = self._ask_online(mention, name, city=None, cc=cc, key=key,
                                         want="city", ctx=ctx)
        if place is not None:
            return place
        if cc:
            return self._fallback(replace(mention, city=None), ctx, f"{why} ({reason})")
        return self.unresolved(mention, f"{name}: not in the gazetteers ({reason})")

    def _resolve_country(self, mention: PlaceMention, ctx: _Context) -> Place:
        code = (mention.country_code or "").upper() or gazetteer.country_code(mention.text)
        entry = gazetteer.country_entry(code) if code else None
        if entry is None:
            return self.unresolved(mention, f"{mention.text}: unknown country")
        return self._from_entry(entry, self._entry_source(entry), 0.95)

    # -- conveniences ----------------------------------------------------------------------------

    def geocode_query(self, text: str, near: str | None = None) -> Place:
        """parse_place_phrase + resolve: what the CLI prints."""
        try:
            mention = parse_place_phrase(text, near)
        except Exception as exc:
            self._log_once("geocode", f"could not parse {text!r}: {exc}", logging.ERROR)
            mention = PlaceMention(text=text)
        return self.resolve(mention)

    def locate_events(self, events: list[Event],
                      known: dict[int, Event] | None = None) -> list[Event]:
        """Events with ``place`` set: each mention resolved with its article's other mentions.

        Events without a mention keep ``place=None``. ``known``: ``id(event)`` -> the located
        event to give for that very object (a caller that knows the answer cannot have
        changed: geo.pipeline's incremental runs).
        """
        by_article: dict[str, list[PlaceMention]] = {}
        for ev in events:
            if ev.mention is None:
                continue
            for s in ev.sources or ():
                lst = by_article.setdefault(s.article, [])
                if ev.mention not in lst:
                    lst.append(ev.mention)
        out: list[Event] = []
        for ev in events:
            if known and (got := known.get(id(ev))) is not None:
                out.append(got)
                continue
            if ev.mention is None:
                out.append(replace(ev, place=None))
                continue
            ctx: list[PlaceMention] = []
            for s in ev.sources or ():
                for m in by_article.get(s.article, ()):
                    if m != ev.mention and m not in ctx:
                        ctx.append(m)
            memo_key = (ev.mention, tuple(ctx))
            with self._lock:
                place = self._memo.get(memo_key)
            if place is None:
                place = self.resolve(ev.mention, ctx)
                with self._lock:
                    self._memo[memo_key] = place
            out.append(replace(ev, place=place))
        return out


def _in_part(place: Place, mention: PlaceMention) -> Place:
    """ "Eastern Kentucky": the point of that part of the region or country (see
    :func:`gazetteer.part_point`), named so; the whole one when the tables cannot tell."""
    if place.lat is None or place.precision not in ("region", "country") or not (
            place.country_code):
        return place
    region = place.name if place.precision == "region" else None
    point = gazetteer.part_point(place.country_code, region, mention.part or "")
    if point is None:
        return place
    said = f"{mention.part_label}{place.name}"
    return replace(place, name=said, lat=round(point[0], 5), lon=round(point[1], 5),
                   confidence=round(min(place.confidence, 0.6), 2),
                   note=f"{said}: the median of the {'districts' if region else 'regions'} in "
                        f"that part of {place.name}" + (f"; {place.note}" if place.note else ""))


def _moved(place: Place, mention: PlaceMention) -> Place:
    """The point ``mention.offset_km`` from ``place`` along ``mention.bearing``: as precise as
    the text's round numbers, so at best a town's precision, and said so."""
    if place.lat is None or place.lon is None:
        return place
    from geopy.distance import distance

    to = distance(kilometers=mention.offset_km).destination((place.lat, place.lon),
                                                            bearing=mention.bearing)
    said = f"{mention.offset_label}{place.name}"
    return replace(place, name=said, lat=round(to.latitude, 5), lon=round(to.longitude, 5),
                   precision="city" if place.precision == "landmark" else place.precision,
                   city=None, confidence=round(min(place.confidence, 0.6), 2),
                   note=f"{said}: placed by the distance and direction the text gives"
                        + (f"; {place.note}" if place.note else ""))


def _name_variants(text: str) -> list[str]:
    """``text`` and, for "X in Y" / "X, Y", the bare ``X``."""
    out = [text]
    m = re.match(r"^(?P<what>.+?)(?:\s+in\s+|\s*,\s*)[^,]+$", text.strip(), re.IGNORECASE)
    if m and m.group("what") not in out:
        out.append(m.group("what"))
    return out


def _precision_of(kind: str) -> str:
    return {"mission": "landmark", "landmark": "landmark", "city": "city", "region": "region",
            "country": "country"}.get(kind, "city")


def _looks_like_mission(res) -> bool:
    text = f"{res.osm_type} {res.osm_class} {res.display_name}".lower()
    return any(w in text for w in ("embass", "consulat", "diplomatic", "ambassade", "botschaft",
                                   "ambassad", "سفارة"))


def _pick_city(cands: list[tuple[Entry, bool]], wanted: Sequence[str]) -> tuple[Entry, bool]:
    """The best candidate: in a wanted country (earliest first), primary names, then size."""
    def rank(item: tuple[Entry, bool]) -> tuple:
        e, primary = item
        pos = list(wanted).index(e.country_code) if e.country_code in wanted else len(wanted)
        curated = not gazetteer.is_table_row(e.id)
        return (-pos, primary, curated, e.population)

    e, primary = max(cands, key=rank)
    return e, primary


def _chosen_town(mention: PlaceMention, name: str) -> Entry | None:
    """The town row the extractor chose for ``name`` ("Benton, Ky."): that town, not the
    largest namesake; None when it chose none (or the row is not that name's)."""
    cc = (mention.country_code or "").upper()
    if not (gazetteer.is_table_row(mention.entry_id) and cc):
        return None
    town = gazetteer.find_town(name, [cc], entry_id=mention.entry_id)
    return town if town is not None and town.id == mention.entry_id else None


NAMESAKE_NEAR_KM = 100.0  # a namesake this close to a place the article names is the one


def _nearest_namesake(best: Entry, cands: list[tuple[Entry, bool]], ctx: _Context) -> Entry:
    """Of same-named cities and towns in one country, the one by a region or city the article
    names: "Talisay" in "three Batangas towns" is Talisay, Batangas, not the larger one in
    Cebu; "San Nicolas" there is the Batangas town, not the city in Ilocos."""
    anchors = [(a.lat, a.lon) for a in ctx.regions + ctx.cities
               if a.lat is not None and a.country_code == best.country_code
               and normalize(a.name) != normalize(best.name)]
    if not anchors:
        return best
    same = [e for e, _ in cands if e.country_code == best.country_code
            and normalize(e.name) == normalize(best.name) and e.lat is not None]
    same += [t for t in gazetteer.find_towns(best.name) if t.country_code == best.country_code
             and normalize(t.name) == normalize(best.name)  # not Tiran, called "Tehran" too
             and all(haversine_km(t.lat, t.lon, e.lat, e.lon) > 5 for e in same)]
    if len(same) < 2:
        return best

    def gap(e: Entry) -> float:
        return min(haversine_km(e.lat, e.lon, lat, lon) for lat, lon in anchors)

    near = min(same, key=gap)
    return near if gap(near) <= NAMESAKE_NEAR_KM < gap(best) else best


def region_first(region: Entry, cands: list[tuple[Entry, bool]], cc: str | None,
                 ctx: _Context) -> bool:
    """Should a same-named region win over these cities?"""
    if cc and region.country_code != cc:
        return False
    cities = [e for e, _ in cands]
    if ctx.countries and region.country_code not in ctx.countries and any(
            e.country_code in ctx.countries for e in cities):
        return False
    return gazetteer.region_outranks_cities(region, cities)


def _second_pop(cands: list[tuple[Entry, bool]], best: Entry) -> int:
    pops = [e.population for e, _ in cands if e is not best and e.country_code != best.country_code]
    return max(pops, default=0)


# ---------------------------------------------------------------------------------------------
# CLI: `python -m geo.geocode "Jumhuriya bridge" --near Baghdad [--online]`
