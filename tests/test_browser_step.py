"""Stepping in the browser, in headless Chromium (Debian's /usr/bin/chromium via playwright):
Previous / Next / Play are handled by the map's own script when the step is at hand; the map,
the feed, the slider, the buttons and the URL change in the same task, and the server follows
(its feed, its session). Synthetic events (tests/browser_app.py). No timing assertions: what
is checked is what the page shows at a given moment, not how fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import XSS

from geo import snapshot as snap
from geo.timeline import date_label, short_label

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# In one task: press a button the way a click does, then read what the page shows.
PRESS = """sel => {
  document.querySelector(sel).click();
  const f = document.querySelector("IFRAME").contentDocument;
  const head = [...document.querySelectorAll('.nm-feed-head')].find(n => n.offsetParent);
  return {
    banner: f.querySelector('.nm-banner-date').textContent,
    feed: head.firstChild.textContent.trim(),
    slider: document.querySelector('.stSlider [data-testid=stSliderThumbValue]').textContent,
    local: !!document.querySelector('.st-key-feed > .nm-feed-local'),
    next_disabled: document.querySelector('.st-key-next button').disabled,
    prev_disabled: document.querySelector('.st-key-prev button').disabled,
    url: location.search,
    cards: [...document.querySelectorAll('.nm-card')].filter(n => n.offsetParent)
      .map(n => n.getAttribute('data-nm-id')),
  };
}""".replace("IFRAME", snap.MAP_IFRAME)

# The server's feed names the step it shows; caught up = it is the map's step.
CAUGHT_UP = """() => {
  const nm = document.querySelector("IFRAME").contentWindow.NM;
  const end = document.querySelector('.st-key-feed .nm-feed-end');
  return !!end && !!nm.nav.shown && end.dataset.nmFeed === nm.nav.shown._data.feed.key
    && !document.querySelector('.nm-feed-local');
}""".replace("IFRAME", snap.MAP_IFRAME)


def open_view(page, server, date, mode):
    page.goto(snap.view_url(server, date, mode, snapshot=False), wait_until="domcontentloaded")
    return snap.wait_for_view(page, date)


def caught_up(page):
    page.wait_for_function(CAUGHT_UP, timeout=20_000)


def test_next_and_previous_change_map_feed_slider_and_url_in_one_task(page, server):
    frame = open_view(page, server, "2023-07-20", "date")
    frame.evaluate("document.querySelector('#map_div').dataset.probe = 'kept'")
    seen = page.evaluate(PRESS, ".st-key-next button")
    want = "2023-07-21"
    assert seen["banner"] == seen["feed"] == date_label(want)
    assert seen["slider"] == short_label(want)
    assert "date=" + want in seen["url"]
    assert seen["local"]  # drawn by the page from the map's payload, the server not asked yet
    assert not seen["next_disabled"] and not seen["prev_disabled"]
    # the server follows: its own feed shows the step, and stands in again
    caught_up(page)
    assert page.locator(".nm-card:visible").evaluate_all(
        "ns => ns.map(n => n.getAttribute('data-nm-id'))") == seen["cards"]
    assert frame.evaluate("document.querySelector('#map_div').dataset.probe") == "kept"
    # the last date: Next is disabled at once
    seen = page.evaluate(PRESS, ".st-key-next button")
    assert seen["banner"] == seen["feed"] == date_label("2023-07-22")
    assert seen["next_disabled"] and not seen["prev_disabled"]
    caught_up(page)
    assert page.get_by_role("button", name="Next ▶").is_disabled()
    # back twice, quicker than the server: each press is the map's
    for want in ("2023-07-21", "2023-07-20"):
        seen = page.evaluate(PRESS, ".st-key-prev button")
        assert seen["banner"] == seen["feed"] == date_label(want), seen
    caught_up(page)
    # the server has the date: a reload opens it
    page.wait_for_function("() => location.search.includes('date=2023-07-20')")
    page.reload(wait_until="domcontentloaded")
    snap.wait_for_view(page, "2023-07-20")
    assert page.errors == []


def test_hostile_text_in_the_browsers_feed_stays_text(page, server):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_view(page, server, "2023-06-29", "date")
    seen = page.evaluate(PRESS, ".st-key-next button")  # to 20 July: e3 and e4 carry XSS
    assert seen["local"]
    local = page.locator(".nm-feed-local")
    assert XSS in local.inner_text()
    assert local.locator("img, script").count() == 0
    caught_up(page)
    assert dialogs == [] and page.errors == []


def test_review_from_the_browsers_feed_opens_the_dialog(page, server):
    open_view(page, server, "2023-07-21", "date")
    # in the task of the step, before the server's feed is there: the review waits for it
    page.evaluate("sel => { document.querySelector(sel).click();"
                  " document.querySelector('.nm-feed-local .nm-rv-wrap button').click(); }",
                  ".st-key-next button")
    page.get_by_role("dialog").wait_for(timeout=20_000)
    assert "Review an event" in page.get_by_role("dialog").inner_text()


# At every painted frame: does the feed's visible heading (and the slider) show the map's date?
WATCH = """() => {
  const s = window.__nmw = {frames: 0, feed: 0, slider: 0, dates: []};
  const norm = t => t.trim().split(/\\s+/).map(w => w.slice(0, 3)).join(' ');
  const tick = () => {
    const f = document.querySelector("IFRAME").contentDocument;
    const md = f.querySelector('.nm-banner-date');
    const head = [...document.querySelectorAll('.nm-feed-head')].find(n => n.offsetParent);
    const sv = document.querySelector('.stSlider [data-testid=stSliderThumbValue]');
    if (md && head && md.textContent !== head.firstChild.textContent.trim()) s.feed += 1;
    if (md && sv && norm(md.textContent) !== norm(sv.textContent)) s.slider += 1;
    if (md && s.dates[s.dates.length - 1] !== md.textContent) s.dates.push(md.textContent);
    s.frames += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}""".replace("IFRAME", snap.MAP_IFRAME)


def test_play_shows_map_feed_and_slider_together_and_stops_at_the_end(page, server):
    open_view(page, server, "2021-11-05", "date")
    page.locator(".st-key-speed input").first.click()
    page.get_by_role("option", name="0.5 s", exact=True).click()
    caught_up(page)
    page.wait_for_timeout(500)
    page.evaluate(WATCH)
    page.get_by_role("button", name="▶ Play").click()
    page.locator(".st-key-play button p", has_text="Pause").wait_for(timeout=10_000)
    page.get_by_role("button", name="▶ Play").wait_for(timeout=30_000)  # stopped at the end
    caught_up(page)
    page.wait_for_timeout(1000)
    s = page.evaluate("window.__nmw")
    assert s["dates"] == [date_label(d) for d in ("2021-11-05", "2023-06-29", "2023-07-20",
                                                  "2023-07-21", "2023-07-22")]
    assert s["feed"] == 0 and s["slider"] == 0, s
    assert "date=2023-07-22" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "step-play-end.png"))
    assert page.errors == []


def test_the_exported_file_draws_its_step_without_the_dashboard(browser, tmp_path):
    from conftest import make_events

    from geo import mapview
    from geo.timeline import Shown

    evs = make_events()
    shown = [Shown(e, True) for e in evs if e.date == "2023-07-22"]
    out = tmp_path / "map.html"
    out.write_text(mapview.standalone_html(evs, shown, "2023-07-22", "date"), "utf-8")
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    try:
        pg = ctx.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(out.as_uri())
        pg.wait_for_function("() => document.querySelector('.nm-banner-date')?.textContent"
                             " === '22 July 2023'", timeout=20_000)
        assert pg.evaluate("NM.nav === undefined && !!NM.current")  # no stepping here
        assert pg.locator(".nm-marker").count() == 3  # e6, e7, e8 (e9 has no place)
        assert errors == []
    finally:
        ctx.close()


def test_a_step_the_server_takes_shows_map_and_feed_together(page, server):
    # the slider moved with the keyboard: Streamlit's own path (a run draws the feed and the
    # map one after the other); the feed shown follows the map at every painted frame
    open_view(page, server, "2023-07-22", "date")
    page.evaluate(WATCH)
    page.locator(".st-key-date .stSlider input").first.focus()
    for want in ("2023-07-21", "2023-07-20"):
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            "t => document.querySelector(\"IFRAME\").contentDocument"
            ".querySelector('.nm-banner-date').textContent === t".replace(
                "IFRAME", snap.MAP_IFRAME), arg=date_label(want), timeout=20_000)
        caught_up(page)
    s = page.evaluate("window.__nmw")
    assert s["dates"][-1] == date_label("2023-07-20")
    assert s["feed"] == 0, s
