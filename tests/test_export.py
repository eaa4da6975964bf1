"""JSONL / CSV / GeoJSON export on synthetic events."""

from __future__ import annotations

import csv
import io
import json

from conftest import OSM, XSS

from geo import export
from geo.models import Event, PlaceMention, Source

PLACE_KEYS = {"name", "lat", "lon", "precision", "source", "city", "country", "attribution",
              "note"}


def test_jsonl_one_object_per_event(events):
    lines = export.to_jsonl(events).splitlines()
    assert len(lines) == len(events)
    recs = [json.loads(line) for line in lines]
    r = recs[2]
    assert r["id"] == "e3" and r["date"] == "2023-07-20" and r["date_precision"] == "day"
    assert r["status"] == "occurred" and r["category"] == "riot/storming"
    assert r["time_of_day"] == "early morning"
    assert set(r["place"]) >= PLACE_KEYS
    assert r["place"]["lat"] == 33.3184 and r["place"]["precision"] == "landmark"
    assert r["sources"] == [{"article": "2023-07-20_iraq-threatens-ties-with-sweden.txt",
                             "sentence": "Protesters stormed the Swedish embassy " + XSS}]
    by = {r["id"]: r for r in recs}
    assert by["e6"]["place"]["attribution"] == OSM
    # e9 has a mention but no place: the text's name, no coordinates
    assert by["e9"]["place"]["lat"] is None and by["e9"]["place"]["name"] == "somewhere"


def test_jsonl_null_place_and_date():
    e = Event(id="x", date=None, date_precision=None, status="planned", category="protest",
              title="t", mention=None, sources=[Source("a.txt", "s")])
    r = json.loads(export.to_jsonl([e]))
    assert r["place"] is None and r["date"] is None and r["date_precision"] is None
    assert r["status"] == "planned"
    assert export.to_jsonl([]) == ""


def test_month_precision_is_derived_when_missing():
    e = Event(id="m", date="2023-06", date_precision=None, status="occurred",
              category="desecration", title="t", mention=PlaceMention("Stockholm"))
    assert export.record(e)["date_precision"] == "month"


def test_csv_flattens_one_row_per_event(events):
    events[5].sources.append(Source("other.txt", "Another sentence."))
    rows = list(csv.DictReader(io.StringIO(export.to_csv(events))))
    assert len(rows) == len(events)
    assert list(rows[0]) == export.CSV_FIELDS
    r6 = next(r for r in rows if r["id"] == "e6")
    assert r6["place_name"] == "Jumhuriya bridge" and r6["lat"] == "33.3248"
    assert r6["articles"] == "2023-07-22_green-zone-jumhuriya-bridge.txt; other.txt"
    r9 = next(r for r in rows if r["id"] == "e9")
    assert r9["lat"] == "" and r9["lon"] == ""


def test_csv_guards_against_formula_injection(events):
    events[0].title = "=HYPERLINK(\"http://x\")"
    rows = list(csv.DictReader(io.StringIO(export.to_csv(events))))
    assert rows[0]["title"].startswith("'=")


def test_geojson_points_for_located_events(events):
    fc = json.loads(export.to_geojson(events))
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 8
    assert fc["unlocated"] == 1 and fc["unlocated_ids"] == ["e9"]
    f = next(f for f in fc["features"] if f["id"] == "e5")
    assert f["geometry"] == {"type": "Point", "coordinates": [12.5898, 55.6889]}  # lon, lat
    assert f["properties"]["title"] == "Quran burned outside the Iraqi embassy"
    assert f["properties"]["place"]["country"] == "Denmark"


def test_formats_table():
    assert set(export.FORMATS) == {"jsonl", "csv", "geojson"}
