"""Online base maps and their fallback, in headless Chromium, never on the internet.

A tile server on 127.0.0.1 (tests/tile_stub.py) stands in for the providers: with it the
map shows the default provider's tiles and names that provider, and only it, in the credit
line; the layer control switches to satellite imagery and its credit. A dead port stands in
for "no network": the map falls back to the offline layer, says so in a notice, credits the
offline layer and bounds the zoom to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tile_stub import TileStub

from geo import basemap
from geo import snapshot as snap

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
APP = Path(__file__).resolve().parent / "browser_app.py"


def _app(tmp_path_factory, url: str):
    home = tmp_path_factory.mktemp("tiles-home")
    env = {"NEWSMAP_HOME": str(home), "NEWSMAP_ONLINE": "0", "NEWSMAP_TILES": "on",
           "NEWSMAP_TILES_URL": url}
    return snap.serve(APP, env=env)


@pytest.fixture(scope="module")
def tiles():
    with TileStub() as stub:
        yield stub


@pytest.fixture(scope="module")
def live(tmp_path_factory, tiles):
    with _app(tmp_path_factory, tiles.url) as base:
        yield base


@pytest.fixture(scope="module")
def dead(tmp_path_factory):
    port = snap.free_port()  # nothing listens there: every tile is refused
    with _app(tmp_path_factory, f"http://127.0.0.1:{port}/{{name}}/{{z}}/{{x}}/{{y}}.png") as base:
        yield base


def open_map(browser, base):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.requests_seen = []
    page.on("request", lambda r: page.requests_seen.append(r.url))
    page.goto(snap.view_url(base, "2023-07-22", "upto", snapshot=False),
              wait_until="domcontentloaded")
    return page, snap.wait_for_view(page, "2023-07-22")


def attr(frame, name):
    return frame.evaluate(f"document.querySelector('#map_div').getAttribute('{name}')")


def credit(frame):
    return frame.eval_on_selector(".nm-source", "n => n.textContent")


def test_tiles_load_from_the_server_with_their_own_credit(browser, live, tiles):
    page, frame = open_map(browser, live)
    try:
        assert attr(frame, "data-nm-tiles") == "ok"
        assert attr(frame, "data-nm-tile-layer") == "CartoDB.Positron"  # the light default
        loaded = frame.eval_on_selector_all("img.leaflet-tile-loaded", "ns => ns.map(n => n.src)")
        prefix = f"http://127.0.0.1:{tiles.port}/CartoDB.Positron/"
        assert loaded and all(u.startswith(prefix) for u in loaded)
        assert any(p.startswith("/CartoDB.Positron/") for p in tiles.seen)
        text = credit(frame)
        assert "© OpenStreetMap contributors © CARTO" in text and "Natural Earth" not in text
        assert frame.query_selector(".nm-notice") is None
        assert frame.evaluate("map.getMaxZoom()") == 20  # Positron's own last zoom
        # every request stayed on this machine
        assert all(u.startswith(("http://127.0.0.1", "data:")) for u in page.requests_seen)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tiles-online.png"))

        # the layer control: satellite imagery, and its credit instead of OSM's
        frame.hover(".leaflet-control-layers")
        frame.get_by_text("Satellite").click()
        frame.wait_for_function("() => document.querySelector('#map_div')"
                                ".getAttribute('data-nm-tiles') === 'ok' && document.querySelector("
                                "'#map_div').getAttribute('data-nm-tile-layer') === "
                                "'Esri.WorldImagery'", timeout=15_000)
        text = credit(frame)
        assert "Esri" in text and "CARTO" not in text
        # and back to the offline layer by hand: its credit, its zoom bound, no notice
        frame.get_by_text("Offline").click()
        frame.wait_for_function("() => document.querySelector('#map_div')"
                                ".getAttribute('data-nm-tiles') === 'off'", timeout=15_000)
        assert "Natural Earth" in credit(frame) and "Esri" not in credit(frame)
        assert frame.evaluate("map.getMaxZoom()") == basemap.MAX_ZOOM
        assert frame.query_selector_all("img.leaflet-tile") == []
        assert page.errors == []
    finally:
        page.context.close()


def test_dead_tiles_fall_back_to_the_offline_layer_and_say_so(browser, dead):
    page, frame = open_map(browser, dead)
    try:
        frame.wait_for_function("() => document.querySelector('#map_div')"
                                ".getAttribute('data-nm-tiles') === 'failed'", timeout=20_000)
        notice = frame.wait_for_selector(".nm-notice", state="visible")
        assert "could not load" in notice.text_content()
        text = credit(frame)
        assert "Natural Earth" in text and "CARTO" not in text
        assert frame.evaluate("map.getMaxZoom()") == basemap.MAX_ZOOM
        assert attr(frame, "data-nm-base") == "ready"  # the offline layer is drawn
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tiles-fallback.png"))
        assert page.errors == []
    finally:
        page.context.close()
