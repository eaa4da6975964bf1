"""Events as a partitioned Parquet folder (geo/parquet.py) and where it is opened.

Every Event field round-trips exactly (nested mention, place, sources; the JSON columns),
in the written order; partitions are month / year / undated as the module says; a rewrite
replaces the folder and never someone else's; a bad path is one clear error in
``pipeline.load_events`` (so ``NEWSMAP_EVENTS``), the snapshot command, the dashboard and
``extract --format parquet --out``. Synthetic events; no extraction except the CLI test's
(the seeds, in this process).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import EVENT_DATES, OSM, make_events

from geo import cli, export, parquet, pipeline
from geo.models import Event, Place, PlaceMention, Source

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def full_event(id_="full", date="2023-07-20") -> Event:
    """Every field away from its default, with text a naive encoder would get wrong."""
    return Event(
        id=id_, date=date, date_precision="day", status="planned", category="protest",
        title="Protest at the « embassy » \u2014 \U0001f525 \"quoted\"\nsecond line",
        mention=PlaceMention(text="the Swedish embassy in Baghdad", kind="mission",
                             city="Baghdad", country_code="IQ", mission_of="SE",
                             entry_id="geonames:98182", offset_km=12.5, bearing=337.5,
                             part="north"),
        sources=[Source("a.txt", "Protesters stormed it.", url="https://ex.org/a?x=1&y=2",
                        outlet="Reuters"),
                 Source("b.txt", "They left at dawn.")],
        place=Place(name="Swedish embassy", lat=33.318412345678901, lon=-0.1 + 0.2,
                    precision="landmark", source="nominatim", city="Baghdad", country="Iraq",
                    country_code="IQ", confidence=0.1 + 0.2, attribution=OSM,
                    note="fallback: the city's centre"),
        time_of_day="early morning", date_inferred=True, kind="storming", family="unrest",
        place_from_context=True, background=True, actor="SE", review_status="edited",
        original={"title": "x", "date": None, "place": {"name": "Baghdad", "lat": 33.34,
                                                          "lon": 44.4},
                  "category": "riot/storming", "n": 3, "ok": True, "list": [1, "two"]},
        review_note="moved to the embassy", review_key={"sentence": "Protesters stormed it.",
                                                         "article": "a.txt"},
    )


def bare_event(id_="bare", date=None) -> Event:
    """The other extreme: no mention, no place, no sources, no date."""
    return Event(id=id_, date=date, date_precision=None, status="occurred",
                 category="statement", title="", mention=None)


def test_the_schema_has_every_field_of_the_data_classes():
    names = set(parquet.SCHEMA.names) - {"seq"}
    assert names == {f.name for f in dataclasses.fields(Event)}
    for column, cls in (("mention", PlaceMention), ("place", Place)):
        struct = parquet.SCHEMA.field(column).type
        assert [struct.field(i).name for i in range(struct.num_fields)] == \
            [f.name for f in dataclasses.fields(cls)]
    source = parquet.SCHEMA.field("sources").type.value_type
    assert [source.field(i).name for i in range(source.num_fields)] == \
        [f.name for f in dataclasses.fields(Source)]


def test_every_event_field_round_trips_in_the_written_order(tmp_path):
    written = [full_event("f1", "2023-07-20"), bare_event("b1"), *make_events(),
               full_event("f2", "2021-01"), bare_event("b2", "2022"),
               full_event("f3", "2023-07-01")]  # dates out of order: partitions interleave
    parquet.write_events(written, tmp_path / "ev")
    back = parquet.read_events(tmp_path / "ev")
    assert back == written  # dataclass equality: every field, nested ones too
    # and key for key in the same order (the free-form dicts too): the same JSONL export
    assert [json.dumps(e.to_dict()) for e in back] == [json.dumps(e.to_dict()) for e in written]
    assert export.to_jsonl(back) == export.to_jsonl(written)
    f1 = back[0]
    assert f1.place.confidence == 0.1 + 0.2 and f1.place.lat == 33.318412345678901
    assert f1.original["place"] == {"name": "Baghdad", "lat": 33.34, "lon": 44.4}
    assert back[1].mention is None and back[1].place is None and back[1].sources == []


def test_every_field_of_full_event_is_away_from_its_default():
    """So the round trip below proves each field, nested ones included."""
    e = full_event()
    for obj in (e, e.mention, e.place, *e.sources[:1]):
        for f in dataclasses.fields(obj):
            default = f.default_factory() if callable(f.default_factory) else f.default
            assert getattr(obj, f.name) != default, f"{type(obj).__name__}.{f.name}"


def test_an_older_folder_opens_with_defaults_and_a_newer_one_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet.write_events([full_event()], tmp_path / "ev")
    [part] = (tmp_path / "ev").glob("month=*/*.parquet")
    table = pq.read_table(part)
    old = table.drop_columns(["actor", "review_note"])  # as if written before those existed
    mention = old.column("mention").combine_chunks()
    kept = [f for f in mention.type if f.name not in ("offset_km", "bearing", "part")]
    old = old.set_column(old.schema.get_field_index("mention"), "mention",
                         pa.StructArray.from_arrays([mention.field(f.name) for f in kept],
                                                    fields=kept))
    pq.write_table(old, part)
    [e] = parquet.read_events(tmp_path / "ev")
    assert e.actor is None and e.review_note == "" and e.mention.offset_km is None
    assert e.place == full_event().place and e.title == full_event().title

    pq.write_table(table.append_column("future_field", pa.array(["x"])), part)
    with pytest.raises(parquet.EventsFolderError, match="newer version.*future_field"):
        parquet.read_events(tmp_path / "ev")


def test_partitions_are_months_then_years_then_undated(tmp_path):
    written = [full_event("a", "2023-07-22"), full_event("b", "2023-07"),
               full_event("c", "2023"), full_event("d", "2024-01-01"), bare_event("e"),
               full_event("f", "2023-07-01")]
    info = parquet.write_events(written, tmp_path / "ev")
    assert info["partitions"] == ["2023", "2023-07", "2024-01", "undated"]
    assert info["events"] == 6
    dirs = sorted(p.name for p in (tmp_path / "ev").iterdir() if p.is_dir())
    assert dirs == ["month=2023", "month=2023-07", "month=2024-01", "month=undated"]
    assert json.loads((tmp_path / "ev" / parquet.MARKER).read_text())["version"] == 1
    # plain pyarrow reads it as Hive partitioning, without this app
    table = ds.dataset(tmp_path / "ev", format="parquet", partitioning="hive").to_table()
    by_month = {}
    for row in table.select(["id", "month"]).to_pylist():
        by_month.setdefault(str(row["month"]), []).append(row["id"])
    assert {k: sorted(v) for k, v in by_month.items()} == {
        "2023-07": ["a", "b", "f"], "2023": ["c"], "2024-01": ["d"], "undated": ["e"]}
    # and a month is read alone, still in the written order
    assert [e.id for e in parquet.read_events(tmp_path / "ev", months=["2023-07"])] == \
        ["a", "b", "f"]
    assert [e.id for e in parquet.read_events(tmp_path / "ev", months=["undated", "2023"])] \
        == ["c", "e"]
    assert parquet.partition_of("2023-07-22") == "2023-07"
    assert parquet.partition_of(None) == parquet.partition_of("soon") == "undated"
    assert parquet.partition_of("20231") == parquet.partition_of("2023-07-22x") == "undated"


def test_a_rewrite_replaces_the_folder_and_never_anything_else(tmp_path):
    out = tmp_path / "ev"
    parquet.write_events(make_events(), out)
    parquet.write_events([bare_event()], out)
    assert [e.id for e in parquet.read_events(out)] == ["bare"]
    assert sorted(p.name for p in out.iterdir()) == [parquet.MARKER, "month=undated"]
    parquet.write_events([], out)
    assert parquet.read_events(out) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left

    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(parquet.EventsFolderError, match="not overwriting"):
        parquet.write_events(make_events(), other)
    assert (other / "notes.txt").read_text() == "keep me"
    (tmp_path / "f.jsonl").write_text("{}\n")
    with pytest.raises(parquet.EventsFolderError, match="is a file"):
        parquet.write_events(make_events(), tmp_path / "f.jsonl")


def test_load_events_opens_a_folder_and_says_why_a_bad_one_is_not(tmp_path):
    parquet.write_events(make_events(), tmp_path / "ev")
    result = pipeline.load_events(tmp_path / "ev")
    assert result.events == make_events() and result.problems == []

    with pytest.raises(FileNotFoundError, match="no such events file or folder"):
        parquet.read_events(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(parquet.EventsFolderError, match="not a Parquet events folder"):
        pipeline.load_events(tmp_path / "empty")
    half = tmp_path / "half"  # parquet files, no marker: someone else's, or cut short
    os.replace(tmp_path / "ev", half)
    (half / parquet.MARKER).unlink()
    with pytest.raises(parquet.EventsFolderError, match="has .parquet files but no"):
        pipeline.load_events(half)
    [one] = half.glob("month=2023-07/*.parquet")
    with pytest.raises(parquet.EventsFolderError, match="give the folder"):
        pipeline.load_events(one)
    (half / parquet.MARKER).write_text(json.dumps({"format": parquet.FORMAT, "version": 99}))
    with pytest.raises(parquet.EventsFolderError, match="newer version"):
        pipeline.load_events(half)
    assert issubclass(parquet.EventsFolderError, ValueError)  # callers catch ValueError


def test_cli_writes_parquet_and_says_what_is_wrong(tmp_path, newsmap_home, capsys):
    out = tmp_path / "events.parquet"
    assert cli.main(["extract", "--format", "parquet", "--out", str(out), "--raw",
                     "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    events = parquet.read_events(out)
    assert events and f"wrote {len(events)} events in" in err
    jsonl = tmp_path / "events.jsonl"  # the same run as JSONL, through --out as well
    assert cli.main(["extract", "--out", str(jsonl), "--raw", "--jobs", "1"]) == 0
    assert [e.id for e in pipeline.load_events(jsonl).events] == [e.id for e in events]

    assert cli.main(["extract", "--format", "parquet", "--raw"]) == 2
    assert "give --out DIR" in capsys.readouterr().err
    assert cli.main(["extract", "--format", "parquet", "--out", str(jsonl), "--raw"]) == 2
    assert "is a file" in capsys.readouterr().err


def test_snapshot_and_dashboard_open_a_parquet_folder(tmp_path, monkeypatch, newsmap_home):
    """NEWSMAP_EVENTS=DIR where a JSONL file went before; a wrong folder is said on the
    page, not a crash."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from geo import snapshot, timeline

    parquet.write_events(make_events(), tmp_path / "ev")
    monkeypatch.setenv("NEWSMAP_EVENTS", str(tmp_path / "ev"))
    assert snapshot._load_events([], online=False) == make_events()

    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.select_slider(key="date").options == [timeline.short_label(d)
                                                         for d in EVENT_DATES]
        (tmp_path / "empty").mkdir()
        monkeypatch.setenv("NEWSMAP_EVENTS", str(tmp_path / "empty"))
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(str(e.value) for e in [*at.error, *at.warning, *at.markdown])
        assert "not a Parquet events folder" in shown
    finally:
        st.cache_resource.clear()
