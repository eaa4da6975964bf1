"""Scale: indexed steps, aggregated payloads, partitioned merge, indexed date inference, the
whole-run cache and events files (bench/bench_scale.py measures the speed; this checks the
answers)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter

import pytest

from geo import articles as articles_mod
from geo import mapview, pipeline, timeline
from geo import merge as events_mod
from geo.models import Article, Event, Place, PlaceMention, Source

CATS = ["protest", "riot/storming", "attack", "diplomatic action", "disaster"]


def synthetic(n: int, seed: int = 3, places: int = 120) -> list[Event]:
    rnd = random.Random(seed)
    pts = [(rnd.uniform(-50, 60), rnd.uniform(-120, 140)) for _ in range(places)]
    out = []
    for i in range(n):
        lat, lon = rnd.choice(pts)
        located = rnd.random() > 0.05
        date = None if rnd.random() < 0.03 else (
            dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(60))).isoformat()
        place = Place(f"P{lat:.1f}", lat, lon, "city", "test", country="X") if located else None
        out.append(Event(id=f"e{i:05d}", date=date, date_precision="day" if date else None,
                         status="occurred", category=rnd.choice(CATS), title=f"t{i}",
                         mention=PlaceMention("x"), place=place,
                         sources=[Source(f"a{i % 40}.txt", f"s{i}")]))
    return out


@pytest.mark.parametrize("mode", ["date", "upto", "all"])
def test_step_index_selects_what_select_does(events, mode):
    big = events + synthetic(400)
    ix = timeline.StepIndex(big)
    assert ix.dates == timeline.event_dates(big)
    assert ix.per_date == timeline.counts_per_date(big)
    for date in [None, *ix.dates[::7], "2023-07-22"]:
        step = ix.step(date, mode)
        want = timeline.select(big, date, mode)
        assert [(s.event.id, s.current) for s in step.shown()] == [
            (s.event.id, s.current) for s in want]
        assert step.n_shown == len(want)
        assert step.n_unlocated == sum(not timeline.is_located(s.event) for s in want)
        if date is not None:
            assert [e.id for e in ix.on_date(date)] == sorted(
                e.id for e in big if e.date == date)


@pytest.mark.parametrize("mode", ["date", "upto", "all"])
def test_small_steps_keep_the_exact_payload(events, mode):
    ix = timeline.StepIndex(events)
    for date in [*ix.dates, None]:
        want = mapview.step_payload(timeline.select(events, date, mode), date, mode)
        assert mapview.step_payload_for(ix.step(date, mode)) == want


def test_big_steps_aggregate_and_stay_bounded():
    evs = synthetic(20_000, places=2_000)
    ix = timeline.StepIndex(evs)
    date = ix.dates[40]
    step = ix.step(date, "upto")
    p = mapview.step_payload_for(step, max_pins=300, max_clusters=150)
    on_date = [e for e in evs if e.date == date and timeline.is_located(e)]
    # the date's own events stay pins, with their popups; the past is bubbles
    assert sorted(m["id"] for m in p["markers"]) == sorted(e.id for e in on_date)
    assert all(m["current"] for m in p["markers"])
    assert 0 < len(p["clusters"]) <= 150
    assert not any(c["current"] for c in p["clusters"])
    past = [e for e in evs if e.date and e.date < date and timeline.is_located(e)]
    assert sum(c["n"] for c in p["clusters"]) == len(past)
    assert sum(r["n"] for r in p["legend"]) == len(past) + len(on_date)
    want = Counter(e.category for e in past + on_date)
    assert {r["category"]: r["n"] for r in p["legend"]} == dict(want)
    # bounded by the caps, whatever the corpus: ~0.6 kB a pin, ~0.2 kB a bubble
    assert len(mapview.js_json(p)) < 300 * 600 + 150 * 250 + 5_000
    # a bubble's top places and categories are its biggest, counted right
    c = max(p["clusters"], key=lambda c: c["n"])
    assert c["cats"] == sorted(c["cats"], key=lambda kv: -kv[1])
    assert sum(n for _, n in c["cats"]) <= c["n"]
    assert {p["categories"][i][0] for i, _ in c["cats"]} <= set(CATS)


def test_a_date_with_too_many_events_is_aggregated_too():
    evs = synthetic(3_000)
    for e in evs:
        e.date = "2024-01-05"
    ix = timeline.StepIndex(evs)
    p = mapview.step_payload_for(ix.step("2024-01-05", "date"), max_pins=100, max_clusters=50)
    assert p["markers"] == []
    assert len(p["clusters"]) <= 50 and all(c["current"] for c in p["clusters"])
    assert sum(c["n"] for c in p["clusters"]) == sum(timeline.is_located(e) for e in evs)


def test_aggregate_coarsens_the_grid_until_it_fits():
    evs = synthetic(5_000, places=1_000)
    ix = timeline.StepIndex(evs)
    counts = Counter(c for c in ix.codes if c >= 0)
    per_place = timeline.aggregate(ix, counts, max_clusters=10_000)
    assert len(per_place) == len({c // len(ix.categories) for c in counts})  # one per place
    coarse = timeline.aggregate(ix, counts, max_clusters=40)
    assert len(coarse) <= 40
    assert sum(c["n"] for c in coarse) == sum(counts.values())


def test_city_labels_are_capped_to_the_busiest():
    evs = synthetic(2_000, places=300)
    for e in evs:
        if e.place:
            e.place = Place(e.place.name, e.place.lat, e.place.lon, "city", "t")
    labels = mapview.city_labels(evs, max_labels=25)
    assert len(labels) == 25
    busiest = Counter(e.place.name for e in evs if e.place).most_common(1)[0][0]
    assert busiest in {lab["name"] for lab in labels}


def test_date_chart_for_a_year_is_compact():
    from geo import datechart

    per = [((dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat(), i % 9 + 1)
           for i in range(366)]
    spec = datechart.chart(per, "2024-07-01").to_dict()
    assert len(spec["data"]["values"]) == 366 and len(str(spec)) < 60_000
    assert spec["mark"]["size"] == 4.0  # one day of 366 in 340 px: the narrowest clickable


# ---- pipeline ---------------------------------------------------------------------------


def _reference_merge(events):
    """The plain quadratic merge: each event against every merged one so far."""
    from geo import merge as m

    ordered = sorted(events, key=lambda e: ({"day": 0, "month": 1, "year": 2}.get(
        e.date_precision or "", 3), e.place_from_context, e.date or ""))
    merged = []
    for e in ordered:
        fitting = [t for t in merged if m._family(t) == m._family(e)
                   and m._dates_compatible(t, e)]
        target = next((t for t in fitting if t.actor == e.actor
                       and m.mention_key(t.mention) == m.mention_key(e.mention)), None)
        target = target or next((t for t in fitting if m._same_place(t, e)), None)
        if target is None:
            merged.append(m._copy(e))
        else:
            m._absorb(target, e)
    for t in merged:
        t.id = m._event_id(t)
    return merged


def test_indexed_merge_equals_the_plain_quadratic_merge():
    rnd = random.Random(5)
    evs = []
    for i in range(600):
        prec = rnd.choice(["day"] * 6 + ["month", "year", None])
        day = dt.date(2023, rnd.randint(1, 3), rnd.randint(1, 28)).isoformat()
        date = {"day": day, "month": day[:7], "year": day[:4], None: None}[prec]
        city = rnd.choice(["Baghdad", "Basra", "Erbil"])
        kind = rnd.choice(["city", "landmark", "country"])
        evs.append(Event(
            id=f"x{i}", date=date, date_precision=prec, status=rnd.choice(["occurred", "planned"]),
            category=rnd.choice(CATS), title=f"t{i % 50}",
            mention=PlaceMention(rnd.choice([city, "Green Zone", "Iraq"]), kind, city, "IQ"),
            sources=[Source(f"a{i}.txt", f"s{i}")],
            place_from_context=rnd.random() < 0.1))
    fresh = [Event.from_dict(e.to_dict()) for e in evs]
    want = [e.to_dict() for e in _reference_merge(fresh)]
    got = [e.to_dict() for e in events_mod.merge(evs)]
    assert sorted(got, key=json.dumps) == sorted(want, key=json.dumps)
    assert len(got) < len(evs)


def test_indexed_date_inference_equals_the_plain_one():
    from geo.dates import infer_publication_date

    rnd = random.Random(9)
    words = [f"w{i}" for i in range(300)]
    docs = []
    for i in range(80):
        text = " ".join(rnd.choice(words) for _ in range(120)) + " protesters gathered."
        docs.append(Article(f"d{i}.txt", text, date=f"2023-0{1 + i % 9}-1{i % 10}"))
    for i in range(40):  # undated: some copy a dated story, some are new
        src = docs[i].text if i % 2 else " ".join(rnd.choice(words) for _ in range(100))
        docs.append(Article(f"u{i}.txt", src + " More on Thursday.", date=None))
    dated = [a for a in docs if a.date]
    plain = []
    for a in docs:  # every undated article against every dated one
        guess = None if a.date else infer_publication_date(a.text, dated)
        plain.append(a.with_date(guess[0], "inferred", guess[1]) if guess else a)
    got = articles_mod.infer_missing_dates(docs)
    assert got == plain
    assert sum(a.date_source == "inferred" for a in got) >= 20


def test_a_rerun_over_unchanged_files_is_one_cache_read(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEWSMAP_ONLINE", raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(" date 2023-07-20 Protesters stormed the Swedish embassy "
                                  "in Baghdad early on Thursday, police said.\n")
    first = pipeline.run([corpus])
    calls = []
    monkeypatch.setattr(articles_mod, "read_paths",
                        lambda *a, **k: calls.append(a) or ([], []))
    again = pipeline.run([corpus])
    assert calls == [] and [e.to_dict() for e in again.events] == [
        e.to_dict() for e in first.events]
    # a changed file is a new key: the pipeline runs again
    (corpus / "b.txt").write_text(" date 2023-07-21 More news from Basra today.\n")
    pipeline.run([corpus])
    assert calls


def test_load_events_reads_our_lines_and_the_cli_export(tmp_path, events):
    from geo import export

    ours = tmp_path / "ours.jsonl"
    ours.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in events) + "not json\n")
    r = pipeline.load_events(ours)
    assert [e.to_dict() for e in r.events] == [e.to_dict() for e in events]
    assert len(r.problems) == 1 and "ours.jsonl:10" in str(r.problems[0])
    cli = tmp_path / "cli.jsonl"
    cli.write_text(export.to_jsonl(events))
    r = pipeline.load_events(cli)
    assert [(e.id, e.date, e.category) for e in r.events] == [
        (e.id, e.date, e.category) for e in events]
    located = [e for e in r.events if timeline.is_located(e)]
    assert len(located) == sum(timeline.is_located(e) for e in events)


# ---- the dashboard on a big event set -------------------------------------------------


@pytest.fixture
def big_app(monkeypatch, tmp_path):
    """dashboard.py in AppTest on 3,000 synthetic events from 1,500 articles."""
    import sys
    from pathlib import Path

    import streamlit as st
    from conftest import fake_pipeline_module
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path))
    evs = synthetic(3_000, places=400)
    for i, e in enumerate(evs):
        e.sources = [Source(f"art-{i // 2:04d}.txt", "s")]
    monkeypatch.setitem(sys.modules, "geo.pipeline", fake_pipeline_module(evs))
    st.cache_resource.clear()
    app = Path(__file__).resolve().parent.parent / "dashboard.py"

    def run(query: dict) -> AppTest:
        at = AppTest.from_file(str(app), default_timeout=120)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [x.value for x in at.exception]
        return at

    yield evs, run
    st.cache_resource.clear()


def _payload(at) -> dict:
    for el in at.main:
        proto = getattr(el, "proto", None)
        if proto is not None and "feature_group" in getattr(proto, "json_args", ""):
            [p] = mapview.payload_from_script(json.loads(proto.json_args)["feature_group"])
            return p
    raise AssertionError("no map")


def test_dashboard_aggregates_a_big_step_and_caps_the_cards(big_app):
    evs, run = big_app
    date = sorted({e.date for e in evs if e.date})[30]
    at = run({"date": date, "mode": "upto"})
    p = _payload(at)
    on_date = [e for e in evs if e.date == date and timeline.is_located(e)]
    assert sorted(m["id"] for m in p["markers"]) == sorted(e.id for e in on_date)
    past = [e for e in evs if e.date and e.date < date and timeline.is_located(e)]
    assert sum(c["n"] for c in p["clusters"]) == len(past) > timeline.MAX_PINS
    cards = [m.value for m in at.markdown if m.value.startswith('<div class="nm-card"')]
    n_day = sum(e.date == date for e in evs)
    assert len(cards) == min(n_day, timeline.MAX_CARDS)
    # thousands of article names: the article filter is a text search, not a dropdown
    assert not [w for w in at.multiselect if w.key == "f_article"]
    at.text_input(key="f_article_q").set_value("art-0007").run()
    assert at.select_slider(key="date").options == [
        timeline.short_label(d) for d in sorted({evs[14].date, evs[15].date} - {None})]
