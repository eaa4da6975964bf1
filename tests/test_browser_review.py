"""Review in headless Chromium: edit a place and a date, remove, add from a sentence, undo;
a new server process on the same data folder (and a new extractor version) shows them
kept; two browser sessions editing at once lose nothing. Screenshots go to artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from geo import snapshot as snap

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(snap.CHROMIUM).exists(), reason="needs /usr/bin/chromium"),
]

HERE = Path(__file__).resolve().parent
APP = HERE / "browser_review_app.py"
ARTIFACTS = HERE.parent / "artifacts"
DIALOG = '[role="dialog"]'


def open_view(page, server, date, mode="date"):
    page.goto(snap.view_url(server, date, mode, snapshot=False), wait_until="domcontentloaded")
    snap.wait_for_view(page, date)
    page.wait_for_selector(".nm-card")


def card(page, text: str):
    return page.locator(".nm-card", has_text=text)


def gone(page, text: str) -> None:
    """No card of that text is left; while a rerun replaces the feed, Streamlit may show
    the old copy of a card beside the new one (two matches), which ``wait_for`` refuses."""
    expect(card(page, text)).to_have_count(0, timeout=30_000)


def idle(page):
    """The script run is over (a click while it runs may be taken by the next run)."""
    page.wait_for_selector("[data-testid='stStatusWidget']", state="detached",
                           timeout=30_000)


def open_review(page, event_id: str, attempts: int = 3):
    """Click the card's review button until the dialog opens: a click that lands just as
    a rerun starts (the status widget not shown yet) is taken by that run and lost."""
    for attempt in range(attempts):
        idle(page)
        page.locator(f".st-key-rv_open_{event_id} button:visible").first.click()
        try:
            page.wait_for_selector(DIALOG, timeout=15_000)
            break
        except Exception:
            if attempt == attempts - 1:
                shot(page, f"review-open-{event_id}-stuck.png")
                raise
    idle(page)
    return page.locator(DIALOG)


def act(page, event_id: str, button: str, card_text: str, then: str):
    """Press a review button of one event; wait for its card to say ``then``."""
    open_review(page, event_id).get_by_role("button", name=button).click()
    closed(page)
    page.wait_for_function(
        "([text, then]) => [...document.querySelectorAll('.nm-card')].some("
        "c => c.textContent.includes(text) && c.textContent.includes(then))",
        arg=[card_text, then])


def fill(dialog, key: str, value: str):
    box = dialog.locator(f".st-key-{key} input, .st-key-{key} textarea").first
    box.fill(value)


def choose(page, dialog, label: str, value: str):
    """Streamlit's selectbox (a combobox): type to filter, click the option. A rerun that
    lands while the list is open redraws the dialog and takes the list away (it failed so in
    a fresh-clone CI run): then open it again."""
    for attempt in range(3):
        box = dialog.get_by_role("combobox", name=label)
        box.click()
        box.fill(value)
        try:
            page.get_by_role("option").filter(has_text=value).first.click(timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            idle(page)


def closed(page):
    try:
        page.wait_for_selector(DIALOG, state="detached", timeout=30_000)
    except Exception:
        shot(page, "review-dialog-stuck.png")  # what kept it open
        raise


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def badge(page, text: str) -> str:
    return card(page, text).locator(".nm-rv").first.text_content()


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_review_actions_survive_a_restart_and_a_new_extractor(browser, home):
    env = {"NEWSMAP_HOME": str(home), "NEWSMAP_ONLINE": "0"}
    with snap.serve(APP, env=env) as server:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # edit the place and the date of e3 (20 July, the Swedish embassy)
        open_view(page, server, "2023-07-20")
        dialog = open_review(page, "e3")
        shot(page, "review-dialog-1400.png")
        fill(dialog, "rv_date_e3", "2023-07-21")
        fill(dialog, "rv_e3_pname", "Baghdad")
        dialog.get_by_role("button", name="Save changes").click()
        closed(page)
        gone(page, "Protesters storm the Swedish embassy")
        # place e4 at a point picked on the map: the dialog closes, a click on the map
        # reopens it with that point
        dialog = open_review(page, "e4")
        dialog.get_by_role("button", name="Pick the point on the map").click()
        closed(page)
        page.get_by_text("Click the map where").wait_for()
        idle(page)
        # the rerun into picking mode may show the old map beside the new one for a moment
        page.wait_for_function("s => document.querySelectorAll(s).length === 1",
                               arg=snap.MAP_IFRAME, timeout=20_000)
        frame_el = page.locator(snap.MAP_IFRAME)
        frame_el.wait_for()
        snap.map_frame(page)
        box = frame_el.bounding_box()
        # an empty spot: clear of the banner (top), the legend (bottom left) and the pins
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.42)
        page.wait_for_selector(DIALOG)
        idle(page)
        page.wait_for_timeout(1500)  # the map's last report (debounced) may rerun once more
        idle(page)
        lat = page.locator(f"{DIALOG} .st-key-rv_e4_lat input").input_value()
        lon = page.locator(f"{DIALOG} .st-key-rv_e4_lon input").input_value()
        assert lat and lon, (lat, lon)
        page.locator(DIALOG).get_by_role("button", name="Save changes").click()
        closed(page)
        e4 = card(page, "Iraq expels the Swedish ambassador")
        e4.locator(".nm-rv-edited").wait_for()
        assert f"{float(lat):.5f}, {float(lon):.5f}" in e4.text_content()
        assert "exact place" in e4.text_content()
        open_view(page, server, "2023-07-21")
        assert "edited" in badge(page, "Protesters storm the Swedish embassy")
        assert "Baghdad" in card(page, "Protesters storm").text_content()
        # remove e7 as a duplicate
        open_view(page, server, "2023-07-22")
        dialog = open_review(page, "e7")
        dialog.get_by_role("tab", name="Remove").click()
        dialog.get_by_text("duplicate", exact=True).click()
        dialog.get_by_role("button", name="Remove this event").click()
        closed(page)
        gone(page, "Attempt to storm the Green Zone")
        # add the event the extractor missed, from its sentence in the article viewer
        page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary',
                     has_text="Review").click()
        page.locator(".st-key-rv_add_open button:visible").first.click()
        dialog = page.locator(DIALOG)
        dialog.wait_for()
        idle(page)
        choose(page, dialog, "Article", "2023-07-22_green")
        idle(page)
        dialog.locator("mark.nm-ev").first.wait_for()
        choose(page, dialog, "Evidence sentence (★ already gave an event)", "Police fired")
        idle(page)
        fill(dialog, "rv_add_date", "2023-07-22")
        fill(dialog, "rv_add_pname", "Tahrir Square")
        fill(dialog, "rv_add_near", "Baghdad")
        fill(dialog, "rv_add_title", "Police fire tear gas")
        shot(page, "review-add-1400.png")
        dialog.get_by_role("button", name="Add the event").click()
        closed(page)
        card(page, "Police fire tear gas").wait_for()
        assert "added" in badge(page, "Police fire tear gas")
        # confirm e8, then undo that
        act(page, "e8", "✓ Confirm", "Foreign ministry statement", "confirmed")
        act(page, "e8", "↶ Undo last change", "Foreign ministry statement", "automatic")
        shot(page, "review-feed-1400.png")
        assert not errors, errors

    # a new server process on the same folder, with a new extractor version
    with snap.serve(APP, env={**env, "NEWSMAP_TEST_VERSION": "2"}) as server:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        open_view(page, server, "2023-07-21")
        assert "edited" in badge(page, "Protesters storm the Swedish embassy (v2)")
        open_view(page, server, "2023-07-22")
        assert card(page, "Attempt to storm the Green Zone").count() == 0
        assert "added" in badge(page, "Police fire tear gas")
        assert "automatic" in badge(page, "Foreign ministry statement (v2)")

        # the popup reaches review too: its button presses the card's Review
        frame = snap.map_frame(page)
        card(page, "Protesters blocked at the Jumhuriya bridge (v2)").click()
        frame.wait_for_function("() => document.querySelector('#map_div').dataset.nmPopup"
                                " === 'v2e6'", timeout=10_000)
        frame.locator(".leaflet-popup .nm-review-btn").click()
        page.wait_for_selector(DIALOG)
        assert "Protesters blocked" in page.locator(DIALOG).text_content()
        page.locator(DIALOG).get_by_role("button", name="Close").click()
        closed(page)

        # two sessions at once: each opens a dialog, both confirm; nothing is lost
        other = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
        open_view(other, server, "2023-07-22")
        d1 = open_review(page, "v2e6")
        d2 = open_review(other, "v2e8")
        d1.get_by_role("button", name="✓ Confirm").click()
        d2.get_by_role("button", name="✓ Confirm").click()
        closed(page)
        closed(other)
        open_view(page, server, "2023-07-22")
        assert "confirmed" in badge(page, "Protesters blocked at the Jumhuriya bridge (v2)")
        assert "confirmed" in badge(page, "Foreign ministry statement (v2)")
