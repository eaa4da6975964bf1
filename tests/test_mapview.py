"""Map building and the pure step logic, on synthetic events (no extractor involved)."""

from __future__ import annotations

import json

from conftest import EVENT_DATES, OSM, make_events
from streamlit_folium import _get_map_string, generate_js_hash

from geo import basemap, mapview, offline, tiles, timeline
from geo.models import Event


def ids(shown):
    return [s.event.id for s in shown]


# ---- timeline --------------------------------------------------------------------------


def test_event_dates_are_the_distinct_sorted_dates(events):
    assert timeline.event_dates(events) == EVENT_DATES


def test_mixed_precision_dates_sort_coarse_first():
    evs = make_events()
    evs[0].date, evs[1].date = "2023", "2023-07"
    assert timeline.event_dates(evs)[:3] == ["2023", "2023-07", "2023-07-20"]
    assert timeline.date_label("2023-07") == "July 2023"
    assert timeline.date_label("2023") == "2023"
    assert timeline.date_label("2023-07-02") == "2 July 2023"
    assert timeline.date_label(None) == "Undated"


def test_neighbours_stop_at_the_ends():
    assert timeline.neighbours(EVENT_DATES, EVENT_DATES[0]) == (None, EVENT_DATES[1])
    assert timeline.neighbours(EVENT_DATES, EVENT_DATES[-1]) == (EVENT_DATES[-2], None)
    assert timeline.neighbours([], None) == (None, None)


def test_resolve_date_clamps_to_a_step():
    assert timeline.resolve_date(EVENT_DATES, None) == "2023-07-22"
    assert timeline.resolve_date(EVENT_DATES, "2023-07-20") == "2023-07-20"
    assert timeline.resolve_date(EVENT_DATES, "2023-07-01") == "2023-06-29"
    assert timeline.resolve_date(EVENT_DATES, "1999-01-01") == "2021-11-05"
    assert timeline.resolve_date(EVENT_DATES, "garbage") == "2023-07-22"
    assert timeline.resolve_date([], "2023-07-20") is None
    assert timeline.resolve_mode("nonsense") == "upto"


def test_select_modes(events):
    assert ids(timeline.select(events, "2023-07-20", "date")) == ["e3", "e4"]
    upto = timeline.select(events, "2023-07-20", "upto")
    assert set(ids(upto)) == {"e1", "e2", "e3", "e4"}
    assert {s.event.id for s in upto if s.current} == {"e3", "e4"}
    assert ids(upto)[-2:] == ["e3", "e4"]  # current ones last = drawn on top
    everything = timeline.select(events, "2023-07-20", "all")
    assert len(everything) == len(events)
    assert {s.event.id for s in everything if s.current} == {"e3", "e4"}


def test_select_all_keeps_undated_events(events):
    events[0].date = None
    assert "e1" in ids(timeline.select(events, "2023-07-22", "all"))
    assert "e1" not in ids(timeline.select(events, "2023-07-22", "upto"))


def test_filters(events):
    f = timeline.apply_filters
    assert {e.id for e in f(events, categories=["desecration"])} == {"e2", "e5"}
    assert {e.id for e in f(events, countries=["Denmark"])} == {"e5"}
    a = "2023-07-20_iraq-threatens-ties-with-sweden.txt"
    assert {e.id for e in f(events, articles=[a])} == {"e3"}
    assert f(events, categories=["protest"], countries=["Sweden"]) == []
    assert len(f(events, [], None, ())) == len(events)
    fac = timeline.facets(events)
    assert fac.categories[0] == "riot/storming"  # taxonomy order
    assert fac.countries == ["Denmark", "Iraq", "Sweden"]


def test_colocated_events_get_distinct_slots(events):
    slots = timeline.colocated_slots([e for e in events if e.id in {"e1", "e7", "e8"}])
    assert sorted(v[0] for v in slots.values()) == [0, 1, 2]
    assert {v[1] for v in slots.values()} == {3}
    lone = timeline.colocated_slots([events[4]])
    assert lone == {"e5": (0, 1)}


def test_precision_is_spelled_out(events):
    by = {e.id: e for e in events}
    assert "landmark" in timeline.precision_note(by["e3"])
    assert "approximate" in timeline.precision_note(by["e4"])  # Baghdad = city point
    assert "city" in timeline.precision_note(by["e4"])
    assert timeline.precision_note(by["e9"]) == "not located"
    assert timeline.place_label(by["e3"]) == "Swedish embassy, Baghdad, Iraq"


def test_cards_for_a_date(events):
    cards = timeline.cards_for(events, "2023-07-22")
    assert [c["id"] for c in cards][-1] == "e9"  # unlocated last
    assert not cards[-1]["located"]
    assert {c["id"] for c in cards} == {"e6", "e7", "e8", "e9"}
    e6 = next(c for c in cards if c["id"] == "e6")
    assert e6["time_of_day"] == "early morning"
    assert e6["sources"][0]["article"] == "2023-07-22_green-zone-jumhuriya-bridge.txt"


# ---- step payload / feature group -----------------------------------------------------------


def test_step_payload_holds_exactly_the_located_step_events(events):
    shown = timeline.select(events, "2023-07-22", "date")
    p = mapview.step_payload(shown, "2023-07-22", "date")
    assert [m["id"] for m in p["markers"]] == sorted(["e6", "e7", "e8"])
    assert p["date_label"] == "22 July 2023"
    assert "1 unlocated" in p["subtitle"]
    assert {r["category"]: r["n"] for r in p["legend"]} == {
        "riot/storming": 1, "protest": 1, "statement": 1}
    assert [r["category"] for r in p["legend"]] == ["riot/storming", "protest", "statement"]
    assert f"Places {OSM}" in p["source_line"]
    # the base map's credit is the browser's to add (it knows which layer is shown)
    assert "Natural Earth" not in p["source_line"] and "Leaflet" not in p["source_line"]
    assert "2023-07-22_green-zone-jumhuriya-bridge.txt" in p["source_line"]


def test_upto_payload_fades_earlier_events(events):
    shown = timeline.select(events, "2023-07-21", "upto")
    p = mapview.step_payload(shown, "2023-07-21", "upto")
    cur = {m["id"]: m["current"] for m in p["markers"]}
    assert cur == {"e1": False, "e2": False, "e3": False, "e4": False, "e5": True}
    assert p["has_past"] and p["has_approx"]


def test_step_group_script_round_trips_and_escapes(events):
    shown = timeline.select(events, "2023-07-20", "date")
    payload = mapview.step_payload(shown, "2023-07-20", "date")
    m = mapview.base_map(events)
    fg = mapview.step_group(payload)
    fg.add_to(m)
    html = m.get_root().render()
    assert mapview.payload_from_script(html) == [json.loads(json.dumps(payload))]
    # article text never appears as markup in the page, only \u003c-escaped inside JSON
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "\\u003cscript\\u003e" in html


def test_base_map_does_not_depend_on_the_step(events):
    """Same events -> same base script: streamlit-folium keeps the map mounted."""
    a = generate_js_hash(_get_map_string(mapview.base_map(events)), "map")
    b = generate_js_hash(_get_map_string(mapview.base_map(make_events())), "map")
    assert a == b
    osm = [{"key": "OpenStreetMap.Mapnik", "label": "OpenStreetMap",
            "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "attribution": OSM, "max_zoom": 19, "subdomains": "abc"}]
    c = generate_js_hash(_get_map_string(mapview.base_map(events, tiles=osm)), "map")
    assert c != a


def test_base_map_uses_only_local_assets(events):
    m = mapview.base_map(events)
    html = m.get_root().render()
    assert offline.remote_urls(html) == []
    for _k, url in mapview.NewsMap.default_js + mapview.NewsMap.default_css:
        assert url.startswith("../geo.offline.")
        folder, name = url[len("../geo.offline."):].split("/", 1)
        assert offline.path(folder, name).is_file()
    assert "cdn" not in html.lower()


def test_online_map_offers_the_tile_layers_with_their_credits(events, monkeypatch):
    monkeypatch.setenv("NEWSMAP_TILES", "on")
    monkeypatch.delenv("NEWSMAP_TILES_URL", raising=False)
    monkeypatch.delenv("NEWSMAP_CARTO_KEY", raising=False)
    html = mapview.base_map(events, tiles=tiles.js_options()).get_root().render()
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert "World_Imagery" in html and f'"attribution":"{OSM}"' in html
    # the offline credit and the fallback notice travel too; the step's line has neither
    assert '"offline_credit":"Base map: Natural Earth, GSHHG, GeoNames"' in html
    assert "could not load" in html
    p = mapview.step_payload(timeline.select(events, "2023-07-22", "date"), "2023-07-22",
                             "date", online=True)
    assert f"Map {OSM}" not in p["source_line"] and f"Places {OSM}" in p["source_line"]


def test_standalone_html_is_self_contained(events):
    shown = timeline.select(events, "2023-07-22", "upto")
    html = mapview.standalone_html(events, shown, "2023-07-22", "upto")
    assert offline.remote_urls(html) == []
    assert "../geo.offline." not in html  # all inlined
    assert "L.Map" in html or "leaflet" in html.lower()
    assert '"basemapData":{"world":{' in html  # the base layer inlined: no server needed
    assert '"44_24.json":{"land":' in html  # and the cell around Baghdad's events
    assert "<script>alert" not in html


def test_city_labels_come_from_located_events(events):
    names = {c["name"] for c in mapview.city_labels(events)}
    assert names == {"Baghdad", "Copenhagen", "Stockholm"}


def test_no_events_still_builds(events):
    m = mapview.base_map([])
    assert m.location == list(mapview.DEFAULT_VIEW[0])
    p = mapview.step_payload([], None, "upto")
    assert p["markers"] == [] and p["date_label"] == "All events"


def test_base_map_bounds_the_zoom_to_the_offline_layer():
    # offline the map stops where the 1:10m layer has nothing more to show (online, the
    # browser sets each tile layer's own max zoom: tests/test_browser_tiles.py)
    assert basemap.MAX_ZOOM == 14
    script = mapview.base_map([]).get_root().render()
    assert f'"zoom_range":[{basemap.MIN_ZOOM},{basemap.MAX_ZOOM}]' in script


def test_card_html_escapes_everything(events):
    by = {e.id: e for e in events}
    card = timeline.card(by["e4"])
    out = mapview.card_html(card)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    assert "approximate" in out and "approx" in out  # Baghdad is a city point
    assert "undated_iraq-severs-ties-with-sweden.txt" in out
    out9 = mapview.card_html(timeline.card(by["e9"]))
    assert "unlocated" in out9


def test_card_folds_extra_sources(events):
    from geo.models import Source

    e = events[0]
    e.sources += [Source("b.txt", "Second <b>sentence</b>."), Source("c.txt", "Third.")]
    out = mapview.card_html(timeline.card(e))
    assert "+ 2 more sources" in out and "<details>" in out
    assert "&lt;b&gt;sentence" in out


def test_all_mode_says_other_dates(events):
    p = mapview.step_payload(timeline.select(events, "2023-07-20", "all"), "2023-07-20", "all")
    assert p["past_note"] == "faded = other dates"


def test_a_landmark_the_geocoder_only_estimated_is_never_called_exact():
    from geo.geocode import Geocoder
    from geo.models import PlaceMention

    geocoder = Geocoder(online=False)
    danish = geocoder.resolve(PlaceMention(text="the Danish embassy", kind="mission",
                                           city="Baghdad", country_code="IQ", mission_of="DK"))
    swedish = geocoder.resolve(PlaceMention(text="the Swedish embassy", kind="mission",
                                            city="Baghdad", country_code="IQ", mission_of="SE"))
    notes = {}
    for name, place in (("danish", danish), ("swedish", swedish)):
        ev = Event(id=name, date="2023-07-20", date_precision="day", status="occurred",
                   category="protest", title="t", mention=None, place=place)
        notes[name] = (timeline.precision_note(ev), timeline.card(ev)["estimated"])
    assert place_is_unverified(danish)  # the row is marked unverified in landmarks.csv
    assert "exact" not in notes["danish"][0] and notes["danish"][1] is True
    assert notes["swedish"] == ("exact place (landmark)", False)


def place_is_unverified(place) -> bool:
    return "unverified" in place.note


def test_the_base_map_opens_on_the_chosen_layer(events, monkeypatch):
    monkeypatch.setenv("NEWSMAP_TILES_URL", "http://127.0.0.1:9/{name}/{z}/{x}/{y}.png")
    monkeypatch.delenv("NEWSMAP_TILES", raising=False)
    offered = tiles.js_options()
    html = mapview.base_map(events, tiles=offered, base="Esri.WorldImagery").get_root().render()
    assert '"base":"Esri.WorldImagery"' in html
    assert '"report_url":"nm-base"' in html  # the map reports a pick back (FEED_JS)
    # without tiles there is nothing to choose
    html = mapview.base_map(events, tiles=[], base="Esri.WorldImagery").get_root().render()
    assert '"base":null' in html
