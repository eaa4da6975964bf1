"""The offline base layer: the build's geometry (clip, simplify, encode) and the shipped data.

The data checks are the screenshot's promises in numbers: Copenhagen's and Stockholm's
embassies are on land (the 1:50m coast put them in the sea), the Tigris runs through
Baghdad, and every cell the world file lists exists.
"""

from __future__ import annotations

import json

import pytest

from geo import basemap, gazetteer
from geo import basemap_build as build


def _inside(pt, ring) -> bool:
    x, y = pt
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (x1 - x0) * (y - y0) / (y1 - y0):
            hit = not hit
    return hit


def _cell(lon, lat) -> dict:
    return json.loads(basemap.cell_text(basemap.cell_of(lon, lat)))


def _on_land(lat, lon) -> bool:
    """Even-odd over the cell's land rings (as the browser fills them), minus its lakes."""
    doc = _cell(lon, lat)
    q = basemap.DETAIL_QUANT
    land = sum(_inside((lon, lat), build.decode(r, q)) for r in doc["land"]) % 2 == 1
    lake = any(_inside((lon, lat), build.decode(r, q)) for r in doc["lakes"])
    return land and not lake


def test_encode_round_trip_drops_repeats():
    pts = [(44.39, 33.3), (44.3912, 33.3011), (44.3912, 33.3011), (44.5, 33.0)]
    flat = build.encode(pts, 0.0005)
    assert len(flat) == 6  # the repeated point is gone
    back = build.decode(flat, 0.0005)
    for (x, y), (bx, by) in zip([pts[0], pts[1], pts[3]], back, strict=True):
        assert abs(x - bx) <= 0.00025 + 1e-12 and abs(y - by) <= 0.00025 + 1e-12


def test_simplify_keeps_ends_and_corners():
    line = [(0, 0), (0.5, 0.0001), (1, 0), (1, 1)]
    assert build.simplify(line, 0.01) == [(0, 0), (1, 0), (1, 1)]
    assert build.simplify(line, 0) == line


def test_clip_ring_to_box():
    square = [(-1, -1), (3, -1), (3, 3), (-1, 3)]
    r = build.clip_ring(square, 0, 0, 2, 2)
    xs, ys = {p[0] for p in r}, {p[1] for p in r}
    assert xs == {0, 2} and ys == {0, 2}
    assert build.clip_ring([(5, 5), (6, 5), (6, 6)], 0, 0, 2, 2) == []


def test_split_rings_covers_a_big_ring_once_per_cell():
    # a 30 x 20 degree box of many points on cell lines: each of its 6 x 4 cells gets exactly
    # one piece (a neighbour gets no sliver from the margin), the whole cell
    ring = ([(x / 4, 0.0) for x in range(0, 121)] + [(30.0, y / 4) for y in range(1, 81)]
            + [(x / 4, 20.0) for x in range(119, -1, -1)]
            + [(0.0, y / 4) for y in range(79, 0, -1)])
    cells = build.split_rings([ring])
    assert sorted(cells) == [(x, y) for x in range(36, 42) for y in range(18, 22)]
    for (cx, cy), pieces in cells.items():
        assert len(pieces) == 1
        x0, y0, x1, y1 = build._bbox(pieces[0])
        assert (x0, y0) == (max(0, cx * 5 - 180 - 0.05), max(0, cy * 5 - 90 - 0.05))
        assert (x1, y1) == (min(30, cx * 5 - 175 + 0.05), min(20, cy * 5 - 85 + 0.05))


def test_clip_line_keeps_runs_touching_the_box():
    line = [(-2, 0.5), (-1, 0.5), (0.5, 0.5), (1.5, 0.5), (3, 0.5), (4, 0.5)]
    runs = build.clip_line(line, 0, 0, 2, 2)
    assert runs == [[(-1, 0.5), (0.5, 0.5), (1.5, 0.5), (3, 0.5)]]


def test_topo_borders_are_shared_arcs_only():
    topo = {
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [0, 1]], [[0, 1], [-1, 0], [0, -1], [1, 0]],
                 [[0, 0], [1, 0], [0, 1], [-1, 0]]],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]]}, {"type": "Polygon", "arcs": [[2, ~0]]}]}},
    }
    borders = build.topo_borders(topo)
    assert borders == [[(0, 0), (0, 1)]]
    assert len(build.topo_rings(topo, "countries")) == 2


def test_world_file_lists_only_cells_that_exist():
    world = json.loads(basemap.world_text())
    assert world["quant"] == basemap.WORLD_QUANT
    assert world["detail_quant"] == basemap.DETAIL_QUANT
    assert len(world["cells"]) > 1000
    for c in world["cells"][::97]:
        assert (basemap.BASEMAP_DIR / basemap.CELL_DIR / basemap.cell_name(tuple(c))).exists()
    names = {p[0] for p in world["places"]}
    assert {"Baghdad", "Copenhagen", "Stockholm", "Cairo"} <= names
    assert all(p[3] >= 1_000_000 for p in world["places"])


@pytest.mark.parametrize("row_id", ["embassy-iq-copenhagen", "embassy-iq-stockholm",
                                    "city-copenhagen", "city-stockholm",
                                    "christiansborg-copenhagen", "sergels-torg-stockholm"])
def test_nordic_pins_are_on_land(row_id):
    rows = {r.id: r for r in gazetteer.landmarks()}
    r = rows[row_id]
    assert _on_land(r.lat, r.lon), (row_id, r.lat, r.lon)


def test_open_sea_is_not_land():
    assert not _on_land(55.70, 12.75)  # the Øresund, east of Copenhagen
    assert not _on_land(33.0, 35.0)  # the Mediterranean off Lebanon has no cell land


def test_the_tigris_runs_through_baghdad():
    doc = _cell(44.39, 33.31)
    q = basemap.DETAIL_QUANT
    near = [p for r in doc["rivers"] for p in build.decode(r, q)
            if abs(p[0] - 44.39) < 0.1 and abs(p[1] - 33.31) < 0.1]
    assert len(near) >= 10
    assert any(p[0] == "Baghdad" and p[3] > 5_000_000 for p in doc["places"])


def test_inline_data_holds_the_cells_around_the_points():
    data = json.loads(basemap.inline_data([(33.31, 44.39)]))
    assert set(data) == {"world", "cells"}
    assert basemap.cell_name(basemap.cell_of(44.39, 33.31)) in data["cells"]
    assert 1 <= len(data["cells"]) <= 9
    assert json.loads(basemap.inline_data([]))["cells"] == {}
