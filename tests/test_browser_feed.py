"""The feed tied to the map, in headless Chromium (Debian's /usr/bin/chromium via playwright).

Cards fly the map to their event and open its popup, an open popup highlights its card, the
legend lists only the categories in view, a filter fits what is left, a step adds no browser
history entry, and the small things (pause glyph, upload limit). Synthetic events
(tests/browser_app.py), so places and counts are exact. Screenshots go to artifacts/.
"""

from __future__ import annotations

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
BRIDGE = (33.3248, 44.4045)  # e6, conftest.BRIDGE
GREEN_ZONE = (33.3076, 44.3903)  # e7, e8


def open_view(page, server, date, mode, query=None):
    page.goto(snap.view_url(server, date, mode, snapshot=False, query=query),
              wait_until="domcontentloaded")
    return snap.wait_for_view(page, date)


def center(frame) -> tuple[float, float, float]:
    return tuple(frame.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom()]"))


def wait_popup(frame, event_id: str) -> None:
    frame.wait_for_function("id => document.querySelector('#map_div').dataset.nmPopup === id",
                            arg=event_id, timeout=10_000)


def legend_rows(frame) -> dict[str, str]:
    """The legend's category rows that are shown: name -> count."""
    return dict(frame.eval_on_selector_all(
        ".nm-legend-row", "rs => rs.filter(r => r.querySelector('.nm-legend-name')"
        " && getComputedStyle(r).display !== 'none')"
        ".map(r => [r.querySelector('.nm-legend-name').textContent,"
        " r.querySelector('.nm-legend-n').textContent])"))


def set_view(frame, lat, lon, zoom) -> None:
    frame.evaluate("([lat, lon, z]) => { map.setView([lat, lon], z, {animate: false}); }",
                   [lat, lon, zoom])
    frame.wait_for_timeout(300)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_card_click_flies_to_its_event_and_opens_its_popup(page, server):
    frame = open_view(page, server, "2023-07-22", "upto")
    lat0, lon0, zoom0 = center(frame)
    assert abs(lat0 - BRIDGE[0]) > 1  # the opening view fits every event: Baghdad to Sweden
    card = page.locator('.nm-card[data-nm-id="e6"]')
    assert "Jumhuriya bridge" in card.inner_text()
    card.click()
    wait_popup(frame, "e6")
    lat, lon, zoom = center(frame)
    assert (lat, lon) == pytest.approx(BRIDGE, abs=0.01) and zoom >= 13
    title = frame.eval_on_selector(".leaflet-popup .nm-popup-title", "n => n.textContent")
    assert title == "Protesters blocked at the Jumhuriya bridge"
    assert "nm-card-active" in card.get_attribute("class")
    shot(page, "feed-card-click.png")

    # another card: the popup and the highlight move; the pin is fanned out at the spot
    other = page.locator('.nm-card[data-nm-id="e7"]')
    other.click()
    wait_popup(frame, "e7")
    assert center(frame)[:2] == pytest.approx(GREEN_ZONE, abs=0.01)
    assert frame.eval_on_selector(".leaflet-popup .nm-popup-title",
                                  "n => n.textContent") == "Attempt to storm the Green Zone"
    assert "nm-card-active" in other.get_attribute("class")
    assert "nm-card-active" not in card.get_attribute("class")
    # keyboard: Enter on a focused card does the same
    card.focus()
    page.keyboard.press("Enter")
    wait_popup(frame, "e6")
    # an unlocated event's card is not tied to the map
    assert page.locator(".nm-card:not([data-nm-id])").count() == 1  # e9
    assert page.errors == []


def test_pin_click_highlights_its_card(page, server):
    frame = open_view(page, server, "2023-07-20", "date")
    set_view(frame, 33.33, 44.41, 12)
    pin = frame.evaluate_handle(
        "NM.current._markers.find(m => m.nm.id === 'e3').getElement().querySelector('.nm-pin')")
    pin.as_element().click(force=True)
    wait_popup(frame, "e3")
    card = page.locator('.nm-card[data-nm-id="e3"]')
    page.wait_for_function(
        "() => document.querySelector('.nm-card[data-nm-id=\"e3\"]')"
        ".classList.contains('nm-card-active')", timeout=5000)
    assert "nm-card-active" not in page.locator('.nm-card[data-nm-id="e4"]').get_attribute(
        "class")
    shot(page, "feed-pin-click.png")
    # closing the popup clears the highlight
    frame.click(".leaflet-popup-close-button")
    page.wait_for_function("() => !document.querySelector('.nm-card-active')", timeout=5000)
    assert "nm-card-active" not in card.get_attribute("class")


def test_legend_lists_only_the_categories_in_view(page, server):
    frame = open_view(page, server, "2023-07-22", "upto")
    everything = legend_rows(frame)
    assert everything == {"riot/storming": "3", "protest": "1", "desecration": "2",
                          "diplomatic action": "1", "statement": "1"}
    set_view(frame, 57.5, 15.3, 5)  # Copenhagen and Stockholm: the two Quran burnings
    assert legend_rows(frame) == {"desecration": "2"}
    note = frame.eval_on_selector(".nm-legend-inview", "n => n.textContent")
    assert "2 of 8 in view" in note
    shot(page, "feed-legend-in-view.png")
    set_view(frame, 33.3, 44.4, 11)  # Baghdad
    assert legend_rows(frame) == {"riot/storming": "3", "protest": "1",
                                  "diplomatic action": "1", "statement": "1"}
    # the folded legend (a strip of swatches) follows the view too
    frame.click(".nm-legend-title")
    swatches = frame.eval_on_selector_all(
        ".nm-legend-strip .nm-swatch", "ns => ns.filter(n => getComputedStyle(n).display"
        " !== 'none').map(n => n.title)")
    assert sorted(swatches) == ["diplomatic action: 1", "protest: 1", "riot/storming: 3",
                                "statement: 1"]
    frame.click(".nm-legend-title")

    # the open sea: no legend rows, and a hint that brings the events back
    set_view(frame, -30.0, -20.0, 6)
    assert legend_rows(frame) == {}
    hint = frame.locator(".nm-offview")
    assert hint.is_visible() and "None of this step's 8 events are in view" in hint.inner_text()
    shot(page, "feed-offview-hint.png")
    hint.get_by_text("Show them").click()
    frame.wait_for_function("() => document.querySelector('#map_div').dataset.nmInview === '8'",
                            timeout=10_000)
    assert not hint.is_visible()
    assert len(legend_rows(frame)) == 5


def test_filter_fits_what_is_left(page, server):
    frame = open_view(page, server, "2023-07-22", "upto")
    set_view(frame, 33.31, 44.40, 13)  # zoomed in on Baghdad: no desecration in sight
    step = frame.evaluate("document.querySelector('#map_div').dataset.nmStep")
    page.locator(".st-key-f_cat input").click()
    page.get_by_role("option", name="desecration").click()
    page.keyboard.press("Escape")
    frame.wait_for_function("s => document.querySelector('#map_div').dataset.nmStep !== s",
                            arg=step, timeout=20_000)
    frame.wait_for_function("() => document.querySelector('#map_div').dataset.nmInview === '2'",
                            timeout=10_000)
    lat, lon, zoom = center(frame)
    assert 54 < lat < 61 and 10 < lon < 20  # between Copenhagen and Stockholm
    assert frame.evaluate("NM.current._points.every(p => map.getBounds().contains(p))")
    assert legend_rows(frame) == {"desecration": "2"}
    page.wait_for_function("() => location.search.includes('cat=desecration')", timeout=10_000)


def test_a_link_with_a_filter_opens_fitted_to_it(page, server):
    frame = open_view(page, server, "2023-07-22", "upto", query={"country": "Iraq"})
    page.wait_for_timeout(500)
    lat, lon, zoom = center(frame)
    assert (lat, lon) == pytest.approx((33.32, 44.40), abs=0.2) and zoom >= 10
    assert frame.evaluate("NM.current._points.every(p => map.getBounds().contains(p))")


def test_steps_add_no_history_entries(page, server):
    page.goto("data:text/html,<title>before</title>start")
    page.goto(server + "/", wait_until="domcontentloaded")  # no query: the latest date
    frame = snap.wait_for_view(page, "2023-07-22")
    length = page.evaluate("history.length")
    for d in ("2023-07-21", "2023-07-20", "2023-06-29"):
        page.get_by_role("button", name="◀ Previous").click()
        frame.wait_for_function(
            "t => document.querySelector('.nm-banner-date')?.textContent === t",
            arg=date_label(d), timeout=20_000)
        page.wait_for_function("d => location.search.includes('date=' + d)", arg=d,
                               timeout=10_000)
    assert page.evaluate("history.length") == length
    assert "date=2023-06-29" in page.url  # the URL still carries the view
    page.go_back(wait_until="commit")
    page.wait_for_url(lambda u: u.startswith("data:"), timeout=10_000)  # one Back leaves


def test_pause_glyph_renders_and_upload_limit_is_the_real_one(page, server):
    open_view(page, server, "2023-07-20", "date")
    page.get_by_role("button", name="▶ Play").click()
    pause = page.locator(".st-key-play button")
    pause.locator("p", has_text="Pause").wait_for(timeout=10_000)
    assert "⏸" not in pause.inner_text()
    # the icon is Streamlit's Material Symbols font, loaded and used
    icon_font = pause.locator("[data-testid='stIconMaterial']").evaluate(
        "n => getComputedStyle(n).fontFamily")
    assert "Material Symbols" in icon_font
    assert page.evaluate("document.fonts.check('16px \"Material Symbols Rounded\"')")
    shot(page, "feed-pause.png")
    pause.click()  # stop
    page.get_by_role("button", name="▶ Play").wait_for(timeout=10_000)

    page.get_by_text("Add articles").click()
    uploader = page.locator("[data-testid='stFileUploader']")
    uploader.wait_for(timeout=10_000)
    text = uploader.inner_text()
    assert "2MB per file" in text and "200" not in text


def test_card_click_in_a_narrow_window_keeps_the_popup_inside_the_map(browser, server):
    ctx = browser.new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    try:
        frame = open_view(page, server, "2023-07-22", "upto")
        page.locator('.nm-card[data-nm-id="e7"]').click()
        wait_popup(frame, "e7")
        frame.wait_for_timeout(600)  # the popup's auto-pan
        inside = frame.evaluate(
            "() => { const m = document.querySelector('#map_div').getBoundingClientRect();"
            " const p = document.querySelector('.leaflet-popup').getBoundingClientRect();"
            " return [p.left >= m.left - 1, p.right <= m.right + 1, p.width, m.width]; }")
        assert inside[0] and inside[1], inside
        # the feed is below the map there: the click brought the map back into view
        m = page.query_selector(snap.MAP_IFRAME).bounding_box()
        assert m["y"] >= -1 and m["y"] + m["height"] <= 900 + 1, m
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "feed-card-click-800.png"))
    finally:
        ctx.close()


_COVERED = """() => {
  // the popup's visible box, and the points of it some other element is drawn over
  const wrap = document.querySelector('.leaflet-popup .leaflet-popup-content-wrapper');
  const r = wrap.getBoundingClientRect();
  const hidden = [];
  for (let i = 1; i < 8; i++) for (let j = 1; j < 6; j++) {
    const x = r.left + r.width * i / 8, y = r.top + r.height * j / 6;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const el = document.elementFromPoint(x, y);
    if (el && !el.closest('.leaflet-popup')) hidden.push(el.className || el.tagName);
  }
  return hidden;
}"""


@pytest.mark.parametrize("corner", ["top", "top-right", "bottom-left", "bottom"])
def test_an_open_popup_is_never_covered_by_an_overlay(page, server, corner):
    # the banner (top), the base-layer control and tile notice (top right), the legend
    # (bottom left) and the source line (bottom): a popup moved under each stays on top
    frame = open_view(page, server, "2023-07-22", "upto")
    page.locator('.nm-card[data-nm-id="e6"]').click()
    wait_popup(frame, "e6")
    frame.evaluate("""corner => {
      const r = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
      const W = innerWidth, H = innerHeight;
      const to = {top: [W / 2 - r.width / 2, 2], 'top-right': [W - r.width - 2, 2],
                  'bottom-left': [2, H - r.height - 2], bottom: [W / 2 - r.width / 2,
                  H - r.height - 2]}[corner];
      map.panBy([r.left - to[0], r.top - to[1]], {animate: false});
      return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    }""", corner)
    assert frame.evaluate(_COVERED) == []
    shot(page, f"popup-over-{corner}.png")
    assert page.errors == []


def test_a_pin_under_the_banner_shows_through_it(page, server):
    # zoom 13 over Baghdad, one of the step's pins panned right under the date banner
    frame = open_view(page, server, "2023-07-22", "upto")
    frame.evaluate("""() => map.setView([33.3076, 44.3903], 13, {animate: false})""")
    frame.wait_for_timeout(300)
    frame.evaluate("""() => {
      // a pin in view, moved to the middle of the banner
      const b = document.querySelector('.nm-banner').getBoundingClientRect();
      const pin = [...document.querySelectorAll('.leaflet-marker-pane .nm-pin')]
        .map(n => n.getBoundingClientRect())
        .find(r => r.top > b.bottom && r.bottom < innerHeight && r.left > 0
                   && r.right < innerWidth);
      map.panBy([(pin.left + pin.right) / 2 - (b.left + b.right) / 2,
                 (pin.top + pin.bottom) / 2 - (b.top + b.bottom) / 2], {animate: false});
    }""")
    frame.wait_for_function(
        "() => document.querySelector('.nm-banner').classList.contains('nm-over-pins')",
        timeout=5000)
    opacity = frame.eval_on_selector(".nm-banner", "n => getComputedStyle(n).opacity")
    assert float(opacity) < 0.6
    # moved away from the pins, the banner is solid again
    frame.evaluate("() => map.panBy([0, -400], {animate: false})")
    frame.wait_for_function(
        "() => !document.querySelector('.nm-banner').classList.contains('nm-over-pins')",
        timeout=5000)
    assert page.errors == []


def test_a_press_while_the_next_step_is_on_its_way_is_taken(page, server):
    """Three Previous presses, each as soon as the map shows the last one: a press whose
    step the server is still sending waits for it in the browser (the button's own callback
    raced the run answering the map's report and was undone by it: 1 run in 3 here)."""
    page.goto(server + "/", wait_until="domcontentloaded")
    frame = snap.wait_for_view(page, "2023-07-22")
    for d in ("2023-07-21", "2023-07-20", "2023-06-29"):
        page.get_by_role("button", name="◀ Previous").click()
        frame.wait_for_function(
            "t => document.querySelector('.nm-banner-date')?.textContent === t",
            arg=date_label(d), timeout=20_000)
    page.wait_for_function("() => location.search.includes('date=2023-06-29')", timeout=10_000)
