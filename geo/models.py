"""Plain data classes shared by every stage: articles -> events -> places -> map.

They hold data only; the stages that make them live in their own modules. Everything
here round-trips through ``to_dict`` / ``from_dict`` so the on-disk cache, the CLI and
the dashboard all speak the same JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

DatePrecision = Literal["day", "month", "year"]
PlacePrecision = Literal["landmark", "city", "region", "country"]
Status = Literal["occurred", "planned"]

# The fixed event taxonomy, in the spirit of ACLED's event types. Order = legend order.
CATEGORIES: tuple[str, ...] = (
    "riot/storming",
    "attack",
    "coup",
    "protest",
    "desecration",
    "diplomatic action",
    "evacuation",
    "sanction",
    "election",
    "disaster",
    "statement",
)


@dataclass(frozen=True)
class Article:
    """One input text. ``date`` is the publication date as ISO ``YYYY-MM-DD`` or None."""

    name: str  # file name (or a label for pasted text); what sources point back to
    text: str  # body, without the date line, BOM stripped, newlines normalised to \n
    date: str | None = None
    # Where ``date`` came from: "header" (the ` date` line), "inferred" (from the text or a
    # sibling article: see ``date_note``), "user" (set in the dashboard) or "none".
    date_source: str = "none"
    date_note: str = ""
    sha256: str = ""  # of the raw bytes; the extraction cache key
    # Read from the web (geo/web): the page's canonical http(s) address and its outlet
    # ("Reuters", or the host name), so every event can link back to its article.
    url: str | None = None
    outlet: str | None = None

    def with_date(self, date: str | None, source: str, note: str = "") -> Article:
        return replace(self, date=date, date_source=source, date_note=note)


@dataclass(frozen=True)
class Problem:
    """An input that was skipped or degraded, with the reason shown to the user."""

    name: str
    reason: str
    skipped: bool = True  # False: the article was kept but degraded (e.g. bad date line)

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def compass(bearing: float) -> str:
    return _COMPASS[round(bearing / 45) % 8]


@dataclass(frozen=True)
class PlaceMention:
    """A place as the text names it, plus the context the geocoder needs to resolve it.

    ``kind`` is the extractor's guess: "landmark" (bridge, square, zone, building),
    "mission" (an embassy or consulate: ``mission_of`` is the sending country's ISO code),
    "city", "region" or "country". ``city`` / ``country_code`` are where the text puts it.
    """

    text: str
    kind: str = "city"
    city: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2, upper case
    mission_of: str | None = None  # for kind == "mission": ISO code of the sending state
    # The gazetteer row the extractor chose among same-named towns ("geonames:2147714"), by
    # the places the article names; the geocoder takes it rather than the largest namesake.
    entry_id: str | None = None
    # "50 kilometres north of Barcelona": the place is that far from the named one, in that
    # direction (degrees clockwise from north); the geocoder moves the named place's point
    offset_km: float | None = None
    bearing: float | None = None
    # "eastern Kentucky", "northern Peru": the compass part of a region or a country the
    # text names ("north", "southeast", ...); the geocoder places it in that part
    part: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def part_label(self) -> str:
        """ "eastern ", "north-eastern ": the part as a prefix of the named place, or ""."""
        if not self.part:
            return ""
        if len(self.part) > 5:  # "northeast" -> "north-eastern"
            return f"{self.part[:5]}-{self.part[5:]}ern "
        return f"{self.part}ern "

    @property
    def offset_label(self) -> str:
        """ "50 km N of ": the offset as a prefix of the named place, or ""."""
        if self.offset_km is None or self.bearing is None:
            return ""
        return f"{self.offset_km:.0f} km {compass(self.bearing)} of "

    @classmethod
    def from_dict(cls, d: dict) -> PlaceMention:
        return cls(**d)


@dataclass(frozen=True)
class Place:
    """A resolved point. ``lat``/``lon`` are None when nothing could place it."""

    name: str
    lat: float | None
    lon: float | None
    precision: PlacePrecision
    source: str  # "gazetteer", "cache", "nominatim", "geonames", "unresolved"
    city: str | None = None
    country: str | None = None  # country name, e.g. "Iraq"
    country_code: str | None = None
    confidence: float = 0.0  # 0..1, how sure the resolver is
    attribution: str | None = None  # e.g. "© OpenStreetMap contributors" for Nominatim
    note: str = ""  # why it was resolved the way it was (fallbacks are visible)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Place:
        return cls(**d)


@dataclass(frozen=True)
class Source:
    article: str  # Article.name
    sentence: str  # the evidence sentence, verbatim
    # The article's web address and outlet when it was read from the web (filled after
    # extraction by geo.web.links.attach, from the Article); None for files and pasted text.
    url: str | None = None
    outlet: str | None = None


@dataclass
class Event:
    """One happening at one place on one date."""

    id: str
    date: str | None  # "YYYY-MM-DD", "YYYY-MM", "YYYY" or None when undatable
    date_precision: DatePrecision | None
    status: Status
    category: str
    title: str
    mention: PlaceMention | None
    sources: list[Source] = field(default_factory=list)
    place: Place | None = None  # filled by the geocoding stage
    time_of_day: str | None = None  # "early morning", "night", "18:00", ... when the text says
    date_inferred: bool = False  # True when the article date itself was inferred
    kind: str = ""  # fine-grained type behind the category: "storming", "ties severed", ...
    family: str = ""  # what merges: all unrest at one place and day is one event (ACLED)
    place_from_context: bool = False  # no place in the sentence; the article's main city
    # Told as background: dated by the text only to a year or month before the article's
    # ("the 1999 quake", "protests last month"). Shown or hidden as the user chooses.
    background: bool = False
    # The state that acts where that is not the place: "Italy evacuated 140 Italians" from
    # Sudan (ISO code). Two states' evacuations from one place are two events.
    actor: str | None = None
    # Provenance (geo.review): "auto" as extracted, "confirmed", "edited" or "added" by the
    # user; ``original`` keeps the extractor's values of every field the user changed.
    review_status: str = "auto"
    original: dict | None = None
    review_note: str = ""
    review_key: dict | None = None  # the key corrections found it by (geo.review)

    def to_dict(self) -> dict:
        d = asdict(self)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Event:
        d = dict(d)
        d["mention"] = PlaceMention.from_dict(d["mention"]) if d.get("mention") else None
        d["place"] = Place.from_dict(d["place"]) if d.get("place") else None
        d["sources"] = [Source(**s) for s in d.get("sources", [])]
        return cls(**d)
