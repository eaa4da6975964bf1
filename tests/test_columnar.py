"""A year of news as columns (geo/columnar.py): the same steps, payloads, cards, facets, queue
and filters as the Event-object path, on the same events (bench/bench_year.py measures it at
1,000,000 events)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

import pytest

from geo import columnar, mapview, parquet, pipeline, timeline
from geo.models import Event, Place, PlaceMention, Source
from geo.review import queue as rv_queue

CATS = ["protest", "riot/storming", "attack", "diplomatic action", "disaster", "statement"]


def synthetic(n: int, seed: int = 5) -> list[Event]:
    """Events over 40 days and 60 places: some undated, unlocated, month-dated, background,
    reviewed, with several sources, a time of day, places that round to one point."""
    rnd = random.Random(seed)
    pts = [(round(rnd.uniform(-50, 60), 3), round(rnd.uniform(-120, 140), 3))
           for _ in range(60)]
    pts.append((pts[0][0] + 0.00001, pts[0][1]))  # rounds to pts[0] (4 decimals)
    out = []
    for i in range(n):
        lat, lon = rnd.choice(pts)
        located = rnd.random() > 0.07
        day = (dt.date(2024, 3, 1) + dt.timedelta(days=rnd.randrange(40))).isoformat()
        r = rnd.random()
        date, prec = ((None, None) if r < 0.04 else (day[:7], "month") if r < 0.08
                      else (day, "day"))
        cc = rnd.choice(["NE", "IQ", "SE", None])
        place = (Place(f"City {lat:.1f}", lat, lon, rnd.choice(["city", "landmark", "country"]),
                       "test", city=rnd.choice([None, f"Town {lon:.0f}"]),
                       country=rnd.choice(["Niger", "Iraq", "", None]), country_code=cc,
                       attribution=rnd.choice([None, None, "© OSM"]))
                 if located else (Place("Nowhere", None, None, "city", "test")
                                  if rnd.random() < 0.5 else None))
        srcs = [Source(f"a{rnd.randrange(90)}.txt", f"s{i}")]
        if rnd.random() < 0.2:
            srcs.append(Source(rnd.choice([srcs[0].article, f"a{rnd.randrange(90)}.txt"]),
                               f"t{i}"))
        out.append(Event(
            id=f"e{rnd.randrange(10**6):06d}-{i}", date=date, date_precision=prec,
            status="occurred", category=rnd.choice(CATS), title=f"title {i}",
            mention=PlaceMention("x", country_code=rnd.choice([None, "FR"])), place=place,
            sources=srcs, time_of_day=rnd.choice([None, None, "night"]),
            date_inferred=rnd.random() < 0.1, place_from_context=rnd.random() < 0.1,
            background=rnd.random() < 0.05,
            review_status=rnd.choice(["auto"] * 5 + ["confirmed"])))
    rnd.shuffle(out)
    return out


@pytest.fixture(scope="module")
def both():
    events = synthetic(3000)
    return events, columnar.from_events(events)


def test_the_sequence_gives_the_events(both):
    events, col = both
    assert len(col) == len(events)
    assert col[17] == events[17] and col[5:9] == events[5:9]
    assert list(col) == events


@pytest.mark.parametrize("mode", ["date", "upto", "all"])
@pytest.mark.parametrize("max_pins", [300, 20])
def test_steps_and_payloads_are_the_same(both, mode, max_pins):
    events, col = both
    ix, cx = timeline.StepIndex(events), timeline.step_index(col)
    assert isinstance(cx, columnar.ColumnarStepIndex)
    assert cx.dates == ix.dates and cx.per_date == ix.per_date
    assert cx.n_located == ix.n_located and cx.categories == ix.categories
    assert cx.places == ix.places and list(cx.codes) == ix.codes
    assert cx.undated == ix.undated and cx.undated_codes == ix.undated_codes
    for date in [*ix.dates[::5], ix.dates[-1], None, "2024-03-15x", "2023-01-01"]:
        a, b = ix.step(date, mode), cx.step(date, mode)
        assert (a.lo, a.hi, a.rest, a.n_rest, a.n_unlocated) == \
            (b.lo, b.hi, b.rest, b.n_rest, b.n_unlocated)
        assert list(a.rest_counts().items()) == list(b.rest_counts().items())
        assert list(a.current_counts().items()) == list(b.current_counts().items())
        pa_ = mapview.step_payload_for(a, max_pins=max_pins, max_clusters=25)
        pb = mapview.step_payload_for(b, max_pins=max_pins, max_clusters=25)
        assert json.dumps(pa_) == json.dumps(pb)
        assert timeline.cards_for(ix.on_date(date), date) == \
            timeline.cards_for(cx.on_date(date), date)[:]


def test_cards_are_made_only_for_what_is_read(both):
    events, col = both
    cx = timeline.step_index(col)
    day = max(cx.per_date, key=lambda t: t[1])[0]
    cards = timeline.cards_for(cx.on_date(day), day)
    want = timeline.cards_for(timeline.StepIndex(events).on_date(day), day)
    assert len(cards) == len(want) and cards[:5] == want[:5]


def test_facets_summary_background_and_queue(both):
    events, col = both
    assert timeline.facets(col) == timeline.facets(events)
    assert mapview.base_summary(col) == mapview.base_summary(events)
    assert timeline.count_background(col) == timeline.count_background(events)
    q, want = rv_queue.queue(col), rv_queue.queue(events)
    assert len(q) == len(want) and bool(q)
    assert q[:8] == want[:8] and q[:64] == want[:64]
    assert list(q[100:110]) == want[100:110]


@pytest.mark.parametrize("filt", [
    {"categories": ["protest", "attack"]}, {"countries": ["Niger", "FR"]},
    {"articles": ["a3.txt", "a40.txt"]}, {"background": False},
    {"categories": ["disaster"], "countries": ["IQ"], "background": False}])
def test_filters_are_the_same(both, filt):
    events, col = both
    got = timeline.apply_filters(col, **filt)
    assert isinstance(got, columnar.ColumnarEvents)
    assert list(got) == timeline.apply_filters(events, **filt)
    ix, cx = timeline.StepIndex(list(got)), timeline.step_index(got)
    d = ix.dates[len(ix.dates) // 2]
    assert json.dumps(mapview.step_payload_for(ix.step(d, "upto"), max_pins=10)) == \
        json.dumps(mapview.step_payload_for(cx.step(d, "upto"), max_pins=10))
    for which in ("needs", "reviewed", "all"):
        assert list(rv_queue.filter_events(got, which)) == \
            rv_queue.filter_events(list(got), which)


def test_a_parquet_folder_opens_as_columns(tmp_path, monkeypatch):
    events = synthetic(500, seed=8)
    parquet.write_events(events, tmp_path / "ev")
    small = pipeline.load_events(tmp_path / "ev")
    assert isinstance(small.events, list) and small.events == events
    monkeypatch.setattr(pipeline, "COLUMNAR_MIN_EVENTS", 100)
    big = pipeline.load_events(tmp_path / "ev")
    assert isinstance(big.events, columnar.ColumnarEvents)
    assert list(big.events) == events  # in the written order, though read by month
    ix, cx = timeline.StepIndex(events), timeline.step_index(big.events)
    for d in ix.dates[::7]:
        assert json.dumps(mapview.step_payload_for(ix.step(d, "upto"), max_pins=30)) == \
            json.dumps(mapview.step_payload_for(cx.step(d, "upto"), max_pins=30))


def test_no_corrections_keep_the_columns(both):
    from geo.review.apply import apply

    _events, col = both
    assert apply(col, [], {}).events is col


def test_an_empty_event_set(tmp_path):
    col = columnar.from_events([])
    cx = timeline.step_index(col)
    assert cx.dates == [] and cx.n_located == 0 and len(col) == 0
    step = cx.step(None, "upto")
    assert mapview.step_payload_for(step)["markers"] == []
    assert timeline.facets(col) == timeline.facets([])


def test_events_with_only_some_fields(both):
    events, _ = both
    plain = [dataclasses.replace(e, place=None, mention=None) for e in events[:50]]
    col = columnar.from_events(plain)
    assert timeline.step_index(col).n_located == 0
    assert timeline.facets(col) == timeline.facets(plain)


def test_the_dashboard_opens_and_steps_a_columnar_folder(tmp_path, monkeypatch):
    """NEWSMAP_EVENTS=DIR of a year of news (here a small one, the threshold lowered): the
    page opens on columns, steps, filters and lists the cards, with no Event path taken."""
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    events = synthetic(800, seed=3)
    parquet.write_events(events, tmp_path / "ev")
    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEWSMAP_EVENTS", str(tmp_path / "ev"))
    monkeypatch.setattr(pipeline, "COLUMNAR_MIN_EVENTS", 1)
    made = []
    real = columnar.ColumnarEvents.make
    monkeypatch.setattr(columnar.ColumnarEvents, "make",
                        lambda self, rows: made.append(len(rows)) or real(self, rows))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"),
                               default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        dates = timeline.event_dates(events)
        assert at.select_slider(key="date").options == [timeline.short_label(d)
                                                         for d in dates]
        assert at.session_state["date"] == dates[-1]
        assert max(made) < len(events)  # never all the events as objects
        at.session_state["date"] = dates[10]
        at.run()
        at.button(key="next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["date"] == dates[11]
        heads = [m.value for m in at.markdown if "nm-feed-head" in str(m.value)]
        assert any(timeline.date_label(dates[11]) in h for h in heads)
        n_on = sum(1 for e in events if e.date == dates[11])
        assert any(f"{n_on} event" in h for h in heads)
        at.multiselect(key="f_cat").select("protest").run()
        assert not at.exception, [e.value for e in at.exception]
        assert max(made) < len(events)
    finally:
        st.cache_resource.clear()


def test_many_article_names_stay_arrow(both, monkeypatch):
    events, col = both
    monkeypatch.setattr(columnar, "STRING_LIST_MIN", 10)
    got = timeline.facets(col).articles
    want = timeline.facets(events).articles
    assert isinstance(got, columnar.StringList) and got == want and len(got) == len(want)
    assert want[3] in got and "a-not-there.txt" not in got and got[2:5] == want[2:5]
    assert [a for a in got if "a1" in a] == [a for a in want if "a1" in a]
