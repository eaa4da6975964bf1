"""An 800-px window, in headless Chromium (Debian's /usr/bin/chromium via playwright).

The sidebar starts collapsed there (geo/static/narrow.js: Streamlit's own "auto" keeps it
open above 768 px), so the map has the window's width; the user can open it, and that choice
is kept; a wide window still opens with it. The legend is compact on a narrow map, in the
page and in the PNG export, and stays inside the map frame. Synthetic events
(tests/browser_app.py, conftest's ``server``). Screenshots go to artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import layout
from geo import snapshot as snap

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
SIDEBAR = "[data-testid='stSidebar']"
MIN_MAP_WIDTH = 700  # of 800 px: it was 468 with the sidebar open
LEGEND_SHARE = 0.08  # of the map's area, at most (the full legend covered 12 % at 800 px)


def open_page(browser, server, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(snap.view_url(server, "2023-07-22", "upto", snapshot=False),
              wait_until="domcontentloaded")
    frame = snap.wait_for_view(page, "2023-07-22")
    return page, frame


def collapsed(page) -> str | None:
    return page.get_attribute(SIDEBAR, "data-collapsed")


def stored_choice(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => "
                         "k.startsWith('stSidebarCollapsed-'))")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_an_800_px_window_opens_with_the_sidebar_collapsed_and_a_wide_map(browser, server):
    assert layout.NARROW_PX >= 800
    page, frame = open_page(browser, server, 800)
    try:
        page.wait_for_function("s => document.querySelector(s)?.dataset.collapsed === 'true'",
                               arg=SIDEBAR, timeout=10_000)
        assert page.get_attribute("html", "data-nm-sidebar") == "auto-collapsed"
        page.wait_for_timeout(600)  # the sidebar's slide, and the map's resize after it
        m = page.query_selector(snap.MAP_IFRAME).bounding_box()
        assert m["width"] >= MIN_MAP_WIDTH and m["x"] < 40, m
        assert frame.evaluate("NM.map.getSize().x") >= MIN_MAP_WIDTH
        # the controls keep their whole labels
        cut = page.eval_on_selector_all(
            "[data-testid='stMainBlockContainer'] button",
            "bs => bs.filter(b => b.offsetWidth && b.scrollWidth > b.clientWidth + 1)"
            ".map(b => b.textContent)")
        assert cut == []
        # collapsing it was not the user's choice: nothing of it is remembered
        assert stored_choice(page) == []
        shot(page, "narrow-800-collapsed.png")

        # the user opens it: it opens, and stays open (also after a resize)
        page.locator("[data-testid='stExpandSidebarButton']").click()
        page.wait_for_function("s => document.querySelector(s)?.dataset.collapsed === 'false'",
                               arg=SIDEBAR, timeout=10_000)
        assert stored_choice(page)  # Streamlit keeps the user's own click
        page.set_viewport_size({"width": 790, "height": 900})
        page.wait_for_timeout(1000)
        assert collapsed(page) == "false"
        assert page.locator(SIDEBAR).get_by_text("Online geocoding").is_visible()
        shot(page, "narrow-800-opened.png")
        assert page.errors == []
    finally:
        page.context.close()


def test_a_wide_window_opens_with_the_sidebar_open(browser, server):
    page, _frame = open_page(browser, server, 1400)
    try:
        page.wait_for_timeout(800)
        assert collapsed(page) == "false"
        assert page.get_attribute("html", "data-nm-sidebar") is None
        # narrowed by hand to 800 px: collapsed after it, as "auto" does at 768 px
        page.set_viewport_size({"width": 800, "height": 900})
        page.wait_for_function("s => document.querySelector(s)?.dataset.collapsed === 'true'",
                               arg=SIDEBAR, timeout=10_000)
        page.set_viewport_size({"width": 1400, "height": 900})
        page.wait_for_function("s => document.querySelector(s)?.dataset.collapsed === 'false'",
                               arg=SIDEBAR, timeout=10_000)
        assert page.errors == []
    finally:
        page.context.close()


LEGEND_BOX = """() => {
  const m = document.querySelector('#map_div').getBoundingClientRect();
  const l = document.querySelector('.nm-legend').getBoundingClientRect();
  return {share: (l.width * l.height) / (m.width * m.height),
          inside: l.left >= m.left && l.top >= m.top && l.right <= m.right
                  && l.bottom <= m.bottom,
          rows: new Set([...document.querySelectorAll('.nm-legend-row')]
                  .filter(r => r.offsetParent && r.querySelector('.nm-legend-name'))
                  .map(r => Math.round(r.getBoundingClientRect().top))).size,
          names: [...document.querySelectorAll('.nm-legend-name')]
                  .filter(n => n.offsetParent).map(n => n.textContent),
          font: parseFloat(getComputedStyle(document.querySelector('.nm-legend-name'))
                  .fontSize)};
}"""


def test_the_legend_is_compact_on_an_800_px_map(browser, server):
    page, frame = open_page(browser, server, 800)
    try:
        page.wait_for_function("s => document.querySelector(s)?.dataset.collapsed === 'true'",
                               arg=SIDEBAR, timeout=10_000)
        frame.wait_for_selector(".nm-legend.nm-legend-compact", timeout=10_000)
        box = frame.evaluate(LEGEND_BOX)
        # every category of the step still named, in fewer rows than categories, smaller
        assert set(box["names"]) == {"riot/storming", "protest", "statement",
                                     "diplomatic action", "desecration"}
        assert box["rows"] < len(box["names"])
        assert box["font"] < 12
        assert box["inside"] and box["share"] < LEGEND_SHARE, box
        shot(page, "narrow-800-legend.png")
        assert page.errors == []
    finally:
        page.context.close()


def test_the_png_export_at_800_px_has_the_compact_legend_inside_its_frame(browser, server):
    page = snap.capture_page(browser, 800, 560)
    try:
        url = snap.capture_url(server, "2023-07-22", "upto", height=560)
        png = snap.shoot(page, url, "2023-07-22", timeout_ms=30_000)
        frame = page.query_selector(snap.MAP_IFRAME).content_frame()
        box = frame.evaluate(LEGEND_BOX)
        assert box["inside"] and box["share"] < LEGEND_SHARE, box
        assert frame.eval_on_selector(".nm-legend", "n => n.classList.contains("
                                      "'nm-legend-compact')")
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "narrow-export-800.png").write_bytes(png)
    finally:
        page.context.close()
    # a wide picture keeps the full legend, one category a row
    page = snap.capture_page(browser, 1400, 900)
    try:
        url = snap.capture_url(server, "2023-07-22", "upto", height=900)
        snap.shoot(page, url, "2023-07-22", timeout_ms=30_000)
        frame = page.query_selector(snap.MAP_IFRAME).content_frame()
        box = frame.evaluate(LEGEND_BOX)
        assert box["rows"] == len(box["names"]) and box["inside"]
        assert not frame.eval_on_selector(".nm-legend", "n => n.classList.contains("
                                          "'nm-legend-compact')")
    finally:
        page.context.close()
