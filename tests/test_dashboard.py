"""The dashboard in Streamlit's AppTest, on synthetic events through a fake pipeline.

The map is checked through what streamlit-folium sends to the browser: the step's
FeatureGroup script, whose payload lists the marker ids.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EVENT_DATES
from streamlit.testing.v1 import AppTest

from geo import mapview, timeline

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def run_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def folium_args(at: AppTest) -> dict:
    for el in at.main:
        proto = getattr(el, "proto", None)
        if proto is not None and "feature_group" in getattr(proto, "json_args", ""):
            return json.loads(proto.json_args)
    raise AssertionError("no map in the page")


def marker_ids(at: AppTest) -> list[str]:
    [payload] = mapview.payload_from_script(folium_args(at)["feature_group"])
    return [m["id"] for m in payload["markers"]]


def slider_value(at: AppTest) -> str:
    return at.select_slider(key="date").value


def test_slider_options_are_the_event_dates(fake_pipeline):
    at = run_app()
    assert at.select_slider(key="date").options == [timeline.short_label(d)
                                                     for d in EVENT_DATES]
    assert slider_value(at) == EVENT_DATES[-1]  # opens on the latest date


def test_next_and_previous_move_the_slider(fake_pipeline):
    at = run_app({"date": "2023-07-20"})
    at.button(key="next").click().run()
    assert slider_value(at) == "2023-07-21"
    at.button(key="prev").click().run()
    at.button(key="prev").click().run()
    assert slider_value(at) == "2023-06-29"
    assert at.query_params["date"] == ["2023-06-29"] or at.query_params["date"] == "2023-06-29"


def test_previous_is_disabled_at_the_first_date(fake_pipeline):
    at = run_app({"date": EVENT_DATES[0]})
    assert at.button(key="prev").disabled
    assert not at.button(key="next").disabled


def test_feature_group_holds_exactly_the_step_events(fake_pipeline):
    at = run_app({"date": "2023-07-22", "mode": "date"})
    assert sorted(marker_ids(at)) == ["e6", "e7", "e8"]  # e9 has no location
    at.radio(key="mode").set_value("upto").run()
    assert sorted(marker_ids(at)) == ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]
    at.radio(key="mode").set_value("date").run()
    at.button(key="prev").click().run()
    assert marker_ids(at) == ["e5"]


def test_base_map_is_unchanged_by_a_step(fake_pipeline):
    at = run_app({"date": "2023-07-20"})
    before = folium_args(at)
    at.button(key="next").click().run()
    after = folium_args(at)
    assert before["script"] == after["script"]  # same base map: no remount
    assert before["feature_group"] != after["feature_group"]
    assert after["returned_objects"] == []


def test_query_string_restores_the_view(fake_pipeline):
    at = run_app({"date": "2023-07-20", "mode": "date"})
    assert slider_value(at) == "2023-07-20"
    assert at.radio(key="mode").value == "date"
    assert sorted(marker_ids(at)) == ["e3", "e4"]


def test_bad_query_string_falls_back(fake_pipeline):
    at = run_app({"date": "<script>", "mode": "bogus"})
    assert slider_value(at) == EVENT_DATES[-1]
    assert at.radio(key="mode").value == "upto"


def test_cards_escape_article_text(fake_pipeline):
    at = run_app({"date": "2023-07-20", "mode": "date"})
    bodies = [m.value for m in at.markdown]
    cards = [b for b in bodies if b.startswith("<div class=\"nm-card\"")]
    assert len(cards) == 2
    joined = "\n".join(bodies)
    assert "<script>alert" not in joined and "<img src=x" not in joined
    assert "&lt;script&gt;" in joined


def test_filters_narrow_the_map(fake_pipeline):
    at = run_app({"date": "2023-07-22", "mode": "upto"})
    at.multiselect(key="f_cat").set_value(["desecration"]).run()
    assert at.select_slider(key="date").options == [timeline.short_label(d)
                                                     for d in ("2023-06-29", "2023-07-21")]
    assert sorted(marker_ids(at)) == ["e2", "e5"]


def test_bad_upload_shows_an_error_and_the_rest_still_loads(fake_pipeline, newsmap_home):
    at = run_app()
    at.file_uploader(key="uploads").set_value([
        ("broken.txt", b"\x00\x01\x02 binary", "text/plain"),
        ("good.txt", b" date 2023-07-23 A perfectly normal article about Baghdad today.",
         "text/plain"),
    ]).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("broken.txt" in e.replace("\\", "") for e in errors), errors
    assert (newsmap_home / "articles" / "good.txt").exists()
    assert not (newsmap_home / "articles" / "broken.txt").exists()
    assert len(at.select_slider(key="date").options) == len(EVENT_DATES)


def test_problem_files_are_listed(fake_pipeline, newsmap_home):
    (newsmap_home / "articles").mkdir(exist_ok=True)
    (newsmap_home / "articles" / "empty.txt").write_bytes(b"")
    at = run_app()
    assert any("empty.txt" in e.value.replace("\\", "") for e in at.error)
    assert len(at.select_slider(key="date").options) == len(EVENT_DATES)


def test_user_article_can_be_removed(fake_pipeline, newsmap_home):
    folder = newsmap_home / "articles"
    folder.mkdir(exist_ok=True)
    (folder / "mine.txt").write_text(" date 2023-07-23 Some article text about Baghdad here.")
    at = run_app()
    at.button(key="rm_mine.txt").click().run()
    assert not (folder / "mine.txt").exists()


def test_play_advances_one_step_per_tick(fake_pipeline):
    # run_every never ticks in AppTest: check the play state wiring only
    at = run_app({"date": EVENT_DATES[-1]})
    at.button(key="play").click().run()
    assert at.session_state["playing"] is True
    assert slider_value(at) == EVENT_DATES[0]  # playing from the end restarts
    at.button(key="play").click().run()
    assert at.session_state["playing"] is False


@pytest.mark.timeout(180)
def test_real_pipeline_on_the_seeds(newsmap_home):
    """No fake: the seeds go through geo.pipeline and reach the slider and the map."""
    import streamlit as st

    st.cache_resource.clear()
    at = run_app()
    assert not at.error, [e.value for e in at.error]
    opts = at.select_slider(key="date").options
    assert len(opts) >= 3
    assert marker_ids(at)


def test_pasted_text_is_kept_in_the_user_folder(fake_pipeline, newsmap_home):
    at = run_app()
    at.text_input(key="paste_title").set_value("Baghdad update")
    at.text_area(key="paste_text").set_value("Protesters gathered in Baghdad on Sunday again.")
    at.button[[b.label for b in at.button].index("Add pasted text")].click().run()
    assert not at.exception
    saved = list((newsmap_home / "articles").glob("baghdad-update-*.txt"))
    assert len(saved) == 1
    assert any("baghdad-update" in s.value.replace("\\", "") for s in at.success)


def test_undated_article_can_be_given_a_date(fake_pipeline, newsmap_home):
    import datetime as dt

    from geo import userdata

    at = run_app()
    name = "undated_iraq-severs-ties-with-sweden.txt"
    at.date_input(key=f"date_{name}").set_value(dt.date(2023, 7, 20)).run()
    at.button(key=f"setdate_{name}").click().run()
    assert not at.exception
    assert userdata.load_dates() == {name: "2023-07-20"}


def test_userdata_names_are_safe(newsmap_home):
    from geo import userdata

    assert userdata.safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert userdata.safe_name("C:\\x\\.hidden.txt") == "hidden.txt"
    assert userdata.safe_name("a b<c>.txt") == "a-b-c-.txt" or userdata.safe_name(
        "a b<c>.txt").startswith("a-b-c")
    name, err = userdata.save_article("notes.pdf", b"%PDF")
    assert name is None and "not a .txt" in err
    name, err = userdata.save_article("ok.txt", b" date 2023-07-01 Baghdad protest article text.")
    assert err is None and userdata.list_articles() == ["ok.txt"]
    # same name, other content: kept side by side, not overwritten
    name2, _ = userdata.save_article("ok.txt", b"Another article about Stockholm today here.")
    assert name2 != "ok.txt" and len(userdata.list_articles()) == 2
    assert not userdata.remove_article("../ok.txt")
    assert userdata.remove_article("ok.txt")
    assert userdata.save_pasted("   ") == (None, "pasted text is empty")


def test_filters_travel_in_the_url(fake_pipeline):
    at = run_app({"date": "2023-07-22", "mode": "upto", "cat": "desecration",
                  "country": "Nowhere"})
    assert at.multiselect(key="f_cat").value == ["desecration"]
    assert at.multiselect(key="f_country").value == []  # unknown value dropped
    assert sorted(marker_ids(at)) == ["e2", "e5"]
    at.multiselect(key="f_country").set_value(["Denmark"]).run()
    assert at.query_params["country"] in (["Denmark"], "Denmark")
    assert sorted(marker_ids(at)) == ["e5"]


def test_pipeline_failure_still_opens_the_page(monkeypatch, newsmap_home):
    import sys
    import types

    import streamlit as st

    broken = types.ModuleType("geo.pipeline")

    def run(*a, **k):
        raise RuntimeError("extractor exploded")

    broken.run = run
    broken.inputs_signature = lambda paths: ""
    monkeypatch.setitem(sys.modules, "geo.pipeline", broken)
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    st.cache_resource.clear()
    assert not at.exception
    assert any("extractor exploded" in e.value for e in at.error)
    [payload] = mapview.payload_from_script(folium_args(at)["feature_group"])
    assert payload["markers"] == []


def test_online_toggle_switches_to_tiles(fake_pipeline):
    at = run_app()
    assert "tile.openstreetmap.org" not in folium_args(at)["script"]
    at.toggle(key="online").set_value(True).run()
    args = folium_args(at)
    assert "tile.openstreetmap.org" in args["script"]
    [payload] = mapview.payload_from_script(args["feature_group"])
    assert "© OpenStreetMap contributors" in payload["source_line"]
