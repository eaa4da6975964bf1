"""The per-date chart in headless Chromium: to scale in time, a click on a bar steps there.

Synthetic events (tests/browser_app.py): dates 2021-11-05 and four days in July 2023, so
on a time axis the 2021 bar stands far to the left of four bars close together. The chart
is a Vega-Lite canvas: bars are found by their colour in a screenshot of it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from geo import snapshot as snap
from geo.timeline import date_label

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHART = "[data-testid='stVegaLiteChart']"
GREY, RED = (0x9C, 0xA3, 0xAF), (0xD6, 0x27, 0x28)


def bar_columns(png: bytes, rgb) -> list[tuple[int, int]]:
    """(first x, last x) of each run of columns holding pixels of the bar colour."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = im.size
    px = im.load()
    # a bar is a run of columns with several pixels of its colour above the axis labels
    cols = [sum(all(abs(a - b) <= 6 for a, b in zip(px[x, y], rgb, strict=True))
                for y in range(h - 22)) >= 8 for x in range(w)]
    runs, start = [], None
    for x, on in enumerate([*cols, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            runs.append((start, x - 1))
            start = None
    return runs


def bar_middle(png: bytes, x: int, rgb) -> float:
    """The middle row of the bar colour in column ``x``."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    ys = [y for y in range(im.size[1])
          if all(abs(a - b) <= 6 for a, b in zip(im.getpixel((x, y)), rgb, strict=True))]
    return (ys[0] + ys[-1]) / 2


def test_bars_are_to_scale_and_a_click_changes_the_date(page, server):
    page.goto(snap.view_url(server, "2023-07-22", "upto", snapshot=False),
              wait_until="domcontentloaded")
    frame = snap.wait_for_view(page, "2023-07-22")
    page.wait_for_selector(CHART + " canvas, " + CHART + " svg", timeout=20_000)
    page.wait_for_timeout(500)
    box = page.query_selector(CHART).bounding_box()
    png = page.query_selector(CHART).screenshot()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "chart-before.png").write_bytes(png)
    png_before = png
    grey, red = bar_columns(png, GREY), bar_columns(png, RED)
    assert len(red) == 1 and len(grey) >= 2, (grey, red)
    # to scale: the 2021 bar is far left of the July 2023 ones, which sit close together
    first, rest = grey[0], grey[1:] + red
    gaps = [b[0] - a[1] for a, b in zip(rest, rest[1:], strict=False)]
    assert rest[0][0] - first[1] > 10 * max(gaps + [1]), (grey, red)
    # a click on the 2021 bar steps there: the map's banner and the URL follow
    x = (first[0] + first[1]) // 2
    page.mouse.click(box["x"] + x, box["y"] + bar_middle(png_before, x, GREY))
    frame.wait_for_function("t => document.querySelector('.nm-banner-date')?.textContent === t",
                            arg=date_label("2021-11-05"), timeout=20_000)
    page.wait_for_function("() => location.search.includes('date=2021-11-05')", timeout=10_000)
    page.wait_for_timeout(800)
    png = page.query_selector(CHART).screenshot()
    (ARTIFACTS / "chart-after.png").write_bytes(png)
    red = bar_columns(png, RED)
    assert len(red) == 1 and abs(red[0][0] - first[0]) <= 3  # the clicked bar is now the red one
    assert page.errors == []


def test_an_800_px_window_stacks_the_feed_below_a_full_width_map(browser, server):
    ctx = browser.new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(snap.view_url(server, "2023-07-22", "upto", snapshot=False),
                  wait_until="domcontentloaded")
        snap.wait_for_view(page, "2023-07-22")
        page.wait_for_timeout(500)
        m = page.query_selector(snap.MAP_IFRAME).bounding_box()
        feed = page.query_selector(".nm-feed-head").bounding_box()
        main = page.query_selector("[data-testid='stMainBlockContainer']").bounding_box()
        assert m["width"] >= main["width"] - 80, (m, main)  # the map has the whole width
        assert feed["y"] >= m["y"] + m["height"] - 1  # the feed is below it
        # no button's text is cut
        cut = page.eval_on_selector_all(
            "[data-testid='stMainBlockContainer'] button",
            "bs => bs.filter(b => b.offsetWidth && b.scrollWidth > b.clientWidth + 1)"
            ".map(b => b.textContent)")
        assert cut == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "layout-800.png"), full_page=True)
    finally:
        ctx.close()
