"""The offline base layer: Natural Earth country borders and coastlines, shipped with the code.

Tiles need the network; this layer does not. ``geo/data/basemap/countries-50m.geojson`` is
built once from the npm package ``world-atlas`` 2.0.2 (Natural Earth 1:50m admin-0 countries,
public domain; TopoJSON packaging ISC) by :func:`build` below, and read at run time by
:func:`geojson_text`. See ``geo/data/basemap/README.md``.

Rebuild (only when changing the source or the rounding)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m geo.basemap package/countries-50m.json
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

from geo.paths import DATA_DIR

BASEMAP_DIR = DATA_DIR / "basemap"
BASEMAP_FILE = BASEMAP_DIR / "countries-50m.geojson"
ATTRIBUTION = "Borders: Natural Earth"
DECIMALS = 2  # ~1 km: plenty for a 1:50m source, and it keeps the file small


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs are delta-encoded, quantized integers: turn them into lon/lat pairs."""
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS)))
        out.append(points)
    return out


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        # consecutive arcs share their end/start point
        ring.extend(pts if not ring else pts[1:])
    dedup: list[list[float]] = []
    for p in ring:
        if not dedup or dedup[-1] != list(p):
            dedup.append(list(p))
    return dedup


def topojson_to_geojson(topology: dict, obj: str = "countries") -> dict:
    arcs = _decode_arcs(topology)
    features = []
    for geom in topology["objects"][obj]["geometries"]:
        if geom["type"] == "Polygon":
            polys = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["arcs"]
        else:
            continue
        out_polys = []
        for poly in polys:
            rings = [_ring(r, arcs) for r in poly]
            rings = [r for r in rings if len(r) >= 4]
            if rings:
                out_polys.append(rings)
        if not out_polys:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": geom.get("properties", {}).get("name", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": out_polys},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def build(topojson_path: Path, out: Path = BASEMAP_FILE) -> Path:
    topology = json.loads(Path(topojson_path).read_text("utf-8"))
    geojson = topojson_to_geojson(topology)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(geojson, separators=(",", ":")), "utf-8")
    return out


@lru_cache(maxsize=1)
def geojson_text() -> str:
    """The shipped base layer as a GeoJSON string (read once per process)."""
    return BASEMAP_FILE.read_text("utf-8")


if __name__ == "__main__":  # pragma: no cover - dev-time build step
    print(build(Path(sys.argv[1])))
