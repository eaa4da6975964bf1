"""The PNG export is the view: the map frame alone, at the given centre and zoom (or box, or
fit), with the filters applied, at the given size and pixel ratio; an empty view fails fast.

Unit tests first (no browser), then the CLI's fast failures (no browser either), then
Chromium against the synthetic-events app (conftest's ``server`` and ``browser``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import snapshot as snap
from geo.cli import build_parser
from geo.timeline import date_label

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
BAGHDAD = (33.30, 44.39)

chromium = pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# ---- the view and its URL -------------------------------------------------------------


def test_view_travels_in_the_url_and_back():
    v = snap.View(center=BAGHDAD, zoom=13)
    q = v.query()
    assert q == {"center": "33.300000,44.390000", "zoom": "13"}
    assert snap.View.from_query(q) == v
    assert v.js() == {"zoom": 13, "center": [33.3, 44.39]}
    box = snap.View(bbox=(55.6, 12.4, 55.8, 12.7))
    assert snap.View.from_query(box.query()) == box and box.js() == {"bbox": [55.6, 12.4,
                                                                             55.8, 12.7]}
    assert snap.View.from_query({"fit": "step"}) == snap.View(fit="step")
    assert snap.View().query() == {} and snap.View().js() is None and not snap.View().fixed
    # a hand-edited URL with nonsense falls back to the opening view, never a crash
    assert snap.View.from_query({"zoom": "x"}) is None
    assert snap.View.from_query({"bbox": "1,2,3"}) is None


@pytest.mark.parametrize("bad", [
    dict(center=BAGHDAD),  # a centre needs a zoom
    dict(zoom=3, bbox=(0, 0, 1, 1)),
    dict(zoom=3, fit="step"),
    dict(fit="street"),
])
def test_contradictory_views_are_refused(bad):
    with pytest.raises(ValueError):
        snap.View(**bad)


@pytest.mark.parametrize("text", ["33.3", "33.3,44.4,1", "north,east", "95,10", "nan,1"])
def test_bad_centres_are_refused(text):
    with pytest.raises(ValueError):
        snap.parse_center(text)


def test_bbox_must_be_south_west_north_east():
    assert snap.parse_bbox("33.2, 44.3, 33.4, 44.5") == (33.2, 44.3, 33.4, 44.5)
    with pytest.raises(ValueError, match="south < north"):
        snap.parse_bbox("33.4,44.3,33.2,44.5")


def test_the_map_reports_its_view_as_st_folium_returns_it():
    v = snap.View.from_map({"lat": 33.3, "lng": 404.39}, 13)  # panned once round the world
    assert v.center == pytest.approx(BAGHDAD) and v.zoom == 13
    assert snap.View.from_map(None, 3) is None  # before the map has reported anything
    assert snap.View.from_map({"lat": "x", "lng": 1}, 3) is None


def test_frame_size_from_bounds_and_zoom():
    # 1000 x 680 px at zoom 3: 1000 / (256 * 8) of the world's width
    w = 1000 / (256 * 8) * 360
    bounds = {"_southWest": {"lat": -30.0, "lng": 0.0}, "_northEast": {"lat": 30.0, "lng": w}}
    width, height = snap.frame_size(bounds, 3)
    assert width == 1000
    assert height == round((snap._merc_y(30) - snap._merc_y(-30)) / (2 * 3.141592653589793)
                           * 256 * 8)
    # st_folium's placeholder before the first report
    assert snap.frame_size({"_southWest": {"lat": None, "lng": None},
                            "_northEast": {"lat": None, "lng": None}}, 3) is None


# ---- what the view holds, checked before any browser ------------------------------------


def test_check_view_normalises_filters_and_names_what_is_wrong(events):
    q = snap.check_view(events, "2023-07-22", "upto", {"country": ["iraq"]}, background=False)
    assert q == {"country": ["Iraq"], "bg": "0"}
    with pytest.raises(snap.SnapshotEmpty, match=r"no country 'Narnia'.*Denmark, Iraq, Sweden"):
        snap.check_view(events, None, "upto", {"country": ["Narnia"]})
    with pytest.raises(snap.SnapshotEmpty, match="no events with these filters"):
        snap.check_view(events, None, "upto", {"country": ["Denmark"], "cat": ["protest"]})
    with pytest.raises(snap.SnapshotEmpty,
                       match="no events on 2023-07-23; the nearest dates with events: "
                             "2023-07-22$"):
        snap.check_view(events, "2023-07-23", "upto")
    with pytest.raises(snap.SnapshotEmpty, match="no events on 2023-07-20 with these filters"):
        snap.check_view(events, "2023-07-20", "date", {"country": ["Denmark"]})


@pytest.fixture
def events_file(tmp_path, events):
    """The synthetic events as a prepared event file (NEWSMAP_EVENTS), so the CLI runs on
    known events without the extractor."""
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in events), "utf-8")
    return path


def run_cli(args, events_file, tmp_path, timeout=120):
    env = {**os.environ, "NEWSMAP_HOME": str(tmp_path / "home"),
           "NEWSMAP_EVENTS": str(events_file)}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "geo", "snapshot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - t0


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2023-07-23"], "snapshot: no events on 2023-07-23; the nearest dates with "
                               "events: 2023-07-22"),
    (["--date", "1999-01-01", "--mode", "date"], "snapshot: no events on 1999-01-01; the "
                                                 "nearest dates with events: 2021-11-05"),
    (["--country", "Denmark", "--category", "protest"], "snapshot: no events with these filters"),
    (["--country", "Narnia"], "snapshot: no country 'Narnia' in these events"),
    (["--width", "20"], "snapshot: width and height must be"),
])
def test_an_empty_or_impossible_view_exits_fast_with_one_line(args, message, events_file,
                                                              tmp_path):
    out = tmp_path / "x.png"
    proc, seconds = run_cli([*args, "--out", str(out)], events_file, tmp_path, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.startswith(message), proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert seconds < 10  # no server, no browser: it used to wait 60 s and print a traceback
    assert not out.exists()


def test_a_base_layer_not_offered_here_exits_fast_with_one_line(events_file, tmp_path,
                                                                monkeypatch):
    monkeypatch.delenv("NEWSMAP_CARTO_KEY", raising=False)  # Positron needs one
    out = tmp_path / "x.png"
    proc, seconds = run_cli(["--base", "light", "--out", str(out)], events_file, tmp_path,
                            timeout=30)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("snapshot: no base layer 'light' here (there are: "
                                  "openstreetmap, satellite, offline;"), proc.stderr
    assert seconds < 10 and not out.exists()


def test_malformed_view_arguments_are_usage_errors(events_file, tmp_path):
    proc, _ = run_cli(["--center", "33.3", "--zoom", "13"], events_file, tmp_path, timeout=30)
    assert proc.returncode == 2 and "centre (LAT,LON) must be 2 numbers" in proc.stderr
    proc, _ = run_cli(["--center", "33.3,44.4"], events_file, tmp_path, timeout=30)
    assert proc.returncode == 1 and "a centre needs a zoom" in proc.stderr


def test_the_readme_snapshot_commands_run_as_written():
    """Every snapshot command in the README uses the venv's Python (plain `python` has none
    of the packages) and parses with the real CLI."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert not re.search(r"(?<!\.venv/bin/)python -m geo snapshot", readme)
    commands = re.findall(r"`(\.venv/bin/python -m geo snapshot[^`]*)`", readme)
    commands += re.findall(r"^\$ (\.venv/bin/python -m geo snapshot.*)$", readme, re.M)
    assert len(commands) >= 2
    for cmd in commands:
        argv = shlex.split(cmd.split("#")[0])[3:]
        args = build_parser().parse_args(argv)
        assert args.command == "snapshot"
        snap.View(center=args.center, zoom=args.zoom, bbox=args.bbox, fit=args.fit)


# ---- in Chromium ------------------------------------------------------------------------


@pytest.fixture
def capture(browser):
    """shoot(url-parts) on a fresh capture page; yields (png, frame) and closes the page."""
    pages = []

    def run(date, mode="upto", *, width=1000, height=700, scale=1.0, query=None,
            view=None, base=None):
        page = snap.capture_page(browser, width, height, scale)
        pages.append(page)
        url = snap.capture_url(base, date, mode, query=query, view=view, height=height)
        png = snap.shoot(page, url, date, view, timeout_ms=30_000)
        return png, page, page.query_selector(snap.MAP_IFRAME).content_frame()

    yield run
    for p in pages:
        p.context.close()


def save(name: str, png: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)


def markers(frame) -> list[list[float]]:
    return frame.evaluate("NM.current._markers.map(m => [m.nm.lat, m.nm.lon])")


@pytest.mark.browser
@chromium
def test_country_filtered_png_is_the_map_frame_with_only_those_events(capture, server):
    png, page, frame = capture("2023-07-22", query={"country": ["Iraq"]}, base=server)
    save("snapshot-view-iraq.png", png)
    # the map frame alone, exactly the asked size: not the dashboard with buttons and slider
    assert png_size(png) == (1000, 700)
    box = page.query_selector(snap.MAP_IFRAME).bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 1000, 700)
    assert frame.evaluate("[NM.map.getSize().x, NM.map.getSize().y]") == [1000, 700]
    # the banner, the legend and the source line are inside that frame
    for sel in (".nm-banner-date", ".nm-legend", ".nm-source"):
        r = frame.eval_on_selector(sel, "n => n.getBoundingClientRect().toJSON()")
        assert r["left"] >= 0 and r["top"] >= 0 and r["right"] <= 1000 and r["bottom"] <= 700
    assert frame.eval_on_selector(".nm-banner-date", "n => n.textContent") == \
        date_label("2023-07-22")
    assert not frame.is_visible(".nm-fit") and not frame.is_visible(".leaflet-control-zoom")
    # Iraq only: e1, e3, e4, e6, e7, e8 (not Stockholm's e2 nor Copenhagen's e5)
    pts = markers(frame)
    assert len(pts) == 6 == frame.eval_on_selector_all(".nm-marker", "ns => ns.length")
    assert all(29 < lat < 38 and 38 < lon < 49 for lat, lon in pts), pts
    # and they are what the picture frames (the filtered step is fitted)
    assert frame.evaluate("NM.current._points.every(p => NM.map.getBounds().contains(p))")
    assert frame.evaluate("NM.map.getZoom()") >= 9


@pytest.mark.browser
@chromium
def test_the_opening_view_frames_every_event_at_the_pictures_size(capture, server):
    """The map is made at the picture's size (no resize after its fit): every pin is in the
    frame and below the date banner, here Stockholm at the top."""
    _, _, frame = capture("2023-07-20", "upto", width=800, height=560, base=server)
    tops = frame.evaluate("NM.current._points.map(p => NM.map.latLngToContainerPoint(p).y)")
    banner = frame.eval_on_selector(".nm-banner", "n => n.getBoundingClientRect().bottom")
    assert len(tops) == 4 and all(banner < y < 560 for y in tops), (banner, tops)


@pytest.mark.browser
@chromium
def test_scale_2_doubles_the_pixels(capture, server):
    one, _, _ = capture("2023-07-21", "date", width=700, height=450, base=server)
    two, _, frame = capture("2023-07-21", "date", width=700, height=450, scale=2, base=server)
    assert png_size(one) == (700, 450)
    assert png_size(two) == (1400, 900)
    assert frame.evaluate("window.devicePixelRatio") == 2
    assert frame.evaluate("[NM.map.getSize().x, NM.map.getSize().y]") == [700, 450]
    save("snapshot-view-scale2.png", two)


@pytest.mark.browser
@chromium
def test_centre_and_zoom_are_honoured_even_when_filtered(capture, server):
    """A filtered view re-fits itself on opening and on resize; the given view wins."""
    view = snap.View(center=BAGHDAD, zoom=13)
    png, _, frame = capture("2023-07-22", view=view, query={"country": ["Iraq"]},
                            width=800, height=600, base=server)
    save("snapshot-view-baghdad-z13.png", png)
    assert frame.evaluate("NM.map.getZoom()") == 13
    lat, lon = frame.evaluate("[NM.map.getCenter().lat, NM.map.getCenter().lng]")
    assert (lat, lon) == pytest.approx(BAGHDAD, abs=1e-4)
    assert png_size(png) == (800, 600)
    # a resize after opening (what re-fits a filtered map) keeps the view
    frame.evaluate("() => { NM.map.invalidateSize(); }")
    assert frame.evaluate("NM.map.getZoom()") == 13


@pytest.mark.browser
@chromium
def test_bbox_and_fit_step(capture, server):
    box = (55.60, 12.45, 55.75, 12.70)  # Copenhagen
    _, _, frame = capture("2023-07-21", "date", view=snap.View(bbox=box), base=server)
    assert frame.evaluate("b => NM.map.getBounds().contains([[b[0], b[1]], [b[2], b[3]]])",
                          list(box))
    assert frame.evaluate("NM.map.getZoom()") >= 11
    # fit=step: this date's events (two in Baghdad), not every event (Baghdad to Stockholm)
    _, _, frame = capture("2023-07-20", "upto", view=snap.View(fit="step"), base=server)
    assert frame.evaluate("NM.current._currentPoints.every(p => NM.map.getBounds().contains(p))")
    assert not frame.evaluate("NM.map.getBounds().contains([59.33, 18.07])")  # Stockholm
    assert frame.evaluate("NM.map.getZoom()") >= 10


@pytest.mark.browser
@chromium
@pytest.mark.parametrize(("date", "query", "message"), [
    ("2023-07-23", {}, "No events on 2023-07-23"),
    (None, {"country": ["Denmark"], "cat": ["protest"]}, "No events with these filters"),
])
def test_an_empty_view_fails_fast_in_the_browser_too(capture, server, date, query, message):
    t0 = time.monotonic()
    with pytest.raises(snap.SnapshotEmpty, match=message):
        capture(date, query=query, base=server)
    assert time.monotonic() - t0 < 15


@pytest.mark.browser
@chromium
def test_this_view_as_png_is_the_users_map_frame(browser, server, capture):
    """The dashboard's button: the map frame at the user's own size, centre and zoom."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    query = {"country": ["Iraq"]}
    try:
        page.goto(snap.view_url(server, "2023-07-22", "upto", snapshot=False, query=query),
                  wait_until="domcontentloaded")
        frame = snap.wait_for_view(page, "2023-07-22")
        # far from the opening fit (zoom 12 on the Iraqi events): zoom 5 over Baghdad
        frame.evaluate("c => { NM.map.setView(c, 5, { animate: false }); }", list(BAGHDAD))
        # st_folium reports the new view (a rerun); the button then holds it
        page.wait_for_timeout(1500)
        page.wait_for_selector("[data-testid='stStatusWidget']", state="detached",
                               timeout=20_000)
        box = page.query_selector(snap.MAP_IFRAME).bounding_box()
        page.get_by_text("Export").click()
        # the PNG is made by a second headless Chromium on this server, whose own waits are
        # up to 60 s each: on a loaded 2-core machine the whole can take over a minute
        with page.expect_download(timeout=180_000) as dl:
            page.get_by_role("button", name="This view as PNG").click()
        png = Path(dl.value.path()).read_bytes()
    finally:
        ctx.close()
    save("snapshot-view-dashboard-button.png", png)
    w, h = png_size(png)
    assert abs(w - box["width"]) <= 2 and abs(h - box["height"]) <= 2  # not the whole page
    # the same picture as the CLI's at that centre and zoom, not the opening view
    same, _, _ = capture("2023-07-22", query=query, view=snap.View(center=BAGHDAD, zoom=5),
                         width=w, height=h, base=server)
    opening, _, _ = capture("2023-07-22", query=query, width=w, height=h, base=server)
    # (measured: 0.0005 % of the pixels differ from the same view, 3 % from the opening one:
    # borders and pins move, most of the frame is land either way)
    assert differing(png, same) < 0.002 < 0.01 < differing(png, opening)


def differing(a: bytes, b: bytes) -> float:
    """Share of pixels that differ between two PNGs of one size."""
    import io

    from PIL import Image, ImageChops

    ia, ib = (Image.open(io.BytesIO(x)).convert("RGB") for x in (a, b))
    assert ia.size == ib.size
    diff = ImageChops.difference(ia, ib).convert("L").point(lambda v: 255 if v > 24 else 0)
    return sum(diff.histogram()[255:]) / (ia.size[0] * ia.size[1])


@pytest.mark.browser
@chromium
@pytest.mark.timeout(240)
def test_cli_snapshot_with_filters_view_and_scale(events_file, tmp_path):
    """`python -m geo snapshot` end to end: the real dashboard on a prepared event file."""
    out = tmp_path / "out.png"
    proc, _ = run_cli(["--date", "2023-07-22", "--country", "Iraq", "--center", "33.30,44.39",
                       "--zoom", "13", "--width", "900", "--height", "600", "--scale", "2",
                       "--out", str(out)], events_file, tmp_path, timeout=200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == str(out)
    png = out.read_bytes()
    assert png_size(png) == (1800, 1200)
    save("snapshot-cli-baghdad-z13-2x.png", png)
