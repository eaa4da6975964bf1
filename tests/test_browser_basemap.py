"""The offline base layer in headless Chromium (Debian's /usr/bin/chromium via playwright).

What a screenshot of the map promises, asserted on the page: at zoom 13 on Baghdad the tiles
are drawn from the 1:10m cell files (river, land) and the Tigris is painted where the data
puts it, the pins carry their labels and the base layer's place names never overlap them;
Copenhagen's and Stockholm's embassies are on land-coloured pixels; the zoom is bounded to
what the layer can show; only the cells in view are fetched. Synthetic events
(tests/browser_app.py); screenshots in artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import basemap
from geo import snapshot as snap

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LAND, WATER = (0xF4, 0xF1, 0xEA), (0xBC, 0xD6, 0xE6)  # NM.BASE_STYLE in basemap.js


def set_view(frame, lat, lon, zoom) -> None:
    frame.evaluate("([lat, lon, z]) => { map.setView([lat, lon], z, {animate: false}); }",
                   [lat, lon, zoom])
    frame.wait_for_function("() => document.querySelector('#map_div')"
                            ".getAttribute('data-nm-base') === 'ready'", timeout=20_000)
    frame.wait_for_timeout(300)


# the colour the base layer painted at a point: read from the tile canvas under it, so pins
# and labels above it do not matter
PIXEL_JS = """([lat, lon]) => {
  const p = map.latLngToContainerPoint([lat, lon]);
  const box = map.getContainer().getBoundingClientRect();
  const x = box.left + p.x, y = box.top + p.y;
  for (const c of document.querySelectorAll('.leaflet-pane canvas.leaflet-tile')) {
    const r = c.getBoundingClientRect();
    if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
    const px = Math.floor((x - r.left) * c.width / r.width);
    const py = Math.floor((y - r.top) * c.height / r.height);
    const d = c.getContext('2d').getImageData(px, py, 1, 1).data;
    if (d[3] === 0) return null;  // nothing painted: the sea shows through
    return [d[0], d[1], d[2]];
  }
  return null;
}"""


def painted(frame, lat, lon):
    rgb = frame.evaluate(PIXEL_JS, [lat, lon])
    return WATER if rgb is None else tuple(rgb)


def near(rgb, ref, tol=12) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, ref, strict=True))


def boxes(frame, sel):
    return frame.eval_on_selector_all(
        sel, "ns => ns.map(n => { const b = n.getBoundingClientRect();"
        " return {t: n.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom}; })")


def overlap(a, b) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


@pytest.fixture
def frame(page, server):
    page.requests_seen = []
    page.on("request", lambda r: page.requests_seen.append(r.url))
    page.goto(snap.view_url(server, "2023-07-22", "upto", snapshot=False),
              wait_until="domcontentloaded")
    return snap.wait_for_view(page, "2023-07-22")


def test_baghdad_at_city_zoom_shows_the_tigris_and_labelled_pins(page, frame):
    set_view(frame, 33.31, 44.39, 13)
    drawn = dict(kv.split(":") for kv in
                 frame.evaluate("map.getContainer().getAttribute('data-nm-base-drawn')").split())
    assert int(drawn["rivers"]) >= 1 and int(drawn["land"]) >= 1, drawn
    # the Tigris is painted in river blue at a point of its own line from the cell file
    import json

    from geo import basemap_build as build

    doc = json.loads(basemap.cell_text(basemap.cell_of(44.39, 33.31)))
    river = [p for r in doc["rivers"] for p in build.decode(r, basemap.DETAIL_QUANT)
             if abs(p[0] - 44.39) < 0.03 and abs(p[1] - 33.31) < 0.03]
    assert river
    lon, lat = river[len(river) // 2]
    rgb = painted(frame, lat, lon)
    assert not near(rgb, LAND) and rgb[2] > rgb[0] + 30, rgb  # blue, not land
    assert near(painted(frame, 33.36, 44.30), LAND)  # west of the river: land
    # the city is named (once: the base layer leaves out a name the events' label shows)
    named = [x["t"].lower() for x in boxes(frame, ".nm-city-label, .nm-place")]
    assert named.count("baghdad") == 1, named
    # labelled pins; the base layer's names never sit on a pin or a pin label
    labels = boxes(frame, ".nm-pin-label")
    assert any("Jumhuriya" in x["t"] for x in labels), labels
    places = boxes(frame, ".nm-place")
    pins = boxes(frame, ".nm-pin")
    for pl in places:
        assert not any(overlap(pl, o) for o in labels + pins), pl
    assert frame.eval_on_selector_all(".nm-place *", "ns => ns.filter(n => n.children.length)"
                                      ".length") == 0  # text only
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "basemap-baghdad-z13.png"))
    # only the cells in view were fetched, not the world's 1,400
    cells = [u for u in page.requests_seen if "/10m/" in u]
    assert 1 <= len(cells) <= 12, cells
    assert page.errors == []


@pytest.mark.parametrize("lat,lon,what", [(55.68887, 12.58983, "Iraqi embassy, Copenhagen"),
                                          (59.33, 18.07, "central Stockholm")])
def test_nordic_embassies_are_on_land(page, frame, lat, lon, what):
    set_view(frame, lat, lon, 13)
    assert near(painted(frame, lat, lon), LAND), what
    assert page.errors == []


def test_the_sea_is_sea_and_place_names_show_by_size(page, frame):
    set_view(frame, 55.70, 12.75, 9)
    assert near(painted(frame, 55.70, 12.75), WATER)  # the Øresund
    names = [x["t"] for x in boxes(frame, ".nm-place")]
    assert "Malmö" in names, names  # a city of 300,000 across the sound
    set_view(frame, 48, 20, 4)  # the world file below zoom 5: only big cities
    names = [x["t"] for x in boxes(frame, ".nm-place")]
    assert names and all(n not in ("Malmö", "Frederiksberg") for n in names), names
    placed = boxes(frame, ".nm-place")
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert not overlap(a, b), (a, b)
    assert page.errors == []


def test_zoom_is_bounded_to_what_the_layer_shows(page, frame):
    assert frame.evaluate("map.getMaxZoom()") == basemap.MAX_ZOOM
    frame.evaluate("map.setView([33.31, 44.39], 20, {animate: false})")
    assert frame.evaluate("map.getZoom()") == basemap.MAX_ZOOM
    assert page.errors == []
