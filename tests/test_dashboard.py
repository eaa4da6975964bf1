"""The dashboard in Streamlit's AppTest, on synthetic events through a fake pipeline.

The map is checked through what streamlit-folium sends to the browser: the step's
FeatureGroup script, whose payload lists the marker ids.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EVENT_DATES, run_app
from streamlit.testing.v1 import AppTest

from geo import mapview, timeline

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


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
    # the view and the base layer picked come back (for "This view as PNG"); a pan reruns
    # the script, not the map
    assert after["returned_objects"] == ["center", "zoom", "bounds", "selected_layers"]


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
    from geo import userdata

    assert userdata.list_articles() == ["good.txt"]  # in the database, not a file
    assert not (newsmap_home / "articles").exists()
    assert len(at.select_slider(key="date").options) == len(EVENT_DATES)


def test_problem_files_are_listed(fake_pipeline, newsmap_home):
    (newsmap_home / "articles").mkdir(exist_ok=True)
    (newsmap_home / "articles" / "empty.txt").write_bytes(b"")
    at = run_app()  # an older version's folder: imported, the damaged file reported
    assert any("empty.txt" in e.value.replace("\\", "") for e in at.error)
    assert (newsmap_home / "articles.imported" / "empty.txt").exists()
    assert len(at.select_slider(key="date").options) == len(EVENT_DATES)


def test_user_article_can_be_removed(fake_pipeline, newsmap_home):
    folder = newsmap_home / "articles"
    folder.mkdir(exist_ok=True)
    (folder / "mine.txt").write_text(" date 2023-07-23 Some article text about Baghdad here.")
    at = run_app()
    at.toggle(key="mine_open").set_value(True).run()  # the list is built only when opened
    from geo import userdata

    assert userdata.list_articles() == ["mine.txt"]  # imported from the older folder
    at.button(key="rm_mine.txt").click().run()
    assert userdata.list_articles() == []
    assert (newsmap_home / "articles.imported" / "mine.txt").exists()  # the old file stays


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
    from geo import userdata

    saved = [n for n in userdata.list_articles() if n.startswith("baghdad-update-")]
    assert len(saved) == 1
    assert b"Protesters gathered in Baghdad" in userdata.raw_article(saved[0])
    assert any("baghdad-update" in s.value.replace("\\", "") for s in at.success)


def test_undated_article_can_be_given_a_date(fake_pipeline, newsmap_home):
    import datetime as dt

    from geo import userdata

    at = run_app()
    name = "undated_iraq-severs-ties-with-sweden.txt"
    at.toggle(key="dates_open").set_value(True).run()  # the list is built only when opened
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


def test_tiles_are_offered_unless_turned_off(fake_pipeline, monkeypatch):
    # conftest turns tiles off for every test (no test reaches the internet)
    at = run_app()
    assert "tile.openstreetmap.org" not in folium_args(at)["script"]
    monkeypatch.setenv("NEWSMAP_TILES", "on")
    at = run_app()
    args = folium_args(at)
    assert "tile.openstreetmap.org" in args["script"]  # tried in the browser, not here
    # the geocoding toggle is its own switch now
    assert at.toggle(key="online").label == "Online geocoding"
    assert at.toggle(key="online").value is False


# ---- background events, the coup category, undated events, progress --------------------


def _with_extra_events(monkeypatch, extra):
    import sys

    import streamlit as st
    from conftest import fake_pipeline_module, make_events

    mod = fake_pipeline_module(events=make_events() + list(extra))
    monkeypatch.setitem(sys.modules, "geo.pipeline", mod)
    st.cache_resource.clear()
    return mod


def _background_event():
    import dataclasses

    from conftest import A_0722, BAGHDAD, _ev

    ev = _ev("e10", "1999", "disaster", "The 1999 quake", BAGHDAD, A_0722,
             "The city still remembers the 1999 quake.")
    return dataclasses.replace(ev, background=True)


@pytest.fixture
def with_background(monkeypatch, newsmap_home):
    import streamlit as st

    yield _with_extra_events(monkeypatch, [_background_event()])
    st.cache_resource.clear()


def chart_data(at: AppTest) -> bytes:
    """The per-date chart's data as the page gets it (Arrow bytes: its strings are plain)."""
    [chart] = at.get("vega_lite_chart")
    return b"".join(d.data.data for d in chart.proto.datasets) + chart.proto.data.data


def card_bodies(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith('<div class="nm-card"')]


def test_background_toggle_shows_and_hides_background_events(with_background):
    at = run_app({"date": "1999", "mode": "date"})
    assert at.toggle(key="f_bg").value is True  # on by default
    assert slider_value(at) == "1999"
    assert marker_ids(at) == ["e10"]
    [card] = card_bodies(at)
    assert 'nm-chip-bg' in card and ">background<" in card
    [payload] = mapview.payload_from_script(folium_args(at)["feature_group"])
    assert payload["markers"][0]["background"] is True
    assert "bg" not in at.query_params  # the default is not written into the URL

    at.toggle(key="f_bg").set_value(False).run()
    assert not at.exception
    opts = at.select_slider(key="date").options
    assert "1999" not in opts and opts == [timeline.short_label(d) for d in EVENT_DATES]
    assert slider_value(at) == "2021-11-05"  # the view moves to the nearest remaining step
    at.radio(key="mode").set_value("all").run()
    assert "e10" not in marker_ids(at) and len(marker_ids(at)) == 8
    assert not any("background" in c for c in card_bodies(at))
    chart = chart_data(at)
    assert b"1999" not in chart and b"2021-11-05" in chart  # the chart lost the date too
    assert at.query_params["bg"] in ("0", ["0"])

    at.toggle(key="f_bg").set_value(True).run()
    assert "e10" in marker_ids(at)
    assert "bg" not in at.query_params


def test_background_filter_travels_in_the_url(with_background):
    at = run_app({"date": "2023-07-22", "mode": "all", "bg": "0"})
    assert at.toggle(key="f_bg").value is False
    assert "e10" not in marker_ids(at)
    header = next(m.value for m in at.markdown if m.value.startswith("<p class=\"nm-h1\""))
    assert "9 events" in header  # e1..e9, not the background one
    at.button(key="prev").click().run()  # stepping keeps the filter in the URL
    assert at.query_params["bg"] in ("0", ["0"])
    assert at.toggle(key="f_bg").value is False


def test_background_filter_reaches_the_exports(events):
    """Exports write the dashboard's filtered ``events``: the pure filter decides."""
    import dataclasses

    from geo import export

    bg = dataclasses.replace(events[0], id="bg1", background=True)
    kept = timeline.apply_filters([*events, bg], background=False)
    assert [e.id for e in kept] == [e.id for e in events]
    assert timeline.apply_filters([*events, bg])[-1].id == "bg1"  # default: shown
    assert "bg1" not in export.to_csv(kept) and "bg1" in export.to_csv([*events, bg])
    # combined with other filters
    assert [e.id for e in timeline.apply_filters([*events, bg], ["riot/storming"],
                                                 background=False)] == ["e1", "e3", "e7"]


def test_coup_has_its_own_legend_entry_and_card(monkeypatch, newsmap_home):
    import streamlit as st
    from conftest import A_0722, BAGHDAD, _ev

    coup = _ev("e11", "2023-07-23", "coup", "Army seizes power", BAGHDAD, A_0722,
               "The army seized power in a coup.")
    _with_extra_events(monkeypatch, [coup])
    try:
        at = run_app({"date": "2023-07-23", "mode": "date"})
        [payload] = mapview.payload_from_script(folium_args(at)["feature_group"])
        [row] = payload["legend"]
        assert row["category"] == "coup" and row["n"] == 1
        color, glyph = timeline.style("coup")
        assert (row["color"], row["glyph"]) == (color, glyph)
        others = {g for c, (_, g) in timeline.STYLE.items() if c != "coup"}
        assert glyph not in others  # not mistaken for a diplomatic act (flag)
        [card] = card_bodies(at)
        assert f"--c:{color}" in card and ">coup<" in card
    finally:
        st.cache_resource.clear()


def test_undated_events_are_listed_in_all_mode(monkeypatch, newsmap_home):
    import streamlit as st
    from conftest import A_UND, STOCKHOLM, _ev

    und = _ev("e12", None, "protest", "Protest with no date", STOCKHOLM, A_UND,
              "Protesters gathered outside the embassy.")
    _with_extra_events(monkeypatch, [und])
    try:
        at = run_app({"date": "2023-07-22", "mode": "upto"})
        assert "e12" not in marker_ids(at)
        assert any("undated" in c.value for c in at.caption)  # says where they are
        at.radio(key="mode").set_value("all").run()
        assert "e12" in marker_ids(at)
        heads = [m.value for m in at.markdown if "nm-feed-head" in m.value]
        assert any(">Undated<" in h for h in heads)
        assert any("Protest with no date" in c for c in card_bodies(at))
    finally:
        st.cache_resource.clear()


def test_first_load_reports_progress_and_the_cached_path_does_not(monkeypatch, newsmap_home):
    import sys

    import streamlit as st
    from conftest import fake_pipeline_module

    mod = fake_pipeline_module()
    calls: list[tuple[int, int]] = []
    runs = []
    fake_run = mod.run

    def run(paths, *, progress=None, **kw):
        runs.append(progress)
        assert callable(progress)
        for i in range(1, 121):  # a big corpus: the bar is drawn (and must not fail)
            progress(i, 120)
            calls.append((i, 120))
        return fake_run(paths, **kw)

    mod.run = run
    monkeypatch.setitem(sys.modules, "geo.pipeline", mod)
    st.cache_resource.clear()
    try:
        at = run_app()
        assert len(runs) == 1 and calls[-1] == (120, 120)
        assert not at.get("progress")  # the bar is gone once the data is there
        assert len(at.select_slider(key="date").options) == len(EVENT_DATES)
        at.button(key="prev").click().run()  # a rerun reads the cache: no second run
        at.run()
        assert not at.exception and len(runs) == 1
    finally:
        st.cache_resource.clear()


def _reported(at: AppTest) -> AppTest:
    """The map's first report, as the page sends it (st_folium keeps it under its key)."""
    at.session_state["map"] = {"center": {"lat": 20, "lng": 10}, "zoom": 3,
                               "bounds": None, "selected_layers": None}
    return at.run()


def test_the_date_chart_waits_for_the_maps_first_report(fake_pipeline):
    """The first page of a session holds the chart's place (as tall as the chart, so the
    feed does not move) and draws the chart once the map has reported its view, a rerun
    after its first paint: the chart's Altair and Vega are off the first map's path."""
    at = run_app({"date": "2023-07-22"})
    assert at.get("vega_lite_chart") == []
    assert [s.value for s in at.get("space")] == [dashboard_chart_height()]
    _reported(at)
    assert not at.exception
    assert b"2023-07-22" in chart_data(at) and at.get("space") == []
    # any later run of the session draws it too (a click before the report)
    at2 = run_app({"date": "2023-07-22"})
    at2.button(key="prev").click().run()
    assert b"2023-07-21" in chart_data(at2)
    # a PNG's page (its map never reports) draws it at once, as before
    at3 = run_app({"date": "2023-07-22", "snapshot": "1"})
    assert len(at3.get("vega_lite_chart")) == 1


def dashboard_chart_height() -> int:
    import re

    from conftest import DASHBOARD

    return int(re.search(r"^CHART_HEIGHT = (\d+)", Path(DASHBOARD).read_text(),
                         re.M).group(1))


def test_run_cache_writes_wait_for_the_maps_first_report(fake_pipeline):
    """The run's cache rows (pickled while the map's frame loads from this process, they
    slowed it) are released by the map's first report, not by the first run: what
    st_folium returns before a report has a zoom too (the map's own)."""
    released, kept = [], []
    fake_pipeline.release_writes = lambda after_s=0.0: released.append(after_s)
    fake_pipeline.keep_derived = lambda result: kept.append(result) or False
    at = run_app({"date": "2023-07-22"})
    assert kept and released == []
    _reported(at)
    assert released == [1.0]


def test_a_computed_result_is_collected_and_frozen_after_the_maps_first_report(
        fake_pipeline, monkeypatch):
    """The full collection before the freeze (~1 s at 10,000 articles, holding the GIL while
    the map's frame loads from the server) waits for the map's report."""
    import gc

    got, collections = [], []
    run = fake_pipeline.run
    fake_pipeline.run = lambda *a, **k: got.append(run(*a, **k)) or got[-1]
    real_collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or real_collect(*a))
    at = run_app({"date": "2023-07-22"})
    [result] = got
    assert not getattr(result, "_nm_frozen", False) and () not in collections
    _reported(at)
    assert result._nm_frozen and () in collections  # one full collection, then the freeze
