"""Online base maps and their fallback, in headless Chromium, never on the internet.

A tile server on 127.0.0.1 (tests/tile_stub.py) stands in for the providers: with it the
map shows the default provider's tiles and names that provider, and only it, in the credit
line; the layer control switches to satellite imagery and its credit. A dead port stands in
for "no network": the map falls back to the offline layer, says so in a notice, credits the
offline layer and bounds the zoom to it. The PNG export (and `python -m geo snapshot --base`)
draws the base layer the user chose, and falls back the same way, saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tile_stub
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


# ---- the chosen base layer in the PNG export ---------------------------------------------

IMAGERY = tile_stub.COLOURS["Esri.WorldImagery"]
LIGHT = tile_stub.COLOURS["CartoDB.Positron"]
NOTICE = (0xFF, 0xF7, 0xE6)  # the tile notice's background


def colour_share(png: bytes, rgb) -> float:
    """Share of the picture's pixels that are exactly ``rgb`` (a tile stub's colour)."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    hits = sum(n for n, c in img.getcolors(img.size[0] * img.size[1]) if c == tuple(rgb))
    return hits / (img.size[0] * img.size[1])


def pick(frame, label):
    frame.hover(".leaflet-control-layers")
    frame.get_by_text(label, exact=True).click()


def test_the_png_export_draws_the_base_layer_the_user_chose(browser, live, tiles):
    page, frame = open_map(browser, live)
    try:
        pick(frame, "Satellite")
        frame.wait_for_function("() => document.querySelector('#map_div')"
                                ".getAttribute('data-nm-tile-layer') === 'Esri.WorldImagery'",
                                timeout=15_000)
        # the map tells the server (a rerun), which puts it in the URL: a link reopens it
        page.wait_for_function("() => location.search.includes('base=Esri.WorldImagery')",
                               timeout=20_000)
        page.wait_for_selector("[data-testid='stStatusWidget']", state="detached",
                               timeout=20_000)
        del tiles.seen[:]
        page.get_by_text("Export").click()
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name="This view as PNG").click()
        png = Path(dl.value.path()).read_bytes()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "tiles-export-satellite.png").write_bytes(png)
        # the export's own browser drew satellite tiles, and no tile of the default layer
        assert any(p.startswith("/Esri.WorldImagery/") for p in tiles.seen)
        assert not any(p.startswith("/CartoDB.Positron/") for p in tiles.seen)
        assert colour_share(png, IMAGERY) > 0.3 and colour_share(png, LIGHT) < 0.01
        assert page.errors == []
    finally:
        page.context.close()

    # the URL it wrote opens the map on that layer (a shared link)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(snap.view_url(live, "2023-07-22", "upto", snapshot=False,
                                query={"base": "Esri.WorldImagery"}),
                  wait_until="domcontentloaded")
        frame = snap.wait_for_view(page, "2023-07-22")
        assert attr(frame, "data-nm-tile-layer") == "Esri.WorldImagery"
        assert attr(frame, "data-nm-tiles") == "ok"
        assert "Esri" in credit(frame) and "CARTO" not in credit(frame)
        # and back to the default: the URL forgets it
        pick(frame, "Light")
        page.wait_for_function("() => !location.search.includes('base=')", timeout=20_000)
    finally:
        ctx.close()


def test_the_offline_layer_chosen_is_what_the_export_draws(browser, live, tiles):
    page = snap.capture_page(browser, 800, 560)
    try:
        del tiles.seen[:]
        url = snap.capture_url(live, "2023-07-22", "upto", query={"base": "offline"},
                               height=560)
        png = snap.shoot(page, url, "2023-07-22", timeout_ms=30_000)
        frame = page.query_selector(snap.MAP_IFRAME).content_frame()
        assert attr(frame, "data-nm-tiles") == "off" and tiles.seen == []
        assert colour_share(png, LIGHT) < 0.01 and colour_share(png, IMAGERY) < 0.01
        assert "Natural Earth" in credit(frame)
    finally:
        page.context.close()


def test_an_export_whose_chosen_tiles_fail_falls_back_and_says_so(browser, dead):
    """What snapshot.capture does (the dashboard's export), in this module's browser."""
    notes: list[str] = []
    page = snap.capture_page(browser, 800, 560)
    try:
        url = snap.capture_url(dead, "2023-07-22", "upto", query={"base": "Esri.WorldImagery"},
                               height=560)
        png = snap.shoot(page, url, "2023-07-22", timeout_ms=30_000, notes=notes)
        frame = page.query_selector(snap.MAP_IFRAME).content_frame()
        assert attr(frame, "data-nm-tiles") == "failed"
        assert "Natural Earth" in credit(frame) and "Esri" not in credit(frame)
    finally:
        page.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "tiles-export-fallback.png").write_bytes(png)
    assert len(notes) == 1 and "Esri.WorldImagery map tiles did not load" in notes[0]
    assert "offline map" in notes[0]
    assert colour_share(png, IMAGERY) < 0.01
    # the picture says so too: the map's notice (newsmap.css .nm-notice, #fff7e6) is in it
    assert colour_share(png, NOTICE) > 0.002


@pytest.mark.timeout(240)
def test_cli_snapshot_base_satellite(tiles, tmp_path):
    """`python -m geo snapshot --base satellite` on a prepared event file, tiles from the
    local server: the picture is the imagery layer; an unknown layer is a usage error."""
    import json
    import os
    import subprocess
    import sys

    from conftest import make_events

    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in make_events()), "utf-8")
    env = {**os.environ, "NEWSMAP_HOME": str(tmp_path / "home"), "NEWSMAP_EVENTS": str(events),
           "NEWSMAP_TILES_URL": tiles.url}
    out = tmp_path / "sat.png"
    cmd = [sys.executable, "-m", "geo", "snapshot", "--date", "2023-07-22", "--width", "800",
           "--height", "560", "--out", str(out)]
    proc = subprocess.run([*cmd, "--base", "satellite"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "note:" not in proc.stderr
    png = out.read_bytes()
    assert colour_share(png, IMAGERY) > 0.3
    proc = subprocess.run([*cmd, "--base", "moon"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "invalid choice: 'moon'" in proc.stderr
