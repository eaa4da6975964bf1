"""The offline base layer, shipped with the code: land, lakes, rivers, borders, place names.

Tiles need the network; this layer does not. ``geo/data/basemap/`` holds ``world.json``
(the world at 1:50m, drawn below zoom :data:`DETAIL_ZOOM`) and one small file per 5-degree
cell under ``10m/`` (1:10m land and borders, GSHHG lakes and rivers, GeoNames places), built
once by ``python -m geo.basemap_build`` from registry packages (see
``geo/data/basemap/README.md``). The browser draws it on canvas tiles and fetches only the
cells in view (``NM.BaseLayer`` in ``geo/static/newsmap.js``); a standalone HTML file
carries the world file and the cells around its events (:func:`inline_data`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import lru_cache

from geo.paths import DATA_DIR

BASEMAP_DIR = DATA_DIR / "basemap"
WORLD_FILE = "world.json"
CELL_DIR = "10m"
CELL_DEG = 5
WORLD_QUANT = 0.01  # degrees per unit in world.json
DETAIL_QUANT = 0.0005  # degrees per unit in the cells (~50 m, below the simplification)
DETAIL_ZOOM = 7  # from this zoom on the cells are drawn (below, the world file: at zoom 5 a
# 1400-px view would fetch ~180 cells, 1.4 MB; at 7 about 12)
MIN_ZOOM, MAX_ZOOM = 1, 14  # what the offline layer can show: below 1 it repeats, past 14
# (a 1:10m source, ~1 km accurate) there is nothing more to see
ATTRIBUTION = "Base map: Natural Earth, GSHHG, GeoNames"


@lru_cache(maxsize=1)
def world_text() -> str:
    """``world.json`` as text (read once per process)."""
    return (BASEMAP_DIR / WORLD_FILE).read_text("utf-8")


@lru_cache(maxsize=1)
def cells() -> frozenset[tuple[int, int]]:
    """The cells that have a file (the rest of the globe is open sea)."""
    return frozenset(tuple(c) for c in json.loads(world_text())["cells"])


def cell_of(lon: float, lat: float) -> tuple[int, int]:
    n_x, n_y = int(360 / CELL_DEG), int(180 / CELL_DEG)
    lon = (lon + 180) % 360 - 180
    cx = min(max(int((lon + 180) // CELL_DEG), 0), n_x - 1)
    cy = min(max(int((lat + 90) // CELL_DEG), 0), n_y - 1)
    return cx, cy


def cells_near(points: Iterable[tuple[float, float]], ring: int = 1) -> list[tuple[int, int]]:
    """The cells holding these (lat, lon) points and their neighbours, that have a file."""
    have = cells()
    n_x = int(360 / CELL_DEG)
    want: set[tuple[int, int]] = set()
    for lat, lon in points:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        cx, cy = cell_of(lon, lat)
        for dx in range(-ring, ring + 1):
            for dy in range(-ring, ring + 1):
                c = ((cx + dx) % n_x, cy + dy)
                if c in have:
                    want.add(c)
    return sorted(want)


def cell_name(c: tuple[int, int]) -> str:
    return f"{c[0]}_{c[1]}.json"


def cell_text(c: tuple[int, int]) -> str:
    return (BASEMAP_DIR / CELL_DIR / cell_name(c)).read_text("utf-8")


def inline_data(points: Iterable[tuple[float, float]], max_cells: int = 60) -> str:
    """The base layer for a standalone HTML file, as a JSON object: the world and the
    cells around ``points`` (at most ``max_cells``; a file stays a few MB at worst)."""
    chosen = cells_near(points)[:max_cells]
    parts = ",".join(f'"{cell_name(c)}":{cell_text(c)}' for c in chosen)
    return '{"world":' + world_text() + ',"cells":{' + parts + "}}"
