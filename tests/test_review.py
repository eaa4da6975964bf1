"""Corrections (geo/review): keys that survive re-extraction, the pure apply, the queue,
the actions' checks, provenance in every export, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from conftest import A_0720, A_0722, BAGHDAD, make_events

from geo import cli, export
from geo.models import Article, Event, Place, PlaceMention, Source
from geo.review import actions, apply, article_hashes, event_key, queue
from geo.review import log as review_log
from geo.review.corrections import Correction
from geo.store import db as db_mod

TEXTS = {A_0720: "Protesters stormed the Swedish embassy. Iraq expelled the ambassador.",
         A_0722: "Hundreds of protesters attempted to storm the Green Zone. Police fired."}
HASHES = article_hashes([Article(n, t) for n, t in TEXTS.items()])


def ids(events):
    return sorted(e.id for e in events)


def saved(corrections):
    """Give corrections ids as the database would."""
    return [replace(c, id=i) for i, c in enumerate(corrections, 1)]


def by_id(events, id_):
    return next(e for e in events if e.id == id_)


def test_confirm_edit_remove_keep_originals_and_leave_the_input_alone():
    evs = make_events()
    e3, e6, e7 = by_id(evs, "e3"), by_id(evs, "e6"), by_id(evs, "e7")
    cs = saved([actions.confirm(e6, HASHES),
                actions.edit(e3, HASHES, date="2023-07", place=BAGHDAD, title="Storming"),
                actions.remove(e7, HASHES, "duplicate")])
    r = apply(evs, cs, HASHES)
    out3 = by_id(r.events, "e3")
    assert (out3.date, out3.date_precision, out3.place, out3.title) == (
        "2023-07", "month", BAGHDAD, "Storming")
    assert out3.review_status == "edited"
    assert out3.original["date"] == "2023-07-20" and out3.original["date_precision"] == "day"
    assert out3.original["place"]["name"] == "Swedish embassy"
    assert out3.original["title"] == "Protesters storm the Swedish embassy"
    assert by_id(r.events, "e6").review_status == "confirmed"
    assert "e7" not in ids(r.events) and [e.id for e, _ in r.removed] == ["e7"]
    assert by_id(r.events, "e1").review_status == "auto"
    assert not r.unmatched
    assert e3.date == "2023-07-20" and e3.review_status == "auto"  # input untouched


def test_corrections_survive_a_new_extractor_that_renames_and_regroups():
    evs = make_events()
    cs = saved([actions.edit(by_id(evs, "e3"), HASHES, category="attack"),
                actions.remove(by_id(evs, "e8"), HASHES, "not-an-event")])
    # the next extractor version: new ids and titles, another order, e3 merged with a new
    # source from another article; the text and the sentences are the same
    new = [replace(e, id=f"v2-{e.id}", title=e.title.upper()) for e in reversed(evs)]
    v3 = next(e for e in new if e.id == "v2-e3")
    v3.sources.append(Source(A_0722, "A second telling of the storming."))
    r = apply(new, cs, HASHES)
    assert by_id(r.events, "v2-e3").category == "attack"
    assert by_id(r.events, "v2-e3").review_status == "edited"
    assert "v2-e8" not in ids(r.events)
    assert not r.unmatched


def test_a_correction_whose_event_is_gone_is_listed_not_lost():
    evs = make_events()
    cs = saved([actions.confirm(by_id(evs, "e4"), HASHES)])
    # the new extractor no longer finds the sentence's event (or its family changed)
    changed = [e for e in evs if e.id != "e4"]
    r = apply(changed, cs, HASHES)
    assert [c.kind for c in r.unmatched] == ["confirm"]
    assert len(r.events) == len(changed)


def test_undo_and_undoing_the_undo():
    evs = make_events()
    rm = saved([actions.remove(by_id(evs, "e5"), HASHES, "wrong-article")])[0]
    undo = replace(actions.undo(rm), id=2)
    assert "e5" in ids(apply(evs, [rm, undo], HASHES).events)
    redo = replace(actions.undo(undo), id=3)
    assert "e5" not in ids(apply(evs, [rm, undo, redo], HASHES).events)


def test_merge_moves_the_sources_and_later_edits_follow():
    evs = make_events()
    e6, e7 = by_id(evs, "e6"), by_id(evs, "e7")
    m = actions.merge_into(e6, e7, HASHES)
    later = actions.edit(e6, HASHES, title="Green Zone clashes")  # made on e6's key
    r = apply(evs, saved([m, later]), HASHES)
    out7 = by_id(r.events, "e7")
    assert "e6" not in ids(r.events)
    assert {s.sentence for s in out7.sources} == {s.sentence for s in e6.sources + e7.sources}
    assert out7.title == "Green Zone clashes"  # the sentence's key now finds e7
    with pytest.raises(actions.InvalidCorrection):
        actions.merge_into(e7, e7, HASHES)


def test_add_from_a_sentence_then_edit_and_undo_the_add():
    evs = make_events()
    add = actions.add(A_0722, "Police  fired.", HASHES, date="2023-07-22", place=BAGHDAD,
                      category="attack", title="Police fire on protesters")
    assert add.key.sentence == "Police fired."  # whitespace folded
    r = apply(evs, saved([add]), HASHES)
    [new] = [e for e in r.events if e.review_status == "added"]
    assert (new.date, new.place, new.sources[0].article) == ("2023-07-22", BAGHDAD, A_0722)
    edit = actions.edit(new, HASHES, date="2023-07-21")
    r2 = apply(evs, saved([add, edit]), HASHES)
    [new2] = [e for e in r2.events if e.review_status == "added"]
    assert new2.date == "2023-07-21" and new2.id == new.id
    gone = apply(evs, [replace(add, id=1), replace(actions.undo(replace(add, id=1)), id=2)],
                 HASHES)
    assert not [e for e in gone.events if e.review_status == "added"]
    with pytest.raises(actions.InvalidCorrection, match="sentence"):
        actions.add(A_0722, "  ", HASHES, date=None, place=None, category="attack", title="")
    with pytest.raises(actions.InvalidCorrection, match="no article"):
        actions.add("nope.txt", "x", HASHES, date=None, place=None, category="attack",
                    title="")


def test_one_sentence_two_places_the_hint_picks_the_right_one():
    s = Source(A_0722, "Five killed in Caracas, two in Zulia.")
    mk = lambda i, name: Event(id=i, date="2024-01-01", date_precision="day",  # noqa: E731
                               status="occurred", category="attack", title=name,
                               mention=PlaceMention(name), sources=[s])
    evs = [mk("a", "Caracas"), mk("b", "Zulia")]
    r = apply(evs, saved([actions.remove(evs[1], HASHES, "duplicate")]), HASHES)
    assert ids(r.events) == ["a"]


@pytest.mark.parametrize("text,prec,want", [
    ("2023-07-20", None, ("2023-07-20", "day")), ("2023-07", None, ("2023-07", "month")),
    ("2023", None, ("2023", "year")), ("2023-07-20", "month", ("2023-07", "month"))])
def test_parse_date(text, prec, want):
    assert actions.parse_date(text, prec) == want


@pytest.mark.parametrize("text,prec", [("2023-02-30", None), ("20 July", None),
                                       ("1700", None), ("2023-07", "day"), ("", None)])
def test_parse_date_refuses_with_a_reason(text, prec):
    with pytest.raises(actions.InvalidCorrection):
        actions.parse_date(text, prec)


def test_edit_checks_its_fields():
    e = make_events()[0]
    with pytest.raises(actions.InvalidCorrection, match="nothing changed"):
        actions.edit(e, HASHES, title=e.title)
    with pytest.raises(actions.InvalidCorrection, match="category"):
        actions.edit(e, HASHES, category="picnic")
    with pytest.raises(actions.InvalidCorrection, match="Earth"):
        actions.place_by_point(95, 0)
    p = actions.place_by_point(33.3, 44.4, "", "city")
    assert (p.source, p.precision, p.name) == ("user", "city", "33.30000, 44.40000")


def test_place_by_name_goes_through_the_geocoder():
    from geo.geocode import Geocoder

    geocoder = Geocoder(online=False)
    p = actions.place_by_name("Jumhuriya bridge", geocoder, near="Baghdad")
    assert p.precision == "landmark" and p.city == "Baghdad"
    with pytest.raises(actions.InvalidCorrection, match="could not place"):
        actions.place_by_name("Qwxzzy Vrrpt", geocoder)


def test_queue_puts_the_most_uncertain_first_and_skips_reviewed():
    evs = make_events()
    vague = replace(by_id(evs, "e4"), date_inferred=True,
                    place=Place("Iraq", 33.0, 44.0, "country", "gazetteer"))
    evs = [vague if e.id == "e4" else e for e in evs]
    by_id(evs, "e6").review_status = "confirmed"
    items = queue.queue(evs)
    # country-level place + inferred date + one source (6) before not located + one source (5)
    assert [i.event.id for i in items[:2]] == ["e4", "e9"]
    assert items[0].score > items[1].score > items[2].score
    assert set(items[0].reasons) == {"date inferred", "place only at country level",
                                     "single source"}
    assert "e6" not in [i.event.id for i in items]
    assert [e.id for e in queue.filter_events(evs, "reviewed")] == ["e6"]
    assert len(queue.filter_events(evs, "needs")) == len(evs) - 1


def test_exports_carry_review_status_and_originals():
    evs = make_events()
    r = apply(evs, saved([actions.edit(by_id(evs, "e3"), HASHES, place=BAGHDAD)]), HASHES)
    rec = {json.loads(line)["id"]: json.loads(line) for line in
           export.to_jsonl(r.events).splitlines()}
    assert rec["e3"]["review_status"] == "edited" and rec["e1"]["review_status"] == "auto"
    assert rec["e3"]["original"]["place"]["name"] == "Swedish embassy"
    assert rec["e3"]["place"]["name"] == "Baghdad" and rec["e1"]["original"] is None
    rows = {r_["id"]: r_ for r_ in csv.DictReader(io.StringIO(export.to_csv(r.events)))}
    assert rows["e3"]["review_status"] == "edited"
    assert json.loads(rows["e3"]["original"])["place"]["name"] == "Swedish embassy"
    gj = json.loads(export.to_geojson(r.events))
    props = {f["id"]: f["properties"] for f in gj["features"]}
    assert props["e3"]["review_status"] == "edited"


def test_event_key_is_independent_of_id_title_and_date():
    e = make_events()[2]
    other = replace(e, id="zzz", title="Other", date="1999")
    assert event_key(e, HASHES) == event_key(other, HASHES)
    assert event_key(e, HASHES).article_hash == HASHES[A_0720]


# ---- the CLI on the real seeds -----------------------------------------------------------


def _events(capsys, *argv) -> dict[str, dict]:
    assert cli.main(["extract", *argv]) == 0
    return {d["id"]: d for d in map(json.loads, capsys.readouterr().out.splitlines())}


def test_cli_review_round_trip_and_a_new_extractor_version(newsmap_home, capsys,
                                                           monkeypatch):
    db_mod.forget_open()
    raw = _events(capsys)
    vague = next(i for i, d in raw.items() if d["place"] and d["place"]["precision"] == "city")
    gone = next(i for i in raw if i != vague)
    assert cli.main(["review", "edit", vague[:6], "--date", "2023-07-21",
                     "--place", "Jumhuriya bridge", "--near", "Baghdad"]) == 0
    assert cli.main(["review", "remove", gone, "--reason", "not-an-event"]) == 0
    art = "2023-07-22_green-zone-jumhuriya-bridge.txt"
    assert cli.main(["review", "add", "--article", art, "--sentence",
                     "A sentence the extractor missed.", "--date", "2023-07-22",
                     "--point", "33.31,44.39", "--category", "protest",
                     "--title", "Sit-in"]) == 0
    capsys.readouterr()
    got = _events(capsys)
    assert got[vague]["date"] == "2023-07-21" and got[vague]["review_status"] == "edited"
    assert got[vague]["place"]["precision"] == "landmark"
    assert got[vague]["original"]["date"] == raw[vague]["date"]
    assert gone not in got
    [added] = [d for d in got.values() if d["review_status"] == "added"]
    assert added["title"] == "Sit-in" and added["place"]["lat"] == 33.31
    assert set(_events(capsys, "--raw")) == set(raw)  # --raw: the extractor's own

    # a new extractor version: nothing cached matches, everything is extracted again
    from geo import extract, pipeline

    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", extract.EXTRACTOR_VERSION + "-next")
    pipeline.extractor_fingerprint.cache_clear()
    pipeline._code_fingerprint.cache_clear()
    try:
        again = _events(capsys)
    finally:
        pipeline.extractor_fingerprint.cache_clear()
        pipeline._code_fingerprint.cache_clear()
    assert again[vague]["date"] == "2023-07-21" and gone not in again

    assert cli.main(["review", "history"]) == 0
    history = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [h["kind"] for h in history] == ["edit", "remove", "add"]
    assert cli.main(["review", "undo", str(history[1]["correction"])]) == 0
    capsys.readouterr()
    assert gone in _events(capsys)
    assert cli.main(["review", "list", "--queue", "--limit", "2"]) == 0
    q = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(q) == 2 and q[0]["uncertainty"] >= q[1]["uncertainty"] and q[0]["why"]


def test_cli_review_bad_input_is_one_line(newsmap_home, capsys):
    db_mod.forget_open()
    assert cli.main(["review", "confirm", "nosuchid"]) == 1
    assert "no event with id" in capsys.readouterr().err
    assert cli.main(["review", "undo", "99"]) == 1
    assert "no correction #99" in capsys.readouterr().err


def test_cli_extract_with_a_damaged_database_still_prints(newsmap_home, capsys):
    db_mod.forget_open()
    (newsmap_home / "newsmap.sqlite").write_bytes(b"this is not sqlite" * 50)
    assert cli.main(["extract"]) == 0
    out = capsys.readouterr()
    assert out.out.count("\n") > 5 and "not applied" in out.err and "db import" in out.err


def test_saved_corrections_come_back_in_order(newsmap_home):
    db_mod.forget_open()
    evs = make_events()
    first = review_log.save(actions.confirm(evs[0], HASHES))
    second = review_log.save(actions.remove(evs[1], HASHES, "duplicate"))
    assert [c.id for c in review_log.load()] == [first.id, second.id]
    assert review_log.load()[1] == second
    assert isinstance(review_log.get(first.id), Correction)


def test_article_viewer_highlights_evidence_and_escapes_text():
    from geo.review import viewer

    text = ("Protesters stormed the embassy <b>today</b>. Police fired.\n\n"
            "Later, talks were held.")
    ev = {"Protesters stormed the embassy <b>today</b>.": ["Storming"]}
    out = viewer.article_html(text, ev, focus="Protesters stormed the embassy <b>today</b>.")
    assert "<b>" not in out and "&lt;b&gt;today&lt;/b&gt;" in out
    assert out.count("<mark") == 1 and "nm-ev-focus" in out and 'title="Storming"' in out
    assert out.count("<p>") == 2  # paragraphs kept
    ctx = viewer.focus_html(text, ev, "Protesters stormed the embassy <b>today</b>.")
    assert "Police fired." in ctx and "talks" not in ctx
    sents = viewer.sentences(text, ev)
    assert [s.evidence for s in sents] == [True, False, False]


def test_untouched_events_are_passed_through_not_copied():
    evs = make_events()
    r = apply(evs, saved([actions.confirm(by_id(evs, "e6"), HASHES)]), HASHES)
    same = {e.id for e in r.events if any(e is x for x in evs)}
    assert same == {e.id for e in evs} - {"e6"}
    assert apply(evs, [], HASHES).events == evs


def test_snapshot_checks_the_view_on_the_corrected_events(newsmap_home, monkeypatch):
    """`python -m geo snapshot` validates dates and filters on what the dashboard shows."""
    import sys

    from conftest import fake_pipeline_module

    from geo import snapshot

    db_mod.forget_open()
    fake = fake_pipeline_module()
    monkeypatch.setitem(sys.modules, "geo.pipeline", fake)
    result = fake.run([])
    hashes = article_hashes(result.articles)
    review_log.save(actions.remove(by_id(result.events, "e7"), hashes, "duplicate"))
    review_log.save(actions.edit(by_id(result.events, "e3"), hashes, date="2023-07-19"))
    got = {e.id: e for e in snapshot._load_events([], online=False)}
    assert "e7" not in got and got["e3"].date == "2023-07-19"
    assert snapshot.check_view(list(got.values()), "2023-07-19", "date") == {}  # no error
