"""Pin labels at city zoom, in headless Chromium (Debian's /usr/bin/chromium via playwright).

From zoom 11 on each spot's pins carry one text label with the place's short name, placed
so that no two labels overlap; below it there are none. Synthetic events (tests/browser_app.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import snapshot as snap

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def set_view(frame, lat, lon, zoom) -> None:
    frame.evaluate("([lat, lon, z]) => { map.setView([lat, lon], z, {animate: false}); }",
                   [lat, lon, zoom])
    frame.wait_for_timeout(400)


def labels(frame) -> list[dict]:
    return frame.eval_on_selector_all(
        ".nm-pin-label", "ls => ls.map(l => { const b = l.getBoundingClientRect();"
        " return {text: l.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom,"
        " color: getComputedStyle(l).color, shadow: getComputedStyle(l).textShadow,"
        " size: parseFloat(getComputedStyle(l).fontSize)}; })")


def overlap(a, b) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def test_pins_carry_place_labels_at_city_zoom_only(page, server):
    page.goto(snap.view_url(server, "2023-07-22", "upto", snapshot=False),
              wait_until="domcontentloaded")
    frame = snap.wait_for_view(page, "2023-07-22")
    set_view(frame, 33.30, 44.39, 13)
    labs = labels(frame)
    texts = [x["text"] for x in labs]
    assert any("Jumhuriya" in t for t in texts), texts
    assert any("Green Zone" in t for t in texts), texts
    assert any("Swedish embassy" in t for t in texts), texts
    # the Green Zone's three pins (e1, e7, e8) share one label
    assert sum("Green Zone" in t for t in texts) == 1
    for i, a in enumerate(labs):
        assert 11 <= a["size"] <= 12 and a["shadow"] not in ("", "none")
        for b in labs[i + 1:]:
            assert not overlap(a, b), (a, b)
    # labels sit in a pane below the popups and tooltips
    z = frame.evaluate("['nmPinLabels', 'popupPane', 'tooltipPane', 'markerPane']"
                       ".map(p => +getComputedStyle(map.getPane(p)).zIndex)")
    assert z[3] < z[0] < z[2] < z[1]
    # no label sits under the date banner
    banner = frame.eval_on_selector(".nm-banner", "n => { const b = n.getBoundingClientRect();"
                                    " return {x0: b.left, y0: b.top, x1: b.right, y1: b.bottom}; }")
    assert not any(overlap(a, banner) for a in labs)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "labels-zoom13.png"))

    # an open popup is drawn above every label it covers
    frame.evaluate("NM.current._markers.find(m => m.nm.id === 'e7').openPopup() && null")
    frame.wait_for_selector(".leaflet-popup .nm-popup-title")
    frame.wait_for_timeout(400)
    covered = frame.evaluate(
        "() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();"
        " return [...document.querySelectorAll('.nm-pin-label')].map(l => {"
        " const b = l.getBoundingClientRect(), x = (b.left + b.right) / 2,"
        " y = (b.top + b.bottom) / 2;"
        " if (x < p.left || x > p.right || y < p.top || y > p.bottom) return null;"
        " return !!document.elementFromPoint(x, y).closest('.leaflet-popup'); })"
        ".filter(v => v !== null); }")
    assert all(covered), covered
    page.screenshot(path=str(ARTIFACTS / "labels-popup.png"))
    frame.evaluate("map.closePopup() && null")

    # the labels are text, never markup
    assert frame.eval_on_selector_all(".nm-pin-label *", "ns => ns.length") == 0

    set_view(frame, 33.30, 44.39, 6)
    assert labels(frame) == []
    # back in: they come back (recomputed on zoomend)
    set_view(frame, 33.30, 44.39, 13)
    assert any("Jumhuriya" in x["text"] for x in labels(frame))
    assert page.errors == []
