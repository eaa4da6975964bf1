"""The dashboard in headless Chromium (Debian's /usr/bin/chromium via playwright-python).

The app runs on synthetic events (tests/browser_app.py) so marker counts are exact; one test
runs the real dashboard on the seeds through ``geo.snapshot``. Screenshots go to artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo import snapshot as snap
from geo.timeline import date_label

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.requests_seen = []
    pg.dialogs = []
    pg.on("request", lambda r: pg.requests_seen.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ctx.close()


def open_view(page, server, date, mode):
    page.goto(snap.view_url(server, date, mode, snapshot=False), wait_until="domcontentloaded")
    return snap.wait_for_view(page, date)


def banner(frame) -> str:
    return frame.eval_on_selector(".nm-banner-date", "n => n.textContent")


def marker_count(frame) -> int:
    return frame.eval_on_selector_all(".nm-marker", "ns => ns.length")


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / name
    page.screenshot(path=str(out))
    return out


def test_step_keeps_the_map_mounted_and_the_zoom(page, server):
    frame = open_view(page, server, "2023-07-20", "date")
    assert marker_count(frame) == 2  # e3, e4
    # everything came from this server: no CDN, no tiles
    assert all(u.startswith(server) or u.startswith("data:") for u in page.requests_seen), [
        u for u in page.requests_seen if not u.startswith(server)]
    frame.evaluate("document.querySelector('#map_div').dataset.probe = 'before-step'")
    frame.click(".leaflet-control-zoom-in")
    frame.wait_for_timeout(500)
    zoom = frame.evaluate("window.map.getZoom()")
    center = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]")
    shot(page, "browser-step-before.png")

    page.get_by_role("button", name="Next ▶").click()
    frame.wait_for_function("t => document.querySelector('.nm-banner-date')?.textContent === t",
                            arg=date_label("2023-07-21"), timeout=20_000)
    # the same document and map element: not remounted
    assert frame.evaluate("document.querySelector('#map_div').dataset.probe") == "before-step"
    assert frame.evaluate("window.map.getZoom()") == zoom
    after = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]")
    assert after == pytest.approx(center)
    assert marker_count(frame) == 1  # e5 only
    page.wait_for_function("() => location.search.includes('date=2023-07-21')", timeout=10_000)
    page.wait_for_timeout(500)
    shot(page, "browser-step-after.png")


def test_upto_mode_fades_earlier_events(page, server):
    frame = open_view(page, server, "2023-07-22", "upto")
    assert marker_count(frame) == 8  # e9 has no location
    assert frame.eval_on_selector_all(".nm-marker.nm-current", "ns => ns.length") == 3
    assert frame.eval_on_selector_all(".nm-marker.nm-past", "ns => ns.length") == 5
    # co-located events (e1, e7, e8 in the Green Zone) are fanned out, not stacked
    boxes = frame.eval_on_selector_all(
        ".nm-pin", "ns => ns.map(n => { const r = n.getBoundingClientRect();"
        " return [Math.round(r.x), Math.round(r.y)]; })")
    assert len(set(map(tuple, boxes))) == len(boxes)
    legend = frame.eval_on_selector(".nm-legend", "n => n.textContent")
    assert "riot/storming" in legend and "faded = earlier dates" in legend
    source = frame.eval_on_selector(".nm-source", "n => n.textContent")
    assert "© OpenStreetMap contributors" in source and "Natural Earth" in source
    assert frame.evaluate("document.querySelector('.nm-map').classList.contains('nm-base-ready')")
    shot(page, "browser-upto.png")


def test_popup_and_tooltip_show_article_text_as_text(page, server):
    frame = open_view(page, server, "2023-07-20", "date")
    frame.click(".leaflet-control-zoom-in")
    frame.wait_for_timeout(400)
    pins = frame.query_selector_all(".nm-pin")
    for pin in pins:
        pin.click(force=True)
        frame.wait_for_selector(".nm-popup", timeout=5000)
        text = frame.eval_on_selector(".leaflet-popup-content", "n => n.textContent")
        assert frame.eval_on_selector_all(".leaflet-popup-content img, "
                                          ".leaflet-popup-content script",
                                          "ns => ns.length") == 0
        if "<script>" in text:
            break
    assert "<script>alert('x')</script>" in text
    assert "landmark" in text or "approximate" in text
    pin.hover(force=True)
    frame.wait_for_timeout(300)
    assert frame.eval_on_selector_all(".leaflet-tooltip img, .leaflet-tooltip script",
                                      "ns => ns.length") == 0
    assert page.dialogs == []
    # the cards beside the map
    assert page.locator(".nm-card img").count() == 0
    assert page.get_by_text("<img src=x onerror=alert(1)>", exact=False).count() >= 1
    shot(page, "browser-popup.png")


def test_fit_to_events_zooms_to_the_step(page, server):
    frame = open_view(page, server, "2023-07-22", "date")
    frame.click(".nm-fit")
    frame.wait_for_timeout(800)
    inside = frame.evaluate(
        "NM.current._currentPoints.every(p => window.map.getBounds().contains(p))")
    assert inside
    assert frame.evaluate("window.map.getZoom()") >= 10  # the three Baghdad landmarks


def test_play_steps_and_stops_at_the_end(page, server):
    frame = open_view(page, server, "2023-07-20", "date")
    page.get_by_role("button", name="▶ Play").click()
    frame.wait_for_function("t => document.querySelector('.nm-banner-date')?.textContent === t",
                            arg=date_label("2023-07-21"), timeout=20_000)
    frame.wait_for_function("t => document.querySelector('.nm-banner-date')?.textContent === t",
                            arg=date_label("2023-07-22"), timeout=20_000)
    page.get_by_role("button", name="▶ Play").wait_for(timeout=20_000)  # stopped itself
    page.wait_for_timeout(2500)
    assert banner(frame) == date_label("2023-07-22")


def test_export_buttons_download(page, server):
    open_view(page, server, "2023-07-21", "date")
    page.get_by_text("Export").click()
    with page.expect_download(timeout=30_000) as dl:
        page.get_by_role("button", name="This map as HTML").click()
    html = Path(dl.value.path()).read_text("utf-8")
    assert "21 July 2023" in html and "<script src=" not in html
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="This view as PNG").click()
    png = Path(dl.value.path()).read_bytes()
    assert png[:4] == b"\x89PNG" and len(png) > 30_000
    (ARTIFACTS / "browser-export-view.png").write_bytes(png)


@pytest.mark.timeout(240)
def test_snapshot_command_on_the_seeds(tmp_path):
    """The real dashboard on the seed articles, through `python -m geo snapshot`."""
    import struct
    import subprocess
    import sys

    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / "snapshot-2023-07-22-upto.png"
    out.unlink(missing_ok=True)
    env = {**os.environ, "NEWSMAP_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "snapshot", "--date", "2023-07-22", "--mode", "upto",
         "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=200,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 900)


HOSTILE = ("{{ 7*7 }}", "{% raw %}", "</script><img src=x onerror=alert(1)>",
           "![x](http://127.0.0.1:9/x.png)")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The real dashboard (real pipeline) on one article full of markup and template syntax,
    plus a background event ("in 1999"), read through NEWSMAP_PATHS."""
    from geo import pipeline

    folder = tmp_path_factory.mktemp("hostile-articles")
    (folder / "2023-07-23_hostile.txt").write_text(
        " date 2023-07-23 Hundreds of protesters stormed the Swedish embassy in Baghdad early "
        f"on Sunday, chanting {HOSTILE[0]} and {HOSTILE[1]} while waving banners reading "
        f"{HOSTILE[2]} and {HOSTILE[3]} outside the compound.\n\n"
        "A massive earthquake struck Turkey in 1999, killing more than 17,000 people.\n",
        encoding="utf-8")
    home = tmp_path_factory.mktemp("newsmap-home-hostile")
    # warm the extraction cache here: the server's first article then does not pay for
    # loading the language model inside its time budget
    old = os.environ.get("NEWSMAP_HOME")
    os.environ["NEWSMAP_HOME"] = str(home)
    try:
        for _ in range(2):
            if not pipeline.run([folder], online=False).problems:
                break
    finally:
        if old is None:
            os.environ.pop("NEWSMAP_HOME")
        else:
            os.environ["NEWSMAP_HOME"] = old
    env = {"NEWSMAP_HOME": str(home), "NEWSMAP_ONLINE": "0", "NEWSMAP_PATHS": str(folder)}
    with snap.serve(ROOT / "dashboard.py", env=env) as base:
        yield base


@pytest.mark.timeout(240)
def test_hostile_article_text_stays_text(page, hostile_server):
    frame = open_view(page, hostile_server, "2023-07-23", "date")
    card = page.locator(".nm-card").first.inner_text()
    for s in HOSTILE:
        assert s in card, (s, card)
    assert "49" not in card  # the template was not evaluated
    assert page.locator(".nm-card img, .nm-card script").count() == 0
    frame.click(".nm-fit")
    frame.wait_for_timeout(800)
    frame.query_selector(".nm-marker.nm-current .nm-pin").click(force=True)
    frame.wait_for_selector(".nm-popup", timeout=5000)
    popup = frame.eval_on_selector(".leaflet-popup-content", "n => n.textContent")
    for s in HOSTILE:
        assert s in popup, (s, popup)
    assert frame.eval_on_selector_all(".leaflet-popup-content img, "
                                      ".leaflet-popup-content script", "ns => ns.length") == 0
    shot(page, "browser-hostile-popup.png")
    assert page.dialogs == []
    assert not [u for u in page.requests_seen if "127.0.0.1:9" in u]


@pytest.mark.timeout(240)
def test_background_events_toggle(page, hostile_server):
    frame = open_view(page, hostile_server, "1999", "date")
    card = page.locator(".nm-card").first
    assert "background" in card.locator(".nm-chip-bg").inner_text()
    frame.query_selector(".nm-marker.nm-current .nm-pin").click(force=True)
    frame.wait_for_selector(".nm-popup .nm-badge-bg", timeout=5000)
    shot(page, "browser-background.png")
    page.get_by_text("Background events").click()
    page.wait_for_function("() => location.search.includes('bg=0')", timeout=20_000)
    # one date left: the slider goes, so the map may be mounted anew
    frame = snap.wait_for_view(page, "2023-07-23", timeout_ms=20_000)
    assert page.locator(".nm-chip-bg").count() == 0
    assert frame.eval_on_selector_all(".nm-marker", "ns => ns.length") == 1


def test_the_maps_code_is_asked_for_by_the_pages_first_element(page, server):
    """The component chunk (the map's frame comes from it) is preloaded by the page's first
    element (geo/static/preload.js), at the URL Streamlit imports it from: one download,
    no error, and the map shows."""
    from geo import layout

    assert layout.component_chunks()[0].startswith("ComponentInstance.")
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    open_view(page, server, "2023-07-22", "upto")
    links, loads = page.evaluate("""() => [
      [...document.querySelectorAll('link[rel=modulepreload][data-nm-preload]')]
        .map(l => l.href)
        .filter(h => h.includes('/ComponentInstance.')),
      performance.getEntriesByType('resource').map(e => e.name)
        .filter(n => n.includes('/ComponentInstance.'))]""")
    assert len(links) == 1 and loads == links, (links, loads)  # (Streamlit's own link too)
    assert page.errors == []
