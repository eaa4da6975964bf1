"""Links and feeds in the real dashboard, in headless Chromium, against the local news site
(tests/web_stub.py) and the real pipeline: paste a URL, see its events on the map with a
working link to the article; watch a feed and see new events arrive without a reload, marked
"new". Screenshots go to artifacts/ (1400, 1024 and 800 px wide).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from web_stub import MOROCCO, NIAMEY, WebStub

from geo import snapshot as snap

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def site():
    stub = WebStub(slow_s=3.0).start()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory, site):
    """The real dashboard over no articles of its own (an empty folder), with its own home."""
    home = tmp_path_factory.mktemp("web-home")
    empty = tmp_path_factory.mktemp("no-articles")
    env = {"NEWSMAP_HOME": str(home), "NEWSMAP_ONLINE": "0", "NEWSMAP_PATHS": str(empty),
           "NEWSMAP_FETCH_INTERVAL": "0"}
    with snap.serve(ROOT / "dashboard.py", env=env, timeout=90) as base:
        yield base, home


def shots(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1400, 1024, 800):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(600)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1400, "height": 900})


def view(page, date: str | None):
    """The map frame once it shows ``date``. A rerun may replace the frame while we wait
    (the page was still settling): then wait for the new one."""
    for attempt in range(3):
        try:
            return snap.wait_for_view(page, date, timeout_ms=90_000)
        except Exception as exc:  # playwright's Error: "Frame was detached"
            if "detached" not in str(exc) or attempt == 2:
                raise
            page.wait_for_timeout(500)
    return None


def open_sidebar_section(page, title: str) -> None:
    page.get_by_text(title, exact=True).click()


def test_paste_a_link_and_follow_it_from_card_and_popup(browser, app, site):
    base, _home = app
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base, wait_until="domcontentloaded")
    view(page, None)
    open_sidebar_section(page, "Add articles")
    box = page.get_by_role("textbox", name="Paste links to articles")
    box.fill(f"{site.url(NIAMEY)}\n{site.url('/missing')}")
    page.get_by_role("button", name="Read links").click()
    page.get_by_text("Added The Daily Courier: Protesters attack French embassy").wait_for(
        timeout=60_000)
    failed = page.locator("[data-testid='stSidebar'] [data-testid='stAlert']",
                          has_text="HTTP 404 Not Found")
    failed.wait_for()
    # shown as typed (no Markdown escapes visible), and no link made of the address
    assert failed.inner_text().replace("\u2060", "") == (
        f"Not added: {site.url('/missing')}: HTTP 404 Not Found")
    assert page.locator("[data-testid='stSidebar'] [data-testid='stAlert'] a").count() == 0

    # its events are on the map, and each card links to the article
    frame = view(page, "2023-07-30")
    card = page.locator(".nm-card", has_text="Niamey").first
    card.wait_for(timeout=30_000)
    link = card.locator("a.nm-src-link").first
    assert link.get_attribute("href") == site.url(NIAMEY)
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert "The Daily Courier" in link.inner_text()
    n_pins = frame.evaluate("NM.current._markers.length")
    assert n_pins >= 1
    shots(page, "web-pasted-link")

    # the link works: a new tab with the article, and this page stays where it was
    with ctx.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    assert article.url == site.url(NIAMEY)
    assert "Protesters attack French embassy in Niamey" in article.title()
    assert article.evaluate("window.opener") is None  # noopener
    article.close()

    # the card (not its link) opens the popup, which links to the article too
    card.locator(".nm-card-title").click()
    frame.wait_for_selector(".leaflet-popup a.nm-article-link", timeout=10_000)
    pop = frame.locator(".leaflet-popup a.nm-article-link").first
    assert pop.get_attribute("href") == site.url(NIAMEY)
    assert pop.get_attribute("rel") == "noopener noreferrer"
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "web-popup-link-1400.png"))
    assert errors == []
    ctx.close()


def test_watch_shows_new_events_without_a_reload(browser, app, site):
    base, home = app
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.goto(base, wait_until="domcontentloaded")
    view(page, None)
    page.evaluate("window.__nm_same_page = true")
    open_sidebar_section(page, "Feeds and live watch")
    page.get_by_role("textbox", name="Feed or page to watch").fill(site.url("/feed.xml"))
    page.get_by_role("button", name="Add feed").click()
    page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']",
                 has_text="/feed.xml").wait_for(timeout=20_000)
    assert page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer'] a"
                        ).count() == 0
    page.get_by_text("Watch", exact=True).click()  # the toggle: polls at once
    page.get_by_text("Last poll").wait_for(timeout=30_000)
    assert site.hits(NIAMEY) >= 1  # the pasted article's page, or the feed's entry

    # another watch (here: the same poll `python -m geo watch` runs) reads a new entry; the
    # open page shows it within its check interval, without a reload, marked new
    site.add_item(MOROCCO, "Morocco earthquake live")
    env = dict(os.environ)
    os.environ.update({"NEWSMAP_HOME": str(home)})
    try:
        from geo.web import watch
        from geo.web.fetch import Fetcher

        polled = watch.poll([site.url("/feed.xml")], Fetcher(min_interval=0))
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert [a.url for a in polled.new] == [site.url(MOROCCO)]
    page.locator(".nm-h1 .nm-new").wait_for(timeout=40_000)
    assert page.evaluate("window.__nm_same_page") is True  # no reload
    header = page.locator(".nm-h1").inner_text()
    assert "new since you looked" in header
    # the map stays on the date the user chose; the new events are on a later date
    page.goto(snap.view_url(base, "2023-09-08", "date", snapshot=False))
    frame = view(page, "2023-09-08")
    new_card = page.locator(".nm-card", has=page.locator(".nm-chip-new")).first
    new_card.wait_for(timeout=20_000)
    assert new_card.locator("a.nm-src-link").first.get_attribute("href") == site.url(MOROCCO)
    assert frame.evaluate("NM.current._markers.length") >= 1
    shots(page, "web-watch-new")

    page.get_by_role("button", name="Mark as seen").click()
    page.locator(".nm-h1 .nm-new").wait_for(state="detached", timeout=20_000)
    # a rerun redraws the page top-down: the cards below the header lose their chips a moment
    # after the header does, so wait for the last chip to go rather than count at once
    page.locator(".nm-chip-new").first.wait_for(state="detached", timeout=20_000)
    assert page.locator(".nm-chip-new").count() == 0
    ctx.close()
