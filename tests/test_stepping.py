"""Stepping in the browser, the server's half (AppTest, synthetic events): each step's
payload carries its feed and its neighbours' payloads, the server's feed names the step it
shows, and the map's report of a step taken in the browser moves the session once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import EVENT_DATES, XSS, run_app
from streamlit.testing.v1 import AppTest

from geo import mapview, timeline

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def payload(at: AppTest) -> dict:
    for el in at.main:
        proto = getattr(el, "proto", None)
        if proto is not None and "feature_group" in getattr(proto, "json_args", ""):
            [p] = mapview.payload_from_script(json.loads(proto.json_args)["feature_group"])
            return p
    raise AssertionError("no map in the page")


def feed_keys(at: AppTest) -> list[str]:
    """The data-nm-feed keys of the server's feed (its heading and its end marker)."""
    return [k for m in at.markdown for k in re.findall(r'data-nm-feed="([^"]+)"', m.value)]


def server_card_ids(at: AppTest) -> list[str]:
    return [re.search(r'data-nm-id="([^"]+)"', m.value).group(1) for m in at.markdown
            if m.value.startswith('<div class="nm-card"') and "data-nm-id" in m.value]


def test_a_step_carries_its_feed_and_its_neighbours(fake_pipeline):
    at = run_app({"date": "2023-07-20", "mode": "date"})
    p = payload(at)
    assert p["nav"] == {"date": "2023-07-20", "i": 2, "n": len(EVENT_DATES),
                        "short": timeline.short_label("2023-07-20"),
                        "prev": "2023-06-29", "next": "2023-07-21"}
    assert [a["date"] for a in p["live"]["ahead"]] == ["2023-06-29", "2023-07-21",
                                                      "2023-07-22"]
    assert p["live"]["playing"] is False and p["live"]["interval"] == 1.0
    # the feed the browser would draw is the server's: same cards, same step key
    feed = p["feed"]
    assert feed["head"] == "20 July 2023" and feed["count"] == "2 events"
    assert [c["id"] for c in feed["cards"] if c["located"]] == server_card_ids(at)
    assert feed_keys(at) == [feed["key"], feed["key"]]  # heading and end marker
    assert feed["key"] == f"2023-07-20|date|{p['view_key']}#{p['rev']}"
    # a neighbour's payload is the one the server sends when it steps there
    ahead = {a["date"]: a for a in p["live"]["ahead"]}
    at.button(key="next").click().run()
    there = payload(at)
    assert there["date"] == "2023-07-21"
    assert {k: v for k, v in there.items() if k != "live"} == ahead["2023-07-21"]
    assert feed_keys(at) == [ahead["2023-07-21"]["feed"]["key"]] * 2


def test_the_ends_send_only_the_neighbours_there_are(fake_pipeline):
    at = run_app({"date": EVENT_DATES[-1], "mode": "upto"})
    p = payload(at)
    assert p["nav"]["next"] is None and p["nav"]["prev"] == EVENT_DATES[-2]
    assert [a["date"] for a in p["live"]["ahead"]] == [EVENT_DATES[-2]]
    at = run_app({"date": EVENT_DATES[0], "mode": "upto"})
    assert [a["date"] for a in payload(at)["live"]["ahead"]] == EVENT_DATES[1:3]


def test_the_feed_in_all_dates_mode_lists_the_undated_too(fake_pipeline):
    at = run_app({"date": "2023-07-22", "mode": "all"})
    feed = payload(at)["feed"]
    assert feed["undated_note"] == "" and feed["undated"] == []  # conftest: none undated
    at = run_app({"date": "2023-07-22", "mode": "date"})
    assert payload(at)["feed"]["cards"][-1]["located"] is False  # e9, the unlocated one


def test_feed_cards_are_plain_data_and_leave_the_server_escaped(fake_pipeline):
    at = run_app({"date": "2023-07-20", "mode": "date"})
    p = payload(at)
    titles = [c["title"] for c in p["feed"]["cards"]]
    assert "Iraq expels the Swedish ambassador " + XSS in titles  # text, as found
    script = next(json.loads(el.proto.json_args)["feature_group"] for el in at.main
                  if "feature_group" in getattr(getattr(el, "proto", None), "json_args", ""))
    assert "<script>" not in script and "<img" not in script  # escaped inside the JSON


def test_a_report_from_the_map_moves_the_date_once():
    dates = EVENT_DATES
    state = {"date": "2023-07-20", "playing": False}
    rep = {"date": "2023-07-22", "playing": True, "n": 3}
    assert mapview.apply_nav_report(state, rep, dates)
    assert state["date"] == "2023-07-22" and state["playing"] and state["_nav_seen"] == 3
    # the same report again (any later run carries the map's value): nothing happens
    state["date"] = "2023-06-29"  # e.g. the slider moved since
    assert not mapview.apply_nav_report(state, rep, dates)
    assert state["date"] == "2023-06-29"
    # a new report wins over the slider's value of the same run (the page's, maybe older)
    assert mapview.apply_nav_report(state, {"date": "2023-07-21", "playing": False, "n": 4},
                                    dates)
    assert state["date"] == "2023-07-21" and state["_nav_seen"] == 4 and not state["playing"]
    # an unknown date is not taken; one date is no play
    assert mapview.apply_nav_report(state, {"date": "1999-01-01", "playing": True, "n": 5},
                                    dates[:1])
    assert state["date"] == "2023-07-21" and not state["playing"]
    assert not mapview.apply_nav_report(state, None, dates)


def test_nav_report_is_read_from_the_maps_value():
    item = {"name": json.dumps({"date": "2023-07-21", "playing": False, "n": 1}),
            "url": mapview.NAV_URL}
    base = {"name": "offline", "url": "nm-base"}
    assert mapview.nav_report({"selected_layers": [base, item]})["date"] == "2023-07-21"
    assert mapview.nav_report({"selected_layers": [base]}) is None
    assert mapview.nav_report(None) is None
    bad = {"name": "{not json", "url": mapview.NAV_URL}
    assert mapview.nav_report({"selected_layers": [bad]}) is None


def test_the_standalone_file_adds_its_step_without_the_dashboard(fake_pipeline):
    from conftest import make_events

    from geo.timeline import Shown

    evs = make_events()
    html = mapview.standalone_html(evs, [Shown(e, True) for e in evs[:3]], "2023-07-20", "date")
    # NM.addStep adds the layer to its group when there is no page to step with
    assert "NM.addStep(new NM.StepLayer(" in html and "NM.addStep = function" in html
